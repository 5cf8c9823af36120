/**
 * Accounts: register, log in, refresh, log out, verify the e-mail address, and the fan's own orders.
 *
 * Guest orders show up by e-mail only once the account has verified that address: registering
 * (or asking again, rate limited) mails a signed link to it, and the link's page posts the token
 * to /v1/auth/verify-email. Until then an account sees only orders placed while logged in, so
 * registering someone else's address reveals nothing of theirs.
 */
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AccessClaims, AccessTokens } from '../../access/access-token.js';
import type { Logger } from '../../common/logger.js';
import type { PgPool } from '../../common/postgres-pool.js';
import { counter } from '../../common/metrics.js';
import { Problem } from '../../common/problem.js';
import { jsonBody } from './http-input.js';
import { hashPassword, verifyPassword, dummyHash } from './password-hash.js';
import { issueRefreshToken, rotateRefreshToken, revokeRefreshFamily } from './refresh-tokens.js';
import type { LoginRateLimiter } from './login-rate-limit.js';
import { requireUser, type AuthDeps, type AuthEnv } from './auth-middleware.js';
import { listMyOrders } from './my-orders.js';
import { credentials, documentAccountRoutes, refreshBody, registration, verifyEmailBody } from './accounts-schemas.js';
import { VerificationTokenError, type EmailVerificationTokens } from './email-verification-token.js';
import { confirmEmail, emailStatus } from './email-verification.js';
import type { VerificationMailLimiter } from './verification-mail-limit.js';

export const ACCESS_TTL_S = 900;
const logins = counter('usher_auth_logins_total', 'login attempts by outcome', ['outcome']);
const verifications = counter('usher_auth_email_verifications_total', 'e-mail verification confirmations by outcome', ['outcome']);

export interface AccountsDeps extends AuthDeps {
  pg: PgPool;
  limiter: LoginRateLimiter;
  clientAddress: (c: Context) => string;
  bodyLimitBytes: number;
  log: Logger;
  verificationTokens: EmailVerificationTokens;
  /** Queues the verification e-mail (the notification worker mints the link and sends it). */
  verificationMail: { enqueue(userId: string, email: string): Promise<unknown> };
  verificationLimiter: VerificationMailLimiter;
}

async function session(pg: PgPool, tokens: AccessTokens, user: AccessClaims, emailVerified: boolean, refreshToken?: string) {
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

export function createAccountsRouter(deps: AccountsDeps): Hono<AuthEnv> {
  documentAccountRoutes();
  const router = new Hono<AuthEnv>();
  router.use('/v1/auth/*', bodyLimit({ maxSize: deps.bodyLimitBytes }));

  router.post('/v1/auth/register', async (c) => {
    const body = await jsonBody(c, registration);
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

  router.post('/v1/auth/login', async (c) => {
    const body = await jsonBody(c, credentials);
    const ip = deps.clientAddress(c);
    const wait = await deps.limiter.blockedFor(body.email, ip);
    if (wait > 0) {
      logins.inc({ outcome: 'limited' });
      c.header('retry-after', String(wait));
      throw new Problem(429, 'too_many_login_attempts', `too many failed attempts; try again in ${wait} s`, { retryAfterS: wait });
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
    return c.json(await session(deps.pg, deps.accessTokens, { userId: user.id, email: user.email, role: user.role }, user.verified));
  });

  router.post('/v1/auth/refresh', async (c) => {
    const body = await jsonBody(c, refreshBody);
    const result = await rotateRefreshToken(deps.pg, body.refreshToken);
    if (!result.ok) throw new Problem(401, `refresh_${result.reason}`, `the refresh token is ${result.reason}; log in again`);
    const { user } = result;
    return c.json(await session(deps.pg, deps.accessTokens, { userId: user.id, email: user.email, role: user.role }, user.emailVerified, result.token));
  });

  // Logout needs no valid access token (it may have expired); it revokes what it is given.
  router.post('/v1/auth/logout', async (c) => {
    const body = await jsonBody(c, refreshBody.partial());
    if (body.refreshToken) await revokeRefreshFamily(deps.pg, body.refreshToken);
    const bearer = /^Bearer (\S{1,4096})$/.exec(c.req.header('authorization') ?? '')?.[1];
    if (bearer) await deps.denylist.deny(bearer);
    return c.body(null, 204);
  });

  // No login needed: the link may be opened on another device than the one that registered.
  // The token is the credential; it only ever verifies the address it was mailed to.
  router.post('/v1/auth/verify-email', async (c) => {
    const body = await jsonBody(c, verifyEmailBody);
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
    return c.json(outcome.status);
  });

  const authed = requireUser(deps);
  router.get('/v1/me', authed, async (c) => {
    const user = c.get('user');
    const status = await emailStatus(deps.pg, user.userId);
    return c.json({ ...user, ...(status ?? { emailVerified: false, emailVerifiedAt: null }) });
  });

  router.post('/v1/me/verification-email', authed, async (c) => {
    const status = await emailStatus(deps.pg, c.get('user').userId);
    if (!status) throw new Problem(404, 'account_not_found', 'this account no longer exists');
    if (status.emailVerified) throw new Problem(409, 'email_already_verified', 'this e-mail address is already verified');
    const userId = c.get('user').userId;
    const wait = await deps.verificationLimiter.take(userId);
    if (wait > 0) {
      c.header('retry-after', String(wait));
      throw new Problem(429, 'too_many_verification_emails', `a verification e-mail was sent recently; ask again in ${wait} s`, { retryAfterS: wait });
    }
    await deps.verificationMail.enqueue(userId, status.email);
    return c.json({ status: 'queued', email: status.email }, 202);
  });

  router.get('/v1/me/orders', authed, async (c) => {
    const orders = await listMyOrders(deps.pg, c.get('user').userId);
    return c.json({ orders });
  });
  return router;
}
