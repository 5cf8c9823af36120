/**
 * Authentication middleware factories. `requireUser` admits any valid, unrevoked access token;
 * `requireAdmin` also admits the static ADMIN_API_TOKEN and answers 403 to a valid non-admin.
 * Missing, forged, expired or revoked tokens are 401.
 */
import { timingSafeEqual } from 'node:crypto';
import { createMiddleware } from 'hono/factory';
import { AccessTokenError, type AccessClaims, type AccessTokens } from '../../access/access-token.js';
import { Problem } from '../../common/problem.js';
import type { AccessDenylist } from '../../access/access-denylist.js';

export type AuthEnv = { Variables: { user: AccessClaims; bearer: string } };

export interface AuthDeps {
  accessTokens: AccessTokens;
  denylist: AccessDenylist;
}

function bearerOf(header: string | undefined): string | undefined {
  const m = /^Bearer ([A-Za-z0-9._~+/=-]{1,4096})$/.exec(header ?? '');
  return m?.[1];
}

/** A valid access token that was not logged out; 401 problems otherwise. */
export async function verifiedAccount(deps: AuthDeps, bearer: string | undefined): Promise<AccessClaims> {
  try {
    const claims = await deps.accessTokens.verify(bearer);
    if (bearer && (await deps.denylist.isDenied(bearer))) throw new AccessTokenError('invalid', 'the access token was revoked');
    return claims;
  } catch (err) {
    if (err instanceof AccessTokenError) throw new Problem(401, `token_${err.reason}`, err.message);
    throw err;
  }
}

export function requireUser(deps: AuthDeps) {
  return createMiddleware<AuthEnv>(async function authenticateUser(c, next) {
    const bearer = bearerOf(c.req.header('authorization'));
    c.set('user', await verifiedAccount(deps, bearer));
    c.set('bearer', bearer ?? '');
    await next();
  });
}

const OPERATOR: AccessClaims = { userId: 'operator', email: 'operator@usher.local', role: 'admin' };

export function requireAdmin(deps: AuthDeps & { adminApiToken: string | undefined }) {
  const staticToken = deps.adminApiToken ? Buffer.from(deps.adminApiToken) : undefined;
  return createMiddleware<AuthEnv>(async function authenticateAdmin(c, next) {
    const bearer = bearerOf(c.req.header('authorization'));
    if (staticToken && bearer && Buffer.byteLength(bearer) === staticToken.length && timingSafeEqual(Buffer.from(bearer), staticToken)) {
      c.set('user', OPERATOR);
    } else {
      const claims = await verifiedAccount(deps, bearer);
      if (claims.role !== 'admin') throw new Problem(403, 'admin_only', 'this needs an organiser (admin) account');
      c.set('user', claims);
    }
    c.set('bearer', bearer ?? '');
    await next();
  });
}
