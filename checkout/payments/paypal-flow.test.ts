/**
 * PayPal end to end with the real @paypal/paypal-server-sdk against the local stand-in, real Redis
 * and Postgres, and the commit worker on the real BullMQ queue: the same guarantees as Stripe's
 * (commit-flow.test.ts, commit-faults.test.ts): one authorization per hold, webhooks once and in
 * any order, never charged without a ticket, captured once across crashes and outages.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leaseIsActive } from '../../admission/pass-lease.js';
import { checkoutWorld, type CheckoutWorld, type JsonAnswer } from '../../test/support/checkout-harness.js';
import { orderStatusOf, paymentStatusOf, until } from '../../test/support/checkout-flow.js';
import { spawnCommitWorker } from '../../test/support/checkout-worker-process.js';
import { startCommitWorker, type RunningWorker } from '../worker/commit/commit-worker.js';
import { commitJobId } from '../worker/commit/commit-queue.js';

let w: CheckoutWorld;
let worker: RunningWorker | undefined;
beforeAll(async () => {
  w = await checkoutWorld({ gateways: ['stripe', 'paypal'] });
});
afterAll(async () => {
  await worker?.close();
  await w.close();
});
const startWorker = () => (worker ??= startCommitWorker(w.deps, { concurrency: 4 }));
const pp = () => w.paypal!;

interface PaypalPurchase { holdId: string; orderId: string; approveUrl: string; orderToken: string; pass: { token: string; jti: string }; items: { seatId: number | null }[] }

async function startPaypalPurchase(quantity = 2, seatIds?: number[]): Promise<PaypalPurchase> {
  const pass = await w.admit();
  const body = seatIds ? { kind: 'seats', seatIds } : { kind: 'best', sectionId: w.sale.sectionIds['Block A'], quantity };
  const held = await w.json('POST', `/v1/sales/${w.sale.saleId}/holds`, { token: pass.token, body });
  expect(held.status, JSON.stringify(held.body)).toBe(201);
  const co = await w.json('POST', `/v1/holds/${held.body.holdId}/checkout`, { token: pass.token, body: { email: 'fan@example.com', gateway: 'paypal' } });
  expect(co.status, JSON.stringify(co.body)).toBe(200);
  expect(co.body).toMatchObject({ gateway: 'paypal', demo: false, clientSecret: null });
  return { holdId: held.body.holdId, orderId: co.body.paymentIntentId, approveUrl: co.body.approveUrl, orderToken: co.body.orderToken, pass, items: held.body.items };
}

function deliver(type: string, orderId: string): Promise<JsonAnswer> {
  const d = pp().event(type, orderId);
  return w.json('POST', '/v1/webhooks/paypal', { body: d.body, headers: d.headers });
}

describe('paying with PayPal', () => {
  it('creates one AUTHORIZE order per hold (PayPal-Request-Id) with the amount in the currency\'s units and an approve link', async () => {
    const b = await startPaypalPurchase();
    const again = await w.json('POST', `/v1/holds/${b.holdId}/checkout`, { token: b.pass.token, body: { email: 'fan@example.com', gateway: 'paypal' } });
    expect(again.body.paymentIntentId).toBe(b.orderId);
    expect(pp().count('create')).toBe([...pp().orders.values()].length);
    expect(pp().orders.get(b.orderId)).toMatchObject({ amount: { currency_code: 'EUR', value: '240.00' }, referenceId: b.holdId, customId: w.sale.saleId });
    expect(b.approveUrl).toBe(`${pp().url}/checkoutnow?token=${b.orderId}`);
    // the hold is paid with PayPal now: another gateway for it is refused, not a second authorization
    const other = await w.json('POST', `/v1/holds/${b.holdId}/checkout`, { token: b.pass.token, body: { email: 'fan@example.com', gateway: 'stripe' } });
    expect([other.status, other.body.code]).toEqual([409, 'gateway_in_use']);
    expect(w.stripe!.count('create')).toBe(0);
  });

  it('the fan follows the approve link, comes back, confirms: one authorization, committed, captured once after the order exists', async () => {
    startWorker();
    const b = await startPaypalPurchase();
    const early = await w.json('POST', `/v1/holds/${b.holdId}/confirm`, { token: b.pass.token });
    expect([early.status, early.body.code]).toEqual([409, 'payment_not_authorized']);
    const approved = await fetch(b.approveUrl, { redirect: 'manual' });
    expect(approved.status).toBe(302);
    const back = new URL(approved.headers.get('location')!);
    expect(back.pathname).toBe(`/checkout/${w.sale.saleId}`);
    expect(back.searchParams.get('hold')).toBe(b.holdId);
    expect(back.searchParams.get('paypal')).toBe('approved');
    const ok = await w.json('POST', `/v1/holds/${b.holdId}/confirm`, { token: b.pass.token });
    expect(ok.status, JSON.stringify(ok.body)).toBe(202);
    await until('order confirmed', async () => (await orderStatusOf(w, b.holdId)) === 'confirmed');
    expect(pp().count('authorize', b.orderId)).toBe(1);
    expect(pp().count('capture', b.orderId)).toBe(1);
    expect((await paymentStatusOf(w, b.holdId))?.status).toBe('captured');
    expect((await w.deps.inventory.getHold(b.holdId))?.state).toBe('SOLD');
    expect(await leaseIsActive(w.ctx.redis, w.sale.saleId, b.pass.jti)).toBe(false);
    const row = await w.ctx.pg.query('SELECT gateway FROM payments WHERE hold_id = $1', [b.holdId]);
    expect(row.rows[0].gateway).toBe('paypal');
  });

  it('webhooks 3 times, out of order, racing the confirm call: one authorization, one order, captured once; a replayed event id is a duplicate', async () => {
    startWorker();
    const b = await startPaypalPurchase();
    pp().approve(b.orderId);
    const approvedEvent = pp().event('CHECKOUT.ORDER.APPROVED', b.orderId);
    const answers = await Promise.all([
      deliver('CHECKOUT.ORDER.APPROVED', b.orderId),
      w.json('POST', `/v1/holds/${b.holdId}/confirm`, { token: b.pass.token }),
      w.json('POST', '/v1/webhooks/paypal', { body: approvedEvent.body, headers: approvedEvent.headers }),
      deliver('CHECKOUT.ORDER.APPROVED', b.orderId),
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 202, 200, 200]);
    await until('order confirmed', async () => (await orderStatusOf(w, b.holdId)) === 'confirmed');
    // late events about steps already taken change nothing
    const late = await Promise.all([deliver('PAYMENT.AUTHORIZATION.CREATED', b.orderId), deliver('PAYMENT.CAPTURE.COMPLETED', b.orderId)]);
    expect(late.map((a) => a.status)).toEqual([200, 200]);
    const replayed = await w.json('POST', '/v1/webhooks/paypal', { body: approvedEvent.body, headers: approvedEvent.headers });
    expect(replayed.body.duplicate).toBe(true);
    expect(pp().count('authorize', b.orderId)).toBe(1);
    expect(pp().count('capture', b.orderId)).toBe(1);
    const orders = await w.ctx.pg.query('SELECT count(*)::int AS n FROM orders WHERE id = $1', [b.holdId]);
    expect(orders.rows[0].n).toBe(1);
    const tickets = await w.ctx.pg.query(`SELECT count(*)::int AS n FROM tickets WHERE order_id = $1 AND status = 'live'`, [b.holdId]);
    expect(tickets.rows[0].n).toBe(2);
  });

  it('refuses deliveries PayPal does not verify (tampered body, missing headers) and changes nothing', async () => {
    const b = await startPaypalPurchase(1);
    pp().approve(b.orderId);
    const d = pp().event('CHECKOUT.ORDER.APPROVED', b.orderId);
    const tampered = await w.json('POST', '/v1/webhooks/paypal', { body: d.body.replace('"event_version":"1.0"', '"event_version":"2.0"'), headers: d.headers });
    expect([tampered.status, tampered.body.code]).toEqual([400, 'webhook_signature']);
    const unsigned = await w.json('POST', '/v1/webhooks/paypal', { body: d.body });
    expect(unsigned.status).toBe(400);
    expect(pp().count('authorize', b.orderId)).toBe(0);
    expect(await w.deps.commits.queue.getJob(commitJobId(b.holdId))).toBeUndefined();
  });

  it('a declined funding source: 402 payment_failed, nothing authorized or committed', async () => {
    const b = await startPaypalPurchase(1);
    pp().approve(b.orderId, { decline: true });
    const r = await w.json('POST', `/v1/holds/${b.holdId}/confirm`, { token: b.pass.token });
    expect([r.status, r.body.code]).toEqual([402, 'payment_failed']);
    expect((await paymentStatusOf(w, b.holdId))).toMatchObject({ status: 'failed', failure_reason: 'INSTRUMENT_DECLINED' });
    expect(pp().count('authorize', b.orderId)).toBe(0);
  });
});

describe('never charged without a ticket (PayPal)', () => {
  it('approval after the hold expired and its seats were sold: the authorization is voided, never captured', async () => {
    startWorker();
    const b = await startPaypalPurchase(1);
    await w.deps.inventory.sweep(Date.now() + 3_600_000, [w.sale.saleId]);
    const rival = await w.admit();
    const taken = await w.json('POST', `/v1/sales/${w.sale.saleId}/holds`, { token: rival.token, body: { kind: 'seats', seatIds: [b.items[0]!.seatId] } });
    expect(taken.status).toBe(201);
    pp().approve(b.orderId);
    expect((await deliver('CHECKOUT.ORDER.APPROVED', b.orderId)).status).toBe(200);
    await until('payment cancelled', async () => (await paymentStatusOf(w, b.holdId))?.status === 'cancelled');
    expect(pp().orders.get(b.orderId)?.authorization?.status).toBe('VOIDED');
    expect(pp().count('capture', b.orderId)).toBe(0);
    expect(await orderStatusOf(w, b.holdId)).toBeUndefined();
    expect((await w.json('GET', `/v1/holds/${b.holdId}`, { token: b.pass.token })).body).toMatchObject({ state: 'LOST', payment: { gateway: 'paypal', status: 'cancelled', failureReason: 'hold_lost' } });
  });

  it('the fan released the hold, then approved at PayPal anyway: never authorized, never captured', async () => {
    const b = await startPaypalPurchase(1);
    const released = await w.json('DELETE', `/v1/holds/${b.holdId}`, { token: b.pass.token });
    expect(released.status).toBe(200);
    pp().approve(b.orderId);
    const answers = await Promise.all([deliver('CHECKOUT.ORDER.APPROVED', b.orderId), w.json('POST', `/v1/holds/${b.holdId}/confirm`, { token: b.pass.token })]);
    expect(answers[0].status).toBe(200);
    expect(answers[1].body.code).toBe('payment_cancelled');
    expect(pp().count('authorize', b.orderId)).toBe(0);
    expect(pp().count('capture', b.orderId)).toBe(0);
  });

  it('the authorization lapsed before the commit: no order, nothing taken', async () => {
    const b = await startPaypalPurchase(1);
    pp().approve(b.orderId);
    // authorized without a worker running, then PayPal lets it lapse before the commit looks
    await worker?.close();
    worker = undefined;
    expect((await w.json('POST', `/v1/holds/${b.holdId}/confirm`, { token: b.pass.token })).status).toBe(202);
    pp().expireAuthorization(b.orderId);
    startWorker();
    await until('payment cancelled', async () => (await paymentStatusOf(w, b.holdId))?.status === 'cancelled');
    expect(await orderStatusOf(w, b.holdId)).toBeUndefined();
    expect(pp().count('capture', b.orderId)).toBe(0);
    expect((await w.deps.inventory.audit(w.sale.saleId)).violations).toEqual([]);
  });

  it('the authorization lapsed just as the order was written: the capture is refused, the order voided, its seats freed, nothing taken', async () => {
    startWorker();
    const b = await startPaypalPurchase(1);
    pp().approve(b.orderId);
    pp().expireAuthorization(b.orderId, { atCapture: true });
    expect((await w.json('POST', `/v1/holds/${b.holdId}/confirm`, { token: b.pass.token })).status).toBe(202);
    await until('order voided', async () => (await orderStatusOf(w, b.holdId)) === 'cancelled');
    expect(pp().count('capture', b.orderId)).toBe(0);
    const live = await w.ctx.pg.query(`SELECT count(*)::int AS n FROM tickets WHERE order_id = $1 AND status = 'live'`, [b.holdId]);
    expect(live.rows[0].n).toBe(0);
    const audit = await w.deps.inventory.audit(w.sale.saleId);
    expect(audit.violations).toEqual([]);
  });

  it('PayPal down (500s) during the commit: retried with the same request ids, captured once', async () => {
    startWorker();
    const b = await startPaypalPurchase(1);
    pp().approve(b.orderId);
    expect((await w.json('POST', `/v1/holds/${b.holdId}/confirm`, { token: b.pass.token })).status).toBe(202);
    pp().failNext(4);
    await until('order confirmed', async () => (await orderStatusOf(w, b.holdId)) === 'confirmed', 40_000);
    expect(pp().count('authorize', b.orderId)).toBe(1);
    expect(pp().count('capture', b.orderId)).toBe(1);
  });
});

describe('PayPal across a worker crash and a cancellation', () => {
  it('worker killed between the Postgres commit and finalize, then restarted: one order, seats SOLD, captured once', async () => {
    await worker?.close();
    worker = undefined;
    const b = await startPaypalPurchase();
    pp().approve(b.orderId);
    expect((await deliver('CHECKOUT.ORDER.APPROVED', b.orderId)).status).toBe(200);
    const doomed = await spawnCommitWorker({ ...w.env, USHER_TEST_KILL_AT_FINALIZE: '1', USHER_TEST_LOCK_MS: '2000' });
    expect((await doomed.exited).signal).toBe('SIGKILL');
    expect(await orderStatusOf(w, b.holdId)).toBe('committed');
    const again = await spawnCommitWorker({ ...w.env, USHER_TEST_LOCK_MS: '2000' });
    try {
      await until('order confirmed after restart', async () => (await orderStatusOf(w, b.holdId)) === 'confirmed', 30_000);
    } finally {
      await again.stop();
    }
    expect((await w.deps.inventory.getHold(b.holdId))?.state).toBe('SOLD');
    expect(pp().count('capture', b.orderId)).toBe(1);
    expect((await paymentStatusOf(w, b.holdId))?.status).toBe('captured');
  });

  it('cancel twice at once refunds once through PayPal; the REFUNDED webhook is recorded', async () => {
    startWorker();
    const b = await startPaypalPurchase();
    pp().approve(b.orderId);
    await deliver('CHECKOUT.ORDER.APPROVED', b.orderId);
    await until('order confirmed', async () => (await orderStatusOf(w, b.holdId)) === 'confirmed');
    const [x, y] = await Promise.all([
      w.json('POST', `/v1/orders/${b.holdId}/cancel`, { token: b.orderToken }),
      w.json('POST', `/v1/orders/${b.holdId}/cancel`, { token: b.orderToken }),
    ]);
    expect([x.status, y.status]).toEqual([200, 200]);
    expect(pp().count('refund', b.orderId)).toBe(1);
    expect(pp().orders.get(b.orderId)?.refunds).toEqual([expect.objectContaining({ amount: { currency_code: 'EUR', value: '240.00' } })]);
    const refunds = await w.ctx.pg.query('SELECT status, amount_minor FROM refunds WHERE order_id = $1', [b.holdId]);
    expect(refunds.rows).toEqual([{ status: 'succeeded', amount_minor: 24000 }]);
    expect((await deliver('PAYMENT.CAPTURE.REFUNDED', b.orderId)).body.outcome).toBe('refund_recorded');
  });
});

describe('the gateways a sale offers', () => {
  it('offers every configured gateway by default, the organiser\'s narrowed list otherwise, and refuses the others (422)', async () => {
    expect((await w.json('GET', `/v1/sales/${w.sale.saleId}/payment-gateways`)).body).toEqual({ saleId: w.sale.saleId, gateways: ['stripe', 'paypal'], default: 'stripe' });
    await w.ctx.pg.query(`UPDATE sales SET payment_gateways = '{paypal}' WHERE id = $1`, [w.sale.saleId]);
    w.deps.saleGateways.forget(w.sale.saleId);
    try {
      expect((await w.json('GET', `/v1/sales/${w.sale.saleId}/payment-gateways`)).body).toMatchObject({ gateways: ['paypal'], default: 'paypal' });
      const pass = await w.admit();
      const held = await w.json('POST', `/v1/sales/${w.sale.saleId}/holds`, { token: pass.token, body: { kind: 'best', sectionId: w.sale.sectionIds['Block A'], quantity: 1 } });
      const refused = await w.json('POST', `/v1/holds/${held.body.holdId}/checkout`, { token: pass.token, body: { email: 'fan@example.com', gateway: 'stripe' } });
      expect([refused.status, refused.body.code]).toEqual([422, 'gateway_not_offered']);
      const unknown = await w.json('POST', `/v1/holds/${held.body.holdId}/checkout`, { token: pass.token, body: { email: 'fan@example.com', gateway: 'bitcoin' } });
      expect([unknown.status, unknown.body.code]).toEqual([422, 'validation_failed']);
      const byDefault = await w.json('POST', `/v1/holds/${held.body.holdId}/checkout`, { token: pass.token, body: { email: 'fan@example.com' } });
      expect(byDefault.body.gateway).toBe('paypal');
    } finally {
      await w.ctx.pg.query('UPDATE sales SET payment_gateways = NULL WHERE id = $1', [w.sale.saleId]);
      w.deps.saleGateways.forget(w.sale.saleId);
    }
  });

  it('the database refuses a gateway Usher does not know', async () => {
    await expect(w.ctx.pg.query(`UPDATE sales SET payment_gateways = '{bitcoin}' WHERE id = $1`, [w.sale.saleId])).rejects.toThrow(/check constraint/);
    await expect(w.ctx.pg.query(`UPDATE payments SET gateway = 'bitcoin' WHERE false OR gateway = 'paypal'`)).rejects.toThrow(/payments_gateway_check/);
  });
});
