/**
 * Loyalty points against real PostgreSQL and Redis: spent at checkout (two checkouts spending the
 * same points: one wins, and with the guard dropped both do), earned once per confirmed order
 * whatever the retries, reversed on refund, an append-only ledger.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkoutWorld, type CheckoutWorld } from '../../test/support/checkout-harness.js';
import { orderStatusOf, until } from '../../test/support/checkout-flow.js';
import { startCommitWorker, type RunningWorker } from '../worker/commit/commit-worker.js';
import { commitHold } from '../worker/commit/commit-hold.js';
import { cancelOrder } from '../orders/order-cancellation.js';

let w: CheckoutWorld;
let worker: RunningWorker;
beforeAll(async () => {
  w = await checkoutWorld({ gateway: 'demo', sale: { rows: 0, gaCapacity: 300, shardCount: 2 }, env: { PG_POOL_MAX: '20', LOYALTY_EARN_BPS: '500' } });
  worker = startCommitWorker(w.deps, { concurrency: 4 });
});
afterAll(async () => {
  await worker?.close();
  await w?.close();
});

let userSeq = 0;
async function account(points = 0) {
  const email = `points${++userSeq}@example.com`;
  const { rows } = await w.ctx.pg.query<{ id: string }>(`INSERT INTO users (email, password_hash) VALUES ($1, 'x') RETURNING id`, [email]);
  const userId = rows[0]!.id;
  if (points > 0) await w.ctx.pg.query(`SELECT loyalty_post($1, $2, 'earn', $3)`, [userId, `seed-${userId}`, points]);
  return { userId, email, token: await w.deps.accessTokens.sign({ userId, email, role: 'fan' }) };
}

async function held(quantity = 1) {
  const pass = await w.admit();
  const h = await w.json('POST', `/v1/sales/${w.sale.saleId}/holds`, { token: pass.token, body: { kind: 'best', sectionId: w.sale.sectionIds.Floor, quantity } });
  expect(h.status, JSON.stringify(h.body)).toBe(201);
  return { pass, holdId: h.body.holdId as string };
}

const checkout = (h: { pass: { token: string }; holdId: string }, acct: { email: string; token: string } | null, body: Record<string, unknown>) =>
  w.json('POST', `/v1/holds/${h.holdId}/checkout`, { token: h.pass.token, body: { email: acct?.email ?? 'guest@example.com', ...body }, headers: acct ? { 'x-usher-account': acct.token } : {} });

async function balance(userId: string): Promise<{ balance: number; ledgerSum: number }> {
  const { rows } = await w.ctx.pg.query<{ balance: number; sum: number }>(
    `SELECT coalesce((SELECT balance FROM loyalty_accounts WHERE user_id = $1), 0) AS balance,
            coalesce((SELECT sum(delta)::int FROM loyalty_ledger WHERE user_id = $1), 0) AS sum`, [userId]);
  return { balance: rows[0]!.balance, ledgerSum: rows[0]!.sum };
}

async function spendRace(n: number) {
  const acct = await account(1000);
  const holds = await Promise.all(Array.from({ length: n }, () => held()));
  const answers = await Promise.all(holds.map((h) => checkout(h, acct, { points: 1000 })));
  return { acct, answers };
}

describe('spending points', () => {
  it('20 checkouts spending the same 1000 points at once: exactly one wins, the balance is 0, the ledger agrees', async () => {
    const { acct, answers } = await spendRace(20);
    const ok = answers.filter((a) => a.status === 200);
    expect(ok).toHaveLength(1);
    expect(ok[0]!.body.breakdown).toMatchObject({ pointsSpent: 1000, pointsDiscountMinor: 1000, totalMinor: 3500 });
    expect(answers.filter((a) => a.status === 409).every((a) => a.body.code === 'points_insufficient')).toBe(true);
    expect(answers.filter((a) => a.status !== 200 && a.status !== 409)).toEqual([]);
    expect(await balance(acct.userId)).toEqual({ balance: 0, ledgerSum: 0 });
  });

  it('points need an account, and are capped at the tickets (fees are not discounted)', async () => {
    expect((await checkout(await held(), null, { points: 10 })).body.code).toBe('points_need_account');
    const acct = await account(100_000);
    const h = await held();
    const quote = await w.json('POST', `/v1/holds/${h.holdId}/quote`, { token: h.pass.token, body: { points: 100_000 }, headers: { 'x-usher-account': acct.token } });
    expect(quote.status, JSON.stringify(quote.body)).toBe(200);
    expect(quote.body).toMatchObject({ ticketsMinor: 4500, pointsSpent: 4500, totalMinor: 0 });
    // nothing left to pay (this sale has no fee): refused before any gateway, the points stay
    const co = await checkout(h, acct, { points: 100_000 });
    expect(co.status).toBe(422);
    expect(co.body).toMatchObject({ code: 'zero_total', pointsSpent: 4500 });
    expect((await balance(acct.userId)).balance).toBe(100_000);
    const some = await checkout(h, acct, { points: 4000 });
    expect(some.body.breakdown).toMatchObject({ ticketsMinor: 4500, pointsSpent: 4000, totalMinor: 500 });
    expect((await balance(acct.userId)).balance).toBe(96_000);
  });
});

describe('earning and reversing', () => {
  it('a confirmed order earns once (5% of the total paid) whatever the retries; a refund reverses it and returns the points spent', async () => {
    const acct = await account(500);
    const h = await held(2);
    const co = await checkout(h, acct, { points: 500 });
    expect(co.status, JSON.stringify(co.body)).toBe(200);
    expect(co.body.amountMinor).toBe(9000 - 500);
    expect((await w.json('POST', `/v1/holds/${h.holdId}/demo-pay`, { token: h.pass.token })).status).toBe(202);
    await until('order confirmed', async () => (await orderStatusOf(w, h.holdId)) === 'confirmed');
    // retries of every kind: the job again, the commit step again, the hook again, all at once
    await Promise.all([
      commitHold(w.deps, h.holdId, w.ctx.log), commitHold(w.deps, h.holdId, w.ctx.log),
      w.deps.pricing.afterConfirmed(h.holdId), w.deps.pricing.afterConfirmed(h.holdId), w.deps.commits.enqueue(h.holdId, { jobIdSuffix: 'retry' }),
    ]);
    await until('earned', async () => (await w.ctx.pg.query(`SELECT 1 FROM loyalty_ledger WHERE hold_id = $1 AND kind = 'earn'`, [h.holdId])).rowCount === 1);
    await new Promise((r) => setTimeout(r, 300));
    const earned = Math.floor((8500 * 500) / 10_000);
    const entries = await w.ctx.pg.query<{ kind: string; delta: number }>(`SELECT kind, delta FROM loyalty_ledger WHERE hold_id = $1 ORDER BY id`, [h.holdId]);
    expect(entries.rows).toEqual([{ kind: 'spend', delta: -500 }, { kind: 'earn', delta: earned }]);
    expect(await balance(acct.userId)).toEqual({ balance: earned, ledgerSum: earned });

    const me = await w.json('GET', '/v1/me/loyalty', { headers: { authorization: `Bearer ${acct.token}` } });
    expect(me.status).toBe(200);
    expect(me.body.balance).toBe(earned);
    expect(me.body.entries.map((e: { kind: string }) => e.kind)).toEqual(['earn', 'spend', 'earn']);

    // cancelled twice at once: the refund is what was paid; the earn reversed, the spend returned, once
    const [a, b] = await Promise.all([cancelOrder(w.cancellation, h.holdId, 'fan_request'), cancelOrder(w.cancellation, h.holdId, 'fan_request')]);
    expect([a.refundMinor, b.refundMinor]).toEqual([8500, 8500]);
    const refund = await w.ctx.pg.query<{ amount_minor: number }>('SELECT amount_minor FROM refunds WHERE order_id = $1', [h.holdId]);
    expect(refund.rows[0]!.amount_minor).toBe(8500);
    const after = await w.ctx.pg.query<{ kind: string; delta: number }>(`SELECT kind, delta FROM loyalty_ledger WHERE hold_id = $1 ORDER BY id`, [h.holdId]);
    expect(after.rows).toEqual([{ kind: 'spend', delta: -500 }, { kind: 'earn', delta: earned }, { kind: 'earn_reversed', delta: -earned }, { kind: 'spend_returned', delta: 500 }]);
    expect(await balance(acct.userId)).toEqual({ balance: 500, ledgerSum: 500 });
  });

  it('the ledger is append-only', async () => {
    await expect(w.ctx.pg.query(`UPDATE loyalty_ledger SET delta = 1000000`)).rejects.toThrow(/append-only/);
  });
});

// Last: it changes the schema of this file's database.
describe('the guard', () => {
  it('without the balance checks the same race spends the points more than once: the test above would catch it', async () => {
    await w.ctx.pg.query('ALTER TABLE loyalty_accounts DROP CONSTRAINT loyalty_balance_not_negative');
    await w.ctx.pg.query('ALTER TABLE loyalty_ledger DROP CONSTRAINT loyalty_ledger_balance_after_check');
    const { acct, answers } = await spendRace(20);
    expect(answers.filter((a) => a.status === 200).length).toBeGreaterThan(1);
    expect((await balance(acct.userId)).balance).toBeLessThan(0);
  });
});
