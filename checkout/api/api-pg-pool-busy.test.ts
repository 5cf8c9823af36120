/**
 * Every PostgreSQL connection of the API's pool busy (a rush: checkouts, order polls and the
 * catalog all want one) for longer than PG_POOL_ACQUIRE_TIMEOUT_MS: the waiting checkouts are shed
 * with a documented 503 `overloaded`, a Retry-After and a problem body — never a 500, never an
 * outage's `dependency_down` — nothing is written or lost, and the same request retried with the
 * same Idempotency-Key once connections are free succeeds (the 503 was not remembered as its answer).
 *
 * The pool is filled by this test holding every connection (pool.connect), so which requests wait
 * is certain; the concurrent checkouts then queue behind it in the pool itself.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PoolClient } from 'pg';
import { checkoutWorld, type CheckoutWorld } from '../../test/support/checkout-harness.js';

const POOL_MAX = 3;
const FANS = 8;
let w: CheckoutWorld;
beforeAll(async () => {
  w = await checkoutWorld({ gateway: 'demo', env: { PG_POOL_MAX: String(POOL_MAX), PG_POOL_ACQUIRE_TIMEOUT_MS: '200' } });
}, 60_000);
afterAll(async () => {
  await w?.close();
});

describe('the API when its PostgreSQL pool is saturated', () => {
  it('sheds checkouts with 503 overloaded + Retry-After, loses nothing, and the retry with the same key succeeds', async () => {
    const fans = await Promise.all(Array.from({ length: FANS }, async (_, i) => {
      const pass = await w.admit();
      const held = await w.json('POST', `/v1/sales/${w.sale.saleId}/holds`, { token: pass.token, body: { kind: 'best', sectionId: w.sale.sectionIds['Block A'], quantity: 1 } });
      expect(held.status, JSON.stringify(held.body)).toBe(201);
      return { pass, holdId: held.body.holdId as string, key: `checkout-${i}` };
    }));
    const checkout = (f: (typeof fans)[number]) =>
      w.json('POST', `/v1/holds/${f.holdId}/checkout`, { token: f.pass.token, body: { email: 'fan@example.com' }, headers: { 'idempotency-key': f.key } });

    const taken: PoolClient[] = await Promise.all(Array.from({ length: POOL_MAX }, () => w.ctx.pg.connect()));
    let shed;
    try {
      shed = await Promise.all(fans.map(checkout));
    } finally {
      for (const client of taken) client.release();
    }
    for (const res of shed) {
      expect(res.status, JSON.stringify(res.body)).toBe(503);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(res.headers.get('retry-after')).toBe('2');
      expect(res.body).toMatchObject({ type: 'https://usher.dev/problems/overloaded', status: 503, code: 'overloaded', reason: 'pg_pool', retryAfter: 2 });
    }
    // shed before anything was written: the holds are as they were, no payment exists
    for (const f of fans) expect((await w.deps.inventory.getHold(f.holdId))?.state).toBe('HELD');
    const ids = fans.map((f) => f.holdId);
    const none = await w.ctx.pg.query<{ n: number }>('SELECT count(*)::int AS n FROM payments WHERE hold_id = ANY($1::text[])', [ids]);
    expect(none.rows[0]!.n).toBe(0);

    // the fans retry with the same key (the 503 was not stored as its answer), at once, not after a
    // cache's error TTL (a pool's wait timing out is not remembered as the sale's gateways or
    // prices); one after the other, so each finds the pool's connections free (all at once, some
    // would rightly be shed again)
    for (const f of fans) {
      const res = await checkout(f);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    }
    const paid = await w.ctx.pg.query<{ n: number }>('SELECT count(DISTINCT hold_id)::int AS n FROM payments WHERE hold_id = ANY($1::text[])', [ids]);
    expect(paid.rows[0]!.n).toBe(FANS);
    for (const f of fans) expect((await w.deps.inventory.getHold(f.holdId))).toMatchObject({ state: 'HELD', extended: true });
  }, 60_000);
});
