/** Steps of a fan's purchase against a CheckoutWorld, shared by the checkout flow and fault tests. */
import { expect } from 'vitest';
import type { CheckoutWorld, JsonAnswer } from './checkout-harness.js';

export interface Bought {
  holdId: string;
  paymentIntentId: string;
  orderToken: string;
  pass: { token: string; jti: string };
  items: { seatId: number | null }[];
}

/** Admit → hold → checkout: a PaymentIntent waiting for the fan's card. */
export async function startPurchase(w: CheckoutWorld, body: unknown = { kind: 'best', sectionId: w.sale.sectionIds['Block A'], quantity: 2 }): Promise<Bought> {
  const pass = await w.admit();
  const held = await w.json('POST', `/v1/sales/${w.sale.saleId}/holds`, { token: pass.token, body });
  expect(held.status, JSON.stringify(held.body)).toBe(201);
  const co = await w.json('POST', `/v1/holds/${held.body.holdId}/checkout`, { token: pass.token, body: { email: 'fan@example.com' } });
  expect(co.status, JSON.stringify(co.body)).toBe(200);
  return { holdId: held.body.holdId, paymentIntentId: co.body.paymentIntentId, orderToken: co.body.orderToken, pass, items: held.body.items };
}

/** Delivers a signed Stripe event about the intent to the webhook. */
export function deliver(w: CheckoutWorld, type: string, paymentIntentId: string): Promise<JsonAnswer> {
  const ev = w.stripe!.event(type, paymentIntentId);
  return w.json('POST', '/v1/webhooks/stripe', { body: ev.payload, headers: { 'stripe-signature': ev.signature } });
}

export async function until<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function orderStatusOf(w: CheckoutWorld, orderId: string): Promise<string | undefined> {
  const r = await w.ctx.pg.query<{ status: string }>('SELECT status FROM orders WHERE id = $1', [orderId]);
  return r.rows[0]?.status;
}

export async function paymentStatusOf(w: CheckoutWorld, holdId: string): Promise<{ status: string; failure_reason: string | null } | undefined> {
  const r = await w.ctx.pg.query<{ status: string; failure_reason: string | null }>('SELECT status, failure_reason FROM payments WHERE hold_id = $1', [holdId]);
  return r.rows[0];
}
