/**
 * A promo use and spent points through the real Stripe SDK against the stand-in: a payment
 * cancelled at Stripe gives them back exactly once however many (and however ordered) webhooks say
 * so; a declined card (retryable) keeps them; the authorized amount is the breakdown's total; an
 * authorization lost before capture (capture refused) gives them back too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkoutWorld, type CheckoutWorld } from '../../test/support/checkout-harness.js';
import { deliver, orderStatusOf, paymentStatusOf, until } from '../../test/support/checkout-flow.js';
import { commitHold } from '../worker/commit/commit-hold.js';

let w: CheckoutWorld;
let eventId: string;
beforeAll(async () => {
  w = await checkoutWorld({ gateway: 'stripe', sale: { rows: 0, gaCapacity: 50, shardCount: 1 } });
  eventId = (await w.ctx.pg.query<{ event_id: string }>('SELECT event_id FROM sales WHERE id = $1', [w.sale.saleId])).rows[0]!.event_id;
  await w.ctx.pg.query(`UPDATE events SET fee_fixed_minor = 99 WHERE id = $1`, [eventId]);
});
afterAll(async () => { await w?.close(); });

async function account(points: number) {
  const email = `wh${Math.random().toString(36).slice(2)}@example.com`;
  const { rows } = await w.ctx.pg.query<{ id: string }>(`INSERT INTO users (email) VALUES ($1) RETURNING id`, [email]);
  await w.ctx.pg.query(`SELECT loyalty_post($1, $2, 'earn', $3)`, [rows[0]!.id, `seed-${email}`, points]);
  return { userId: rows[0]!.id, email, token: await w.deps.accessTokens.sign({ userId: rows[0]!.id, email, role: 'fan' }) };
}

async function checkedOut(code: string) {
  const acct = await account(300);
  const pass = await w.admit();
  const h = await w.json('POST', `/v1/sales/${w.sale.saleId}/holds`, { token: pass.token, body: { kind: 'best', sectionId: w.sale.sectionIds.Floor, quantity: 1 } });
  const co = await w.json('POST', `/v1/holds/${h.body.holdId}/checkout`, {
    token: pass.token, body: { email: acct.email, promoCode: code, points: 300 }, headers: { 'x-usher-account': acct.token },
  });
  expect(co.status, JSON.stringify(co.body)).toBe(200);
  return { acct, holdId: h.body.holdId as string, pi: co.body.paymentIntentId as string, total: co.body.breakdown.totalMinor as number };
}

const state = async (holdId: string, userId: string) => (await w.ctx.pg.query<{ uses: number; redemption: string; balance: number }>(
  `SELECT c.uses, r.status AS redemption, (SELECT balance FROM loyalty_accounts WHERE user_id = $2) AS balance
   FROM promo_redemptions r JOIN promo_codes c ON c.id = r.code_id WHERE r.hold_id = $1`, [holdId, userId])).rows[0];

describe('promo use and points with Stripe webhooks', () => {
  it('the intent is created for the breakdown total; cancelled at Stripe, 3 webhooks at once give back once', async () => {
    await w.ctx.pg.query(`INSERT INTO promo_codes (code, event_id, kind, value, currency, max_uses) VALUES ('FIVEOFF', $1, 'fixed', 500, 'EUR', 5)`, [eventId]);
    const b = await checkedOut('fiveoff');
    expect(b.total).toBe(4500 - 500 - 300 + 99);
    expect(w.stripe!.intents.get(b.pi)).toMatchObject({ amount: b.total, currency: 'eur', capture_method: 'manual' });
    expect(await state(b.holdId, b.acct.userId)).toEqual({ uses: 1, redemption: 'reserved', balance: 0 });

    w.stripe!.intents.get(b.pi)!.status = 'canceled';
    const answers = await Promise.all([1, 2, 3].map(() => deliver(w, 'payment_intent.canceled', b.pi)));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    await deliver(w, 'payment_intent.payment_failed', b.pi); // late and out of order
    expect((await paymentStatusOf(w, b.holdId))?.status).toBe('cancelled');
    expect(await state(b.holdId, b.acct.userId)).toEqual({ uses: 0, redemption: 'released', balance: 300 });
    const ledger = await w.ctx.pg.query(`SELECT kind FROM loyalty_ledger WHERE hold_id = $1 ORDER BY id`, [b.holdId]);
    expect(ledger.rows.map((r) => r.kind)).toEqual(['spend', 'spend_returned']);
  });

  it('a declined card keeps the use (the fan may retry); then authorized and committed, it is redeemed', async () => {
    await w.ctx.pg.query(`INSERT INTO promo_codes (code, event_id, kind, value, max_uses) VALUES ('RETRYME', $1, 'percent', 2000, 5)`, [eventId]);
    const b = await checkedOut('RETRYME');
    w.stripe!.authorize(b.pi, 'declined');
    await deliver(w, 'payment_intent.payment_failed', b.pi);
    expect((await paymentStatusOf(w, b.holdId))?.status).toBe('failed');
    expect(await state(b.holdId, b.acct.userId)).toMatchObject({ uses: 1, redemption: 'reserved' });
    w.stripe!.authorize(b.pi);
    await deliver(w, 'payment_intent.amount_capturable_updated', b.pi);
    await commitHold(w.deps, b.holdId, w.ctx.log);
    await until('confirmed', async () => (await orderStatusOf(w, b.holdId)) === 'confirmed');
    expect(await state(b.holdId, b.acct.userId)).toMatchObject({ uses: 1, redemption: 'redeemed' });
    expect(w.stripe!.intents.get(b.pi)).toMatchObject({ status: 'succeeded', amount_received: b.total });
  });

  it('an authorization lost before capture (capture refused): the order is void and the use and points come back', async () => {
    await w.ctx.pg.query(`INSERT INTO promo_codes (code, event_id, kind, value, max_uses) VALUES ('LOSTAUTH', $1, 'percent', 1000, 5)`, [eventId]);
    const b = await checkedOut('LOSTAUTH');
    w.stripe!.authorize(b.pi);
    await deliver(w, 'payment_intent.amount_capturable_updated', b.pi);
    // the provider lets the authorization lapse between the order write and the capture
    const stripe = w.deps.gateways.of('stripe');
    const realCapture = stripe.capture.bind(stripe);
    stripe.capture = async (id: string, key: string) => {
      w.stripe!.intents.get(id)!.status = 'canceled';
      return realCapture(id, key);
    };
    try {
      expect(await commitHold(w.deps, b.holdId, w.ctx.log)).toBe('capture_failed_order_voided');
    } finally {
      stripe.capture = realCapture;
    }
    expect(await orderStatusOf(w, b.holdId)).toBe('cancelled');
    expect(await state(b.holdId, b.acct.userId)).toEqual({ uses: 0, redemption: 'released', balance: 300 });
  });
});
