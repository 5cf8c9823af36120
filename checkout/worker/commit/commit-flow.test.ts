/**
 * The paid path end to end with the real Stripe SDK against the stand-in, real Redis and Postgres,
 * and the commit worker consuming the real BullMQ queue.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leaseIsActive } from '../../../admission/pass-lease.js';
import { checkoutWorld, type CheckoutWorld } from '../../../test/support/checkout-harness.js';
import { deliver, orderStatusOf, paymentStatusOf, startPurchase, until } from '../../../test/support/checkout-flow.js';
import { startCommitWorker, type RunningWorker } from './commit-worker.js';
import { commitJobId } from './commit-queue.js';
import { listMyOrders } from '../../accounts/my-orders.js';

let w: CheckoutWorld;
let worker: RunningWorker;
beforeAll(async () => {
  w = await checkoutWorld({ gateway: 'stripe' });
  worker = startCommitWorker(w.deps, { concurrency: 4 });
});
afterAll(async () => {
  await worker.close();
  await w.close();
});

describe('paying for a hold', () => {
  it('creates one manual-capture PaymentIntent per hold and grants the payment grace once', async () => {
    const b = await startPurchase(w);
    const hold1 = await w.deps.inventory.getHold(b.holdId);
    const again = await w.json('POST', `/v1/holds/${b.holdId}/checkout`, { token: b.pass.token, body: { email: 'fan@example.com' } });
    expect(again.body.paymentIntentId).toBe(b.paymentIntentId);
    expect((await w.deps.inventory.getHold(b.holdId))!.deadlineMs).toBe(hold1!.deadlineMs);
    expect(hold1!.extended).toBe(true);
    expect(w.stripe!.intents.get(b.paymentIntentId)).toMatchObject({ capture_method: 'manual', amount: 24000, currency: 'eur' });
    expect(w.stripe!.count('create')).toBeGreaterThanOrEqual(1);
  });

  it('commits once when the webhook arrives 3 times and out of order: one order, captured once, seats SOLD, lease ended', async () => {
    const b = await startPurchase(w);
    // a stale "failed" event about an earlier attempt arrives after the authorization
    w.stripe!.authorize(b.paymentIntentId, 'declined');
    const stale = w.stripe!.event('payment_intent.payment_failed', b.paymentIntentId);
    w.stripe!.authorize(b.paymentIntentId);
    const answers = await Promise.all([
      deliver(w, 'payment_intent.amount_capturable_updated', b.paymentIntentId),
      deliver(w, 'payment_intent.amount_capturable_updated', b.paymentIntentId),
      w.json('POST', '/v1/webhooks/stripe', { body: stale.payload, headers: { 'stripe-signature': stale.signature } }),
      deliver(w, 'payment_intent.amount_capturable_updated', b.paymentIntentId),
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    // the same event id again is a duplicate
    const replayed = await w.json('POST', '/v1/webhooks/stripe', { body: stale.payload, headers: { 'stripe-signature': stale.signature } });
    expect(replayed.body.duplicate).toBe(true);

    await until('order confirmed', async () => (await orderStatusOf(w, b.holdId)) === 'confirmed');
    await deliver(w, 'payment_intent.succeeded', b.paymentIntentId);
    const orders = await w.ctx.pg.query('SELECT count(*)::int AS n FROM orders WHERE id = $1', [b.holdId]);
    const tickets = await w.ctx.pg.query(`SELECT count(*)::int AS n FROM tickets WHERE order_id = $1 AND status = 'live'`, [b.holdId]);
    expect(orders.rows[0].n).toBe(1);
    expect(tickets.rows[0].n).toBe(2);
    expect(w.stripe!.count('capture', b.paymentIntentId)).toBe(1);
    expect((await paymentStatusOf(w, b.holdId))?.status).toBe('captured');
    expect((await w.deps.inventory.getHold(b.holdId))?.state).toBe('SOLD');
    expect(await leaseIsActive(w.ctx.redis, w.sale.saleId, b.pass.jti)).toBe(false);
    const job = await w.deps.commits.queue.getJob(commitJobId(b.holdId));
    expect(await job?.getState()).toBe('completed');
    const order = await w.json('GET', `/v1/orders/${b.holdId}`, { token: b.orderToken });
    expect(order.body).toMatchObject({ status: 'confirmed', amountMinor: 24000 });
    expect(order.body.tickets).toHaveLength(2);
  });

  it('refuses webhooks with a bad signature and changes nothing', async () => {
    const b = await startPurchase(w);
    w.stripe!.authorize(b.paymentIntentId);
    const ev = w.stripe!.event('payment_intent.amount_capturable_updated', b.paymentIntentId);
    const forged = await w.json('POST', '/v1/webhooks/stripe', { body: ev.payload.replace('"livemode":false', '"livemode":true'), headers: { 'stripe-signature': ev.signature } });
    expect([forged.status, forged.body.code]).toEqual([400, 'webhook_signature']);
    expect((await w.json('POST', '/v1/webhooks/stripe', { body: ev.payload })).status).toBe(400);
    expect(await w.deps.commits.queue.getJob(commitJobId(b.holdId))).toBeUndefined();
  });

  it('cancels the PaymentIntent when the authorization arrives after the hold expired and its seats were sold', async () => {
    const b = await startPurchase(w, { kind: 'best', sectionId: w.sale.sectionIds['Block A'], quantity: 1 });
    // the hold expires (sweeper in the future) and another fan takes the very same seat
    await w.deps.inventory.sweep(Date.now() + 3_600_000, [w.sale.saleId]);
    const rival = await w.admit();
    const taken = await w.json('POST', `/v1/sales/${w.sale.saleId}/holds`, { token: rival.token, body: { kind: 'seats', seatIds: [b.items[0]!.seatId] } });
    expect(taken.status).toBe(201);

    w.stripe!.authorize(b.paymentIntentId);
    expect((await deliver(w, 'payment_intent.amount_capturable_updated', b.paymentIntentId)).status).toBe(200);
    await until('payment cancelled', async () => (await paymentStatusOf(w, b.holdId))?.status === 'cancelled');
    expect(w.stripe!.intents.get(b.paymentIntentId)?.status).toBe('canceled');
    expect(w.stripe!.count('capture', b.paymentIntentId)).toBe(0);
    expect(await orderStatusOf(w, b.holdId)).toBeUndefined();
    // the fan is told, on the hold and on the order page
    expect((await w.json('GET', `/v1/holds/${b.holdId}`, { token: b.pass.token })).body).toMatchObject({ state: 'LOST', payment: { status: 'cancelled', failureReason: 'hold_lost' } });
    expect((await w.json('GET', `/v1/orders/${b.holdId}`, { token: b.orderToken })).body.status).toBe('payment_cancelled');
  });

  it('commits through the client confirm path too, and answers 409 before the card is authorized', async () => {
    const b = await startPurchase(w);
    const early = await w.json('POST', `/v1/holds/${b.holdId}/confirm`, { token: b.pass.token });
    expect([early.status, early.body.code]).toEqual([409, 'payment_not_authorized']);
    w.stripe!.authorize(b.paymentIntentId);
    const ok = await w.json('POST', `/v1/holds/${b.holdId}/confirm`, { token: b.pass.token });
    expect(ok.status).toBe(202);
    await until('order confirmed', async () => (await orderStatusOf(w, b.holdId)) === 'confirmed');
  });
});

describe('cancelling an order', () => {
  it('refunds exactly once when cancel is requested twice at once, voids tickets and restocks the seats', async () => {
    const b = await startPurchase(w);
    w.stripe!.authorize(b.paymentIntentId);
    await deliver(w, 'payment_intent.amount_capturable_updated', b.paymentIntentId);
    await until('order confirmed', async () => (await orderStatusOf(w, b.holdId)) === 'confirmed');
    const [x, y] = await Promise.all([
      w.json('POST', `/v1/orders/${b.holdId}/cancel`, { token: b.orderToken }),
      w.json('POST', `/v1/orders/${b.holdId}/cancel`, { token: b.orderToken }),
    ]);
    expect([x.status, y.status]).toEqual([200, 200]);
    expect([x.body.status, y.body.status].sort()).toEqual(['already_cancelled', 'cancelled']);
    expect(x.body.refundMinor).toBe(24000);
    expect(y.body.refundMinor).toBe(24000);
    const refunds = await w.ctx.pg.query(`SELECT status, amount_minor FROM refunds WHERE order_id = $1`, [b.holdId]);
    expect(refunds.rows).toEqual([{ status: 'succeeded', amount_minor: 24000 }]);
    expect(w.stripe!.count('refund', b.paymentIntentId)).toBe(1);
    const live = await w.ctx.pg.query(`SELECT count(*)::int AS n FROM tickets WHERE order_id = $1 AND status = 'live'`, [b.holdId]);
    expect(live.rows[0].n).toBe(0);
    // the seats are on sale again: a rival can hold exactly those seats
    const rival = await w.admit();
    const again = await w.json('POST', `/v1/sales/${w.sale.saleId}/holds`, { token: rival.token, body: { kind: 'seats', seatIds: b.items.map((i) => i.seatId) } });
    expect(again.status).toBe(201);
  });

  it('after the refund cutoff: refuses without the fan\'s consent (409), then cancels with it, releases the seats and refunds nothing', async () => {
    const b = await startPurchase(w);
    w.stripe!.authorize(b.paymentIntentId);
    await deliver(w, 'payment_intent.amount_capturable_updated', b.paymentIntentId);
    await until('order confirmed', async () => (await orderStatusOf(w, b.holdId)) === 'confirmed');
    const { rows: [event] } = await w.ctx.pg.query<{ refund_cutoff_s: number }>('SELECT refund_cutoff_s FROM events WHERE id = $1', [w.sale.eventId]);
    // the event starts in 30 days or less: a cutoff a year before it has passed
    await w.ctx.pg.query('UPDATE events SET refund_cutoff_s = $2 WHERE id = $1', [w.sale.eventId, 365 * 86_400]);
    try {
      expect((await w.json('GET', `/v1/orders/${b.holdId}`, { token: b.orderToken })).body.refundIfCancelledMinor).toBe(0);
      const refused = await w.json('POST', `/v1/orders/${b.holdId}/cancel`, { token: b.orderToken });
      expect(refused.status).toBe(409);
      expect(refused.body).toMatchObject({ code: 'refund_cutoff_passed', refundMinor: 0 });
      expect(await orderStatusOf(w, b.holdId)).toBe('confirmed');

      const cancelled = await w.json('POST', `/v1/orders/${b.holdId}/cancel?acceptNoRefund=true`, { token: b.orderToken });
      expect(cancelled.status).toBe(200);
      expect(cancelled.body).toMatchObject({ status: 'cancelled', refundMinor: 0, order: { status: 'cancelled' } });
      const live = await w.ctx.pg.query(`SELECT count(*)::int AS n FROM tickets WHERE order_id = $1 AND status = 'live'`, [b.holdId]);
      expect(live.rows[0].n).toBe(0);
      const refunds = await w.ctx.pg.query('SELECT status, amount_minor FROM refunds WHERE order_id = $1', [b.holdId]);
      expect(refunds.rows).toEqual([{ status: 'succeeded', amount_minor: 0 }]);
      expect(w.stripe!.count('refund', b.paymentIntentId)).toBe(0);
      // the seats are on sale again
      const rival = await w.admit();
      const again = await w.json('POST', `/v1/sales/${w.sale.saleId}/holds`, { token: rival.token, body: { kind: 'seats', seatIds: b.items.map((i) => i.seatId) } });
      expect(again.status).toBe(201);
    } finally {
      await w.ctx.pg.query('UPDATE events SET refund_cutoff_s = $2 WHERE id = $1', [w.sale.eventId, event!.refund_cutoff_s]);
    }
  });

  it('refuses another buyer and a token for another order', async () => {
    const b = await startPurchase(w);
    const other = await w.deps.orderTokens.sign('some-other-order');
    expect((await w.json('POST', `/v1/orders/${b.holdId}/cancel`, { token: other })).status).toBe(403);
    expect((await w.json('GET', `/v1/orders/${b.holdId}`)).status).toBe(403);
    expect((await w.json('GET', `/v1/orders/${b.holdId}`, { token: 'garbage' })).status).toBe(401);
  });
});

describe('checking out while logged in', () => {
  it('makes the order the account\'s, verified e-mail or not; a bad account token is refused and remembered by no Idempotency-Key', async () => {
    const email = `buyer-${Date.now()}@example.com`;
    const { rows: [user] } = await w.ctx.pg.query<{ id: string }>('INSERT INTO users (email) VALUES ($1) RETURNING id', [email]);
    const accountToken = await w.deps.accessTokens.sign({ userId: user!.id, email, role: 'fan' });
    const pass = await w.admit();
    const held = await w.json('POST', `/v1/sales/${w.sale.saleId}/holds`, { token: pass.token, body: { kind: 'best', sectionId: w.sale.sectionIds['Block A'], quantity: 1 } });
    const checkout = (account: string) => w.json('POST', `/v1/holds/${held.body.holdId}/checkout`, {
      token: pass.token, body: { email: 'somewhere-else@example.com' }, headers: { 'x-usher-account': account, 'idempotency-key': 'pay-1' },
    });

    const refused = await checkout(`${accountToken}x`);
    expect([refused.status, refused.body.code]).toEqual([401, 'token_invalid']);
    expect(await paymentStatusOf(w, held.body.holdId)).toBeUndefined();

    const co = await checkout(accountToken);
    expect(co.status, JSON.stringify(co.body)).toBe(200);
    w.stripe!.authorize(co.body.paymentIntentId);
    await deliver(w, 'payment_intent.amount_capturable_updated', co.body.paymentIntentId);
    await until('order confirmed', async () => (await orderStatusOf(w, held.body.holdId)) === 'confirmed');
    const { rows: [order] } = await w.ctx.pg.query<{ user_id: string }>('SELECT user_id FROM orders WHERE id = $1', [held.body.holdId]);
    expect(order!.user_id).toBe(user!.id);
    expect((await listMyOrders(w.ctx.pg, user!.id)).map((o) => o.id)).toContain(held.body.holdId);
  });
});
