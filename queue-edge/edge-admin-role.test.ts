/**
 * The edge's live controls trust an organiser's current role in PostgreSQL (the same check as the
 * API's admin routes, access/account-roles.ts), not the access token's claim: a demoted or deleted
 * admin loses the controls once the role cache (shortened here) lets go.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessTokens } from '../access/access-token.js';
import { freshDatabase, newRedis, uniqueId, type FreshDatabase } from '../test/support/databases.js';
import { startTestEdge, createSale, type TestEdge } from '../test/support/edge-test-harness.js';

const SECRET = 'edge-admin-role-secret-0123456789abcdef';
const redis = newRedis();
let db: FreshDatabase;
let edge: TestEdge;
beforeAll(async () => {
  db = await freshDatabase();
  edge = await startTestEdge({ AUTH_JWT_SECRET: SECRET }, { pg: db.pool, accountRoleTtlMs: 50 });
});
afterAll(async () => {
  await edge?.close();
  await db?.drop();
  redis.disconnect();
});

async function adminToken(): Promise<{ token: string; userId: string }> {
  const email = `${uniqueId('admin')}@usher.local`;
  const { rows } = await db.pool.query<{ id: string }>(`INSERT INTO users (email, role) VALUES ($1, 'admin') RETURNING id`, [email]);
  return { token: await accessTokens(SECRET).sign({ userId: rows[0]!.id, email, role: 'admin' }), userId: rows[0]!.id };
}

const pause = (saleId: string, token: string) => fetch(`${edge.url}/v1/sales/${saleId}/controls`, {
  method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{"action":"pause"}',
});

async function statusBecomes(expected: number, request: () => Promise<Response>): Promise<number> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const { status } = await request();
    if (status === expected || Date.now() > deadline) return status;
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('edge controls and the organiser\'s current role', () => {
  it('refuses a demoted admin and a deleted one (403), after admitting them while they were admins', async () => {
    const saleId = await createSale(redis);
    const demoted = await adminToken();
    const deleted = await adminToken();
    expect((await pause(saleId, demoted.token)).status).toBe(200);
    expect((await pause(saleId, deleted.token)).status).toBe(200);
    await db.pool.query(`UPDATE users SET role = 'fan' WHERE id = $1`, [demoted.userId]);
    await db.pool.query('DELETE FROM users WHERE id = $1', [deleted.userId]);
    expect(await statusBecomes(403, () => pause(saleId, demoted.token))).toBe(403);
    expect(await statusBecomes(403, () => pause(saleId, deleted.token))).toBe(403);
  });
});
