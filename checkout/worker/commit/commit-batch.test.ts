/**
 * Group commit keeps exactly once: a batch with a bad hold, a duplicate and a hold not yet paid
 * settles each on its own; worker processes killed in the middle of batches, with every job
 * duplicated and two workers racing on the rest, still end with one order, one capture and SOLD
 * seats per paid hold. Real Redis, Postgres, BullMQ and the Stripe stand-in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkoutWorld, type CheckoutWorld } from '../../../test/support/checkout-harness.js';
import { orderStatusOf, startPurchase, until } from '../../../test/support/checkout-flow.js';
import { spawnCommitWorker } from '../../../test/support/checkout-worker-process.js';
import { leaseIsActive } from '../../../admission/pass-lease.js';
import { commitHolds } from './commit-hold.js';

let w: CheckoutWorld;
beforeAll(async () => {
  w = await checkoutWorld({ gateway: 'stripe', sale: { rows: 10, seatsPerRow: 10, shardCount: 2 } });
});
afterAll(() => w.close());

async function paidHolds(n: number): Promise<Awaited<ReturnType<typeof startPurchase>>[]> {
  const bought = [];
  for (let i = 0; i < n; i++) {
    const b = await startPurchase(w);
    w.stripe!.authorize(b.paymentIntentId);
    bought.push(b);
  }
  return bought;
}

/** Every paid hold: one confirmed order, its two live tickets, one capture, seats SOLD, lease ended; and the audit clean. */
async function expectSoldOnce(bought: Awaited<ReturnType<typeof startPurchase>>[]): Promise<void> {
  const ids = bought.map((b) => b.holdId);
  const { rows: [o] } = await w.ctx.pg.query<{ n: number; confirmed: number }>(
    `SELECT count(*)::int AS n, count(*) FILTER (WHERE status = 'confirmed')::int AS confirmed FROM orders WHERE id = ANY($1)`, [ids]);
  expect(o).toEqual({ n: bought.length, confirmed: bought.length });
  const { rows: [t] } = await w.ctx.pg.query<{ n: number }>(`SELECT count(*)::int AS n FROM tickets WHERE order_id = ANY($1) AND status = 'live'`, [ids]);
  expect(t!.n).toBe(2 * bought.length);
  const { rows: [p] } = await w.ctx.pg.query<{ n: number }>(`SELECT count(*)::int AS n FROM payments WHERE hold_id = ANY($1) AND status = 'captured'`, [ids]);
  expect(p!.n).toBe(bought.length);
  for (const b of bought) {
    expect(w.stripe!.count('capture', b.paymentIntentId), b.holdId).toBe(1);
    expect((await w.deps.inventory.getHold(b.holdId))?.state, b.holdId).toBe('SOLD');
    expect(await leaseIsActive(w.ctx.redis, w.sale.saleId, b.pass.jti)).toBe(false);
  }
  expect((await w.deps.inventory.audit(w.sale.saleId)).violations).toEqual([]);
}

describe('group commit', () => {
  it('one batch: a seat conflict, a duplicate and an unpaid hold each settle alone; the others are sold once', async () => {
    const bought = await paidHolds(5);
    const [bad, ...good] = bought as [typeof bought[0], ...typeof bought];
    // Postgres already has a live ticket for one seat of `bad` (Redis and Postgres disagree): the
    // batch's one statement fails on it, and must not take the others down with it
    const seat = bad.items[0]!;
    const rivalId = `rival-${bad.holdId}`;
    await w.ctx.pg.query(
      `WITH o AS (INSERT INTO orders (id, sale_id, event_id, email, payment_intent_id, amount_minor, currency, status)
                  VALUES ($1, $2, $3, 'other@example.com', $4, 0, 'EUR', 'confirmed') RETURNING id)
       INSERT INTO tickets (order_id, event_id, section_id, seat_id, tier_code, price_minor)
       SELECT o.id, $3, $5::uuid, $6, 'P1', 0 FROM o`,
      [rivalId, w.sale.saleId, w.sale.eventId, `pi_rival_${bad.holdId}`, w.sale.sectionIds['Block A'], seat.seatId],
    );
    const unpaid = 'no-payment-row.0.hold';
    const results = await commitHolds(w.deps, [...bought.map((b) => b.holdId), good[0]!.holdId, unpaid], w.ctx.log);

    for (const g of good) expect(results.get(g.holdId), g.holdId).toEqual({ status: 'fulfilled', value: 'confirmed' });
    expect(results.get(bad.holdId)).toEqual({ status: 'fulfilled', value: 'seat_conflict_payment_cancelled' });
    expect(results.get(unpaid)?.status).toBe('rejected');
    // the disagreement planted above is the audit's to report until it is resolved: the rival
    // ticket goes and the refused hold's seats go back
    await w.ctx.pg.query(`UPDATE tickets SET status = 'void', voided_at = now() WHERE order_id = $1`, [rivalId]);
    await w.deps.inventory.unclaim(bad.holdId);
    await expectSoldOnce(good);
    expect(await orderStatusOf(w, bad.holdId)).toBeUndefined();
    expect(w.stripe!.count('capture', bad.paymentIntentId)).toBe(0);
    expect(w.stripe!.intents.get(bad.paymentIntentId)?.status).toBe('canceled');

    // the same batch again: nothing is written or charged twice
    const again = await commitHolds(w.deps, good.map((g) => g.holdId), w.ctx.log);
    for (const g of good) expect(again.get(g.holdId)).toEqual({ status: 'fulfilled', value: 'already_confirmed' });
    await expectSoldOnce(good);
  });

  it('workers SIGKILLed in the middle of batches, every job duplicated, two workers on the rest: each paid hold sold and charged once', async () => {
    const bought = await paidHolds(16);
    // every hold twice (a webhook and the reconciler): two jobs, possibly in two batches at once
    for (const b of bought) {
      await w.deps.commits.enqueue(b.holdId);
      await w.deps.commits.enqueue(b.holdId, { jobIdSuffix: 'dup' });
    }
    const batchEnv = { ...w.env, COMMIT_BATCH_MAX: '6', COMMIT_BATCH_WAIT_MS: '50', USHER_TEST_LOCK_MS: '2000' };
    // dies at the first finalize: its batches have written their orders (and some captured) but
    // none is confirmed
    const doomed = await spawnCommitWorker({ ...batchEnv, USHER_TEST_KILL_AT_FINALIZE: '1' });
    expect((await doomed.exited).signal).toBe('SIGKILL');
    const { rows: [mid] } = await w.ctx.pg.query<{ committed: number; confirmed: number }>(
      `SELECT count(*) FILTER (WHERE status = 'committed')::int AS committed, count(*) FILTER (WHERE status = 'confirmed')::int AS confirmed
       FROM orders WHERE id = ANY($1)`, [bought.map((b) => b.holdId)]);
    expect(mid!.confirmed).toBe(0);
    expect(mid!.committed).toBeGreaterThanOrEqual(2);

    const workers = await Promise.all([spawnCommitWorker(batchEnv), spawnCommitWorker(batchEnv)]);
    try {
      await until('every order confirmed', async () => {
        const { rows: [c] } = await w.ctx.pg.query<{ n: number }>(`SELECT count(*)::int AS n FROM orders WHERE id = ANY($1) AND status = 'confirmed'`, [bought.map((b) => b.holdId)]);
        return c!.n === bought.length;
      }, 40_000);
      // and the duplicates finish too (each a no-op)
      await until('no commit job left', async () => {
        const counts = await w.deps.commits.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
        return Object.values(counts).every((n) => n === 0);
      }, 40_000);
    } finally {
      await Promise.all(workers.map((x) => x.stop()));
    }
    expect(await w.deps.commits.queue.getJobCounts('failed')).toEqual({ failed: 0 });
    await expectSoldOnce(bought);
  }, 120_000);
});
