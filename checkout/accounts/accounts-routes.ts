/**
 * Accounts: register, log in, refresh, log out, verify the e-mail address, and the fan's own orders.
 *
 * Guest orders show up by e-mail only once the account has verified that address: registering
 * (or asking again, rate limited) mails a signed link to it, and the link's page posts the token
 * to /v1/auth/verify-email. Until then an account sees only orders placed while logged in, so
 * registering someone else's address reveals nothing of theirs.
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AccessClaims, AccessTokens } from '../../access/access-token.js';
import type { Logger } from '../../common/logger.js';
import type { PgPool } from '../../common/postgres-pool.js';
import { counter } from '../../common/metrics.js';
import { Problem } from '../../common/problem.js';
import { apiRoute, apiRouter, jsonAnswer, jsonBody } from '../api/api-route.js';
import { needs } from '../api/openapi-document.js';
import { refuseFor } from '../api/rate-limit.js';
import { bearerToken } from '../../common/bearer-token.js';
import { hashPassword, verifyPassword, dummyHash } from './password-hash.js';
import { issueRefreshToken, rotateRefreshToken, revokeRefreshFamily } from './refresh-tokens.js';
import type { LoginRateLimiter } from './login-rate-limit.js';
import { requireUser, type AuthDeps, type AuthEnv } from './auth-middleware.js';
import { listMyOrders } from './my-orders.js';
import { credentials, emailVerifiedSchema, profileSchema, myOrdersSchema, refreshBody, registration, sessionSchema, verificationQueuedSchema, verifyEmailBody } from './accounts-schemas.js';
import { VerificationTokenError, type EmailVerificationTokens } from './email-verification-token.js';
import { confirmEmail, emailStatus } from './email-verification.js';
import { readProfile } from './profile.js';
import type { VerificationMailLimiter } from './verification-mail-limit.js';

export const ACCESS_TTL_S = 900;
const logins = counter('usher_auth_logins_total', 'login attempts by outcome', ['outcome']);
const verifications = counter('usher_auth_email_verifications_total', 'e-mail verification confirmations by outcome', ['outcome']);

export interface AccountsDeps extends AuthDeps {
  pg: PgPool;
  limiter: LoginRateLimiter;
  clientAddress: (c: Context) => string;
  log: Logger;
  verificationTokens: EmailVerificationTokens;
  /** Queues the verification e-mail (the notification worker mints the link and sends it). */
  verificationMail: { enqueue(userId: string, email: string): Promise<unknown> };
  verificationLimiter: VerificationMailLimiter;
}

export async function session(pg: PgPool, tokens: AccessTokens, user: AccessClaims, emailVerified: boolean, refreshToken?: string) {
  return {
    accessToken: await tokens.sign(user, ACCESS_TTL_S),
    refreshToken: refreshToken ?? (await issueRefreshToken(pg, user.userId)),
    tokenType: 'Bearer',
    expiresIn: ACCESS_TTL_S,
    user: { id: user.userId, email: user.email, role: user.role, emailVerified },
  };
}

const CONFIRM_REFUSALS = {
  no_account: [404, 'account_not_found', 'the account of this link no longer exists'],
  email_changed: [422, 'verification_email_mismatch', 'this link was sent to an address the account no longer has; ask for a new link'],
  already_verified: [409, 'email_already_verified', 'this e-mail address is already verified'],
} as const;

const tags = ['accounts'];
const no = (description: string) => ({ description });

export function createAccountsRouter(deps: AccountsDeps): OpenAPIHono<AuthEnv> {
  const router = apiRouter<AuthEnv>();

  router.openapi(apiRoute({
    method: 'post', path: '/v1/auth/register', summary: 'Create a fan account; mails a link to verify the address', tags,
    request: { body: jsonBody(registration) },
    responses: { 201: jsonAnswer(sessionSchema, 'the session (the address is not verified yet)'), 409: no('an account with this e-mail exists') },
  }), async (c) => {
    const body = c.req.valid('json');
    const hash = await hashPassword(body.password);
    const { rows } = await deps.pg.query<{ id: string; role: 'fan' | 'admin' }>(
      `INSERT INTO users (email, password_hash) VALUES ($1, $2) ON CONFLICT ((lower(email))) DO NOTHING RETURNING id, role`,
      [body.email, hash],
    );
    const row = rows[0];
    if (!row) throw new Problem(409, 'email_taken', 'an account with this e-mail already exists; log in instead');
    try {
      // the first mail counts against the account's sends, so a resend right away waits its turn
      await deps.verificationLimiter.take(row.id);
      await deps.verificationMail.enqueue(row.id, body.email);
    } catch (err) {
      // The account exists either way; the fan can ask for the link again (POST /v1/me/verification-email).
      deps.log.warn({ err: (err as Error).message, userId: row.id }, 'could not queue the verification e-mail');
    }
    return c.json(await session(deps.pg, deps.accessTokens, { userId: row.id, email: body.email, role: row.role }, false), 201);
  });

  router.openapi(apiRoute({
    method: 'post', path: '/v1/auth/login', summary: 'Log in with e-mail and password', tags,
    request: { body: jsonBody(credentials) },
    responses: { 200: jsonAnswer(sessionSchema, 'the session'), 401: no('wrong e-mail or password'), 429: no('too many failed attempts (Retry-After)') },
  }), async (c) => {
    const body = c.req.valid('json');
    const ip = deps.clientAddress(c);
    const wait = await deps.limiter.blockedFor(body.email, ip);
    if (wait > 0) {
      logins.inc({ outcome: 'limited' });
      refuseFor(c, wait, 'too_many_login_attempts', `too many failed attempts; try again in ${wait} s`);
    }
    const { rows } = await deps.pg.query<{ id: string; email: string; role: 'fan' | 'admin'; password_hash: string | null; verified: boolean }>(
      'SELECT id, email, role, password_hash, email_verified_at IS NOT NULL AS verified FROM users WHERE lower(email) = lower($1)', [body.email]);
    const user = rows[0];
    const ok = await verifyPassword(body.password, user?.password_hash ?? (await dummyHash()));
    if (!user || !user.password_hash || !ok) {
      await deps.limiter.recordFailure(body.email, ip);
      logins.inc({ outcome: 'failed' });
      throw new Problem(401, 'invalid_credentials', 'wrong e-mail or password');
    }
    await deps.limiter.recordSuccess(body.email, ip);
    logins.inc({ outcome: 'ok' });
    return c.json(await session(deps.pg, deps.accessTokens, { userId: user.id, email: user.email, role: user.role }, user.verified), 200);
  });

  router.openapi(apiRoute({
    method: 'post', path: '/v1/auth/refresh', summary: 'Rotate the refresh token for a new session', tags,
    request: { body: jsonBody(refreshBody) },
    responses: { 200: jsonAnswer(sessionSchema, 'the session'), 401: no('unknown, expired, revoked or reused refresh token') },
  }), async (c) => {
    const body = c.req.valid('json');
    const result = await rotateRefreshToken(deps.pg, body.refreshToken);
    if (!result.ok) throw new Problem(401, `refresh_${result.reason}`, `the refresh token is ${result.reason}; log in again`);
    const { user } = result;
    return c.json(await session(deps.pg, deps.accessTokens, { userId: user.id, email: user.email, role: user.role }, user.emailVerified, result.token), 200);
  });

  // Logout needs no valid access token (it may have expired); it revokes what it is given.
  router.openapi(apiRoute({
    method: 'post', path: '/v1/auth/logout', summary: 'Revoke the refresh token family and the bearer access token', tags,
    request: { body: jsonBody(refreshBody.partial(), false) },
    responses: { 204: no('logged out (idempotent)') },
  }), async (c) => {
    const body = c.req.valid('json');
    if (body.refreshToken) await revokeRefreshFamily(deps.pg, body.refreshToken);
    const bearer = bearerToken(c.req.header('authorization'));
    if (bearer) await deps.denylist.deny(bearer);
    return c.body(null, 204);
  });

  // No login needed: the link may be opened on another device than the one that registered.
  // The token is the credential; it only ever verifies the address it was mailed to.
  router.openapi(apiRoute({
    method: 'post', path: '/v1/auth/verify-email', summary: 'Confirm the account e-mail with the token of the mailed link', tags,
    request: { body: jsonBody(verifyEmailBody) },
    responses: {
      200: jsonAnswer(emailVerifiedSchema, 'verified now'),
      400: no('malformed, forged or wrong-purpose token'),
      404: no('the account no longer exists'),
      409: no('the address is already verified'),
      410: no('the link has expired: ask for a new one'),
      422: no('the link was sent to an address the account no longer has'),
    },
  }), async (c) => {
    const body = c.req.valid('json');
    let claims;
    try {
      claims = await deps.verificationTokens.verify(body.token);
    } catch (err) {
      if (!(err instanceof VerificationTokenError)) throw err;
      verifications.inc({ outcome: err.reason });
      if (err.reason === 'expired') throw new Problem(410, 'verification_link_expired', err.message);
      throw new Problem(400, 'verification_link_invalid', err.message);
    }
    const outcome = await confirmEmail(deps.pg, claims);
    verifications.inc({ outcome: outcome.ok ? 'verified' : outcome.reason });
    if (!outcome.ok) {
      const [status, code, detail] = CONFIRM_REFUSALS[outcome.reason];
      throw new Problem(status, code, detail);
    }
    return c.json(outcome.status, 200);
  });

  const authed = requireUser(deps);
  router.openapi(apiRoute({
    method: 'get', path: '/v1/me', summary: 'The logged-in account: its e-mail and whether it is verified, display name, phone, a pending change of e-mail', tags, security: needs('account'),
    middleware: [authed] as const,
    responses: { 200: jsonAnswer(profileSchema, 'the account'), 401: no('missing, invalid, expired or revoked access token') },
  }), async (c) => {
    const user = c.get('user');
    const profile = await readProfile(deps.pg, user.userId);
    if (!profile) throw new Problem(401, 'account_not_found', 'the account of this access token no longer exists');
    return c.json({ userId: user.userId, role: user.role, ...profile }, 200);
  });

  router.openapi(apiRoute({
    method: 'post', path: '/v1/me/verification-email', summary: 'Mail a new verification link to the account address (rate limited)', tags, security: needs('account'),
    middleware: [authed] as const,
    responses: {
      202: jsonAnswer(verificationQueuedSchema, 'the e-mail is queued'),
      409: no('the address is already verified'),
      429: no('one a minute and five a day per account (Retry-After)'),
    },
  }), async (c) => {
    const status = await emailStatus(deps.pg, c.get('user').userId);
    if (!status) throw new Problem(404, 'account_not_found', 'this account no longer exists');
    if (status.emailVerified) throw new Problem(409, 'email_already_verified', 'this e-mail address is already verified');
    const userId = c.get('user').userId;
    const wait = await deps.verificationLimiter.take(userId);
    if (wait > 0) {
      refuseFor(c, wait, 'too_many_verification_emails', `a verification e-mail was sent recently; ask again in ${wait} s`);
    }
    await deps.verificationMail.enqueue(userId, status.email);
    return c.json({ status: 'queued' as const, email: status.email }, 202);
  });

  router.openapi(apiRoute({
    method: 'get', path: '/v1/me/orders', summary: "The fan's orders: placed while logged in, and guest orders with the account e-mail once it is verified", tags, security: needs('account'),
    middleware: [authed] as const,
    responses: { 200: jsonAnswer(myOrdersSchema, 'orders with their tickets, newest first') },
  }), async (c) => {
    const orders = await listMyOrders(deps.pg, c.get('user').userId);
    return c.json({ orders }, 200);
  });
  return router;
}
