/**
 * Accounts: register, log in, refresh, log out, and the fan's own orders.
 *
 * Guest orders show up by e-mail once an account with that e-mail exists. Without e-mail
 * verification that lets anyone who registers a fan's address read that fan's guest orders; the
 * lead should add a verification step (a mailed link) before this is exposed publicly.
 */
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import type { AccessClaims, AccessTokens } from '../../common/access-token.js';
import type { PgPool } from '../../common/postgres-pool.js';
import { counter } from '../../common/metrics.js';
import { Problem } from '../../common/problem.js';
import { jsonBody } from './http-input.js';
import { hashPassword, verifyPassword, dummyHash } from './password-hash.js';
import { issueRefreshToken, rotateRefreshToken, revokeRefreshFamily } from './refresh-tokens.js';
import type { LoginRateLimiter } from './login-rate-limit.js';
import { requireUser, type AuthDeps, type AuthEnv } from './auth-middleware.js';
import { listMyOrders } from './my-orders.js';

export const ACCESS_TTL_S = 900;
const logins = counter('usher_auth_logins_total', 'login attempts by outcome', ['outcome']);

const email = z.email().max(254).transform((e) => e.trim());
const credentials = z.object({ email, password: z.string().min(1).max(200) }).strict();
const registration = z.object({ email, password: z.string().min(10, 'use at least 10 characters').max(200) }).strict();
const refreshBody = z.object({ refreshToken: z.string().min(20).max(200) }).strict();
const uuid = z.uuid();

export interface AccountsDeps extends AuthDeps {
  pg: PgPool;
  limiter: LoginRateLimiter;
  clientAddress: (c: Context) => string;
  bodyLimitBytes: number;
}

async function session(pg: PgPool, tokens: AccessTokens, user: AccessClaims, refreshToken?: string) {
  return {
    accessToken: await tokens.sign(user, ACCESS_TTL_S),
    refreshToken: refreshToken ?? (await issueRefreshToken(pg, user.userId)),
    tokenType: 'Bearer',
    expiresIn: ACCESS_TTL_S,
    user: { id: user.userId, email: user.email, role: user.role },
  };
}

export function createAccountsRouter(deps: AccountsDeps): Hono<AuthEnv> {
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
    return c.json(await session(deps.pg, deps.tokens, { userId: row.id, email: body.email, role: row.role }), 201);
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
    const { rows } = await deps.pg.query<{ id: string; email: string; role: 'fan' | 'admin'; password_hash: string | null }>(
      'SELECT id, email, role, password_hash FROM users WHERE lower(email) = lower($1)', [body.email]);
    const user = rows[0];
    const ok = await verifyPassword(body.password, user?.password_hash ?? (await dummyHash()));
    if (!user || !user.password_hash || !ok) {
      await deps.limiter.recordFailure(body.email, ip);
      logins.inc({ outcome: 'failed' });
      throw new Problem(401, 'invalid_credentials', 'wrong e-mail or password');
    }
    await deps.limiter.recordSuccess(body.email, ip);
    logins.inc({ outcome: 'ok' });
    return c.json(await session(deps.pg, deps.tokens, { userId: user.id, email: user.email, role: user.role }));
  });

  router.post('/v1/auth/refresh', async (c) => {
    const body = await jsonBody(c, refreshBody);
    const result = await rotateRefreshToken(deps.pg, body.refreshToken);
    if (!result.ok) throw new Problem(401, `refresh_${result.reason}`, `the refresh token is ${result.reason}; log in again`);
    const { user } = result;
    return c.json(await session(deps.pg, deps.tokens, { userId: user.id, email: user.email, role: user.role }, result.token));
  });

  // Logout needs no valid access token (it may have expired); it revokes what it is given.
  router.post('/v1/auth/logout', async (c) => {
    const body = await jsonBody(c, refreshBody.partial());
    if (body.refreshToken) await revokeRefreshFamily(deps.pg, body.refreshToken);
    const bearer = /^Bearer (\S{1,4096})$/.exec(c.req.header('authorization') ?? '')?.[1];
    if (bearer) await deps.denylist.deny(bearer);
    return c.body(null, 204);
  });

  const authed = requireUser(deps);
  router.get('/v1/me', authed, (c) => c.json(c.get('user')));
  router.get('/v1/me/orders', authed, async (c) => {
    const user = c.get('user');
    // the static operator identity has no user row: match by e-mail only
    const orders = await listMyOrders(deps.pg, { userId: uuid.safeParse(user.userId).success ? user.userId : '00000000-0000-0000-0000-000000000000', email: user.email });
    return c.json({ orders });
  });
  return router;
}
