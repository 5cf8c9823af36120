/**
 * The API trusts an account's role as PostgreSQL has it now, not the access token's claim: a
 * demoted organiser loses the admin routes and a deleted account every route once the role cache
 * (shortened here) lets go; a token without `exp` is never accepted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT } from 'jose';
import { ACCESS_ISSUER } from '../../access/access-token.js';
import { accountRoles } from '../../access/account-roles.js';
import { apiHarness, bearer, type ApiHarness } from '../../test/support/api-test-context.js';
import { adminToken, call } from '../../test/support/admin-test-kit.js';
import { adminRoutes } from '../admin/admin-module.js';
import { accountsRoutes } from './accounts-module.js';

const SECRET = 'test-secret-test-secret-test-secret-0123';
const ROLE_TTL_MS = 100;
let h: ApiHarness;
beforeAll(async () => {
  h = await apiHarness([adminRoutes, (s) => accountsRoutes(s)], {}, undefined, (ctx) => ({ accountRoles: accountRoles(ctx.pg, { ttlMs: ROLE_TTL_MS }) }));
});
afterAll(() => h?.close());

const userIdOf = async (token: string): Promise<string> => ((await (await h.app.request('/v1/me', { headers: bearer(token) })).json()) as { userId: string }).userId;

async function statusBecomes(expected: number, request: () => Promise<{ status: number }>): Promise<{ status: number }> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const res = await request();
    if (res.status === expected || Date.now() > deadline) return res;
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('admin routes and the account\'s current role', () => {
  it('answers 403 to an admin demoted after the token was issued, once the role cache expires', async () => {
    const token = await adminToken(h.services);
    expect((await call(h.app, token, 'GET', '/v1/admin/venues')).status).toBe(200);
    await h.db.pool.query(`UPDATE users SET role = 'fan' WHERE id = $1`, [await userIdOf(token)]);
    const res = await statusBecomes(403, () => call(h.app, token, 'GET', '/v1/admin/venues'));
    expect(res).toMatchObject({ status: 403, body: { code: 'admin_only' } });
    // the token itself is still valid: the fan routes keep working, with the current role
    const me = await h.app.request('/v1/me', { headers: bearer(token) });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ role: 'fan' });
  });

  it('answers 401 on every route to a deleted account, once the role cache expires', async () => {
    const token = await adminToken(h.services);
    const userId = await userIdOf(token);
    expect((await call(h.app, token, 'GET', '/v1/admin/venues')).status).toBe(200);
    await h.db.pool.query('DELETE FROM refresh_tokens WHERE user_id = $1', [userId]);
    await h.db.pool.query('DELETE FROM users WHERE id = $1', [userId]);
    expect(await statusBecomes(401, () => call(h.app, token, 'GET', '/v1/admin/venues'))).toMatchObject({ status: 401, body: { code: 'account_not_found' } });
    expect((await h.app.request('/v1/me', { headers: bearer(token) })).status).toBe(401);
  });

  it('refuses a token without exp with 401, however genuine its signature and claims', async () => {
    const token = await adminToken(h.services);
    const userId = await userIdOf(token);
    const forever = await new SignJWT({ email: 'admin@usher.local', role: 'admin' })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setIssuer(ACCESS_ISSUER).setSubject(userId).setIssuedAt()
      .sign(new TextEncoder().encode(SECRET));
    expect((await call(h.app, forever, 'GET', '/v1/admin/venues')).status).toBe(401);
    expect((await h.app.request('/v1/me', { headers: bearer(forever) })).status).toBe(401);
  });
});
