/**
 * Authentication middleware factories. `requireUser` admits any valid, unrevoked access token of
 * an account that still exists; `requireAdmin` also admits the static ADMIN_API_TOKEN and answers
 * 403 to a valid token whose account is not an admin now (PostgreSQL's role, briefly cached, not
 * the token's claim: a demoted organiser loses the admin routes within seconds).
 * Missing, forged, expired or revoked tokens, and tokens of deleted accounts, are 401.
 */
import { createMiddleware } from 'hono/factory';
import { AccessTokenError, isOperatorToken, type AccessClaims, type AccessTokens } from '../../access/access-token.js';
import type { AccessDenylist } from '../../access/access-denylist.js';
import { STATIC_OPERATOR, type AccountRoles } from '../../access/account-roles.js';
import { bearerToken } from '../../common/bearer-token.js';
import { Problem } from '../../common/problem.js';

export type AuthEnv = { Variables: { user: AccessClaims; bearer: string } };

export interface AuthDeps {
  accessTokens: AccessTokens;
  denylist: AccessDenylist;
  accountRoles: AccountRoles;
}

/**
 * A valid access token that was not logged out, of an account that still exists, with the role
 * the account has now; 401 problems otherwise.
 */
export async function verifiedAccount(deps: AuthDeps, bearer: string | undefined): Promise<AccessClaims> {
  let claims: AccessClaims;
  try {
    claims = await deps.accessTokens.verify(bearer);
    if (bearer && (await deps.denylist.isDenied(bearer))) throw new AccessTokenError('invalid', 'the access token was revoked');
  } catch (err) {
    if (err instanceof AccessTokenError) throw new Problem(401, `token_${err.reason}`, err.message);
    throw err;
  }
  const role = await deps.accountRoles.current(claims.userId);
  if (!role) throw new Problem(401, 'account_not_found', 'the account of this access token no longer exists');
  return { ...claims, role };
}

export function requireUser(deps: AuthDeps) {
  return createMiddleware<AuthEnv>(async function authenticateUser(c, next) {
    const bearer = bearerToken(c.req.header('authorization'));
    c.set('user', await verifiedAccount(deps, bearer));
    c.set('bearer', bearer ?? '');
    await next();
  });
}

const OPERATOR: AccessClaims = { ...STATIC_OPERATOR, role: 'admin' };

export function requireAdmin(deps: AuthDeps & { adminApiToken: string | undefined }) {
  return createMiddleware<AuthEnv>(async function authenticateAdmin(c, next) {
    const bearer = bearerToken(c.req.header('authorization'));
    if (isOperatorToken(bearer, deps.adminApiToken)) {
      c.set('user', OPERATOR);
    } else {
      const account = await verifiedAccount(deps, bearer);
      if (account.role !== 'admin') throw new Problem(403, 'admin_only', 'this needs an organiser (admin) account');
      c.set('user', account);
    }
    c.set('bearer', bearer ?? '');
    await next();
  });
}
