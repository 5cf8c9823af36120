/**
 * A checkout whose code and points leave nothing to pay, against real PostgreSQL, Redis and the
 * Stripe and PayPal stand-ins: refused with 422 zero_total before any gateway is asked for a
 * payment of 0, and nothing is taken (the code's use and the points stay); the same hold then
 * pays a non-zero total through the gateway, once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkoutWorld, type CheckoutWorld } from '../../test/support/checkout-harness.js';

let w: CheckoutWorld;
beforeAll(async () => {
  w = await checkoutWorld({ gateways: ['stripe', 'paypal'], sale: { rows: 0, gaCapacity: 50, shardCount: 2 } });
});
afterAll(async () => { await w?.close(); });

async function held() {
  const pass = await w.admit();
  const h = await w.json('POST', `/v1/sales/${w.sale.saleId}/holds`, { token: pass.token, body: { kind: 'best', sectionId: w.sale.sectionIds.Floor, quantity: 1 } });
  expect(h.status, JSON.stringify(h.body)).toBe(201);
  return { pass, holdId: h.body.holdId as string, ticketsMinor: h.body.amountMinor as number };
}

async function fan(points: number) {
  const email = `zero-${points}-${Date.now()}@example.com`;
  const { rows: [u] } = await w.ctx.pg.query<{ id: string }>(`INSERT INTO users (email, password_hash) VALUES ($1, 'x') RETURNING id`, [email]);
  await w.ctx.pg.query(`SELECT loyalty_post($1, $2, 'earn', $3)`, [u!.id, `seed-${u!.id}`, points]);
  return { userId: u!.id, email, token: await w.deps.accessTokens.sign({ userId: u!.id, email, role: 'fan' }) };
}

const asked = () => ({ stripe: w.stripe!.count('create'), paypal: w.paypal!.count('create') });

describe('a zero-total checkout', () => {
  it.each(['stripe', 'paypal'] as const)('a 100 percent code through %s: 422 zero_total, no payment asked for, the use not taken', async (gateway) => {
    const { rows: [ev] } = await w.ctx.pg.query<{ event_id: string }>('SELECT event_id FROM sales WHERE id = $1', [w.sale.saleId]);
    const code = `FREE-${gateway}`.toUpperCase();
    await w.ctx.pg.query(`INSERT INTO promo_codes (code, event_id, kind, value, max_uses) VALUES ($1, $2, 'percent', 10000, 5)`, [code, ev!.event_id]);
    const before = asked();
    const h = await held();
    const co = await w.json('POST', `/v1/holds/${h.holdId}/checkout`, { token: h.pass.token, body: { email: 'free@example.com', gateway, promoCode: code } });
    expect(co.status, JSON.stringify(co.body)).toBe(422);
    expect(co.body.code).toBe('zero_total');
    expect(co.body.detail ?? co.body.title ?? co.body.message).toMatch(/costs nothing/);
    expect(asked()).toEqual(before);
    expect((await w.ctx.pg.query('SELECT uses FROM promo_codes WHERE code = $1', [code])).rows).toEqual([{ uses: 0 }]);
    expect((await w.ctx.pg.query('SELECT 1 FROM hold_prices WHERE hold_id = $1', [h.holdId])).rowCount).toBe(0);
    expect((await w.ctx.pg.query('SELECT 1 FROM payments WHERE hold_id = $1', [h.holdId])).rowCount).toBe(0);
  });

  it.each(['stripe', 'paypal'] as const)('points covering everything through %s: 422, the points stay; fewer points then pay once', async (gateway) => {
    const acct = await fan(100_000);
    const before = asked();
    const h = await held();
    const headers = { 'x-usher-account': acct.token };
    const all = await w.json('POST', `/v1/holds/${h.holdId}/checkout`, { token: h.pass.token, headers: { ...headers, 'idempotency-key': `all-${h.holdId}` }, body: { email: acct.email, gateway, points: 100_000 } });
    expect(all.status, JSON.stringify(all.body)).toBe(422);
    expect(all.body.code).toBe('zero_total');
    expect(asked()).toEqual(before);
    expect((await w.ctx.pg.query('SELECT balance FROM loyalty_accounts WHERE user_id = $1', [acct.userId])).rows).toEqual([{ balance: 100_000 }]);
    // one point fewer than the tickets cost leaves 1 (minor unit) to pay: asked for exactly that, once
    const quote = await w.json('POST', `/v1/holds/${h.holdId}/checkout`, { token: h.pass.token, headers: { ...headers, 'idempotency-key': `some-${h.holdId}` }, body: { email: acct.email, gateway, points: h.ticketsMinor - 1 } });
    expect(quote.status, JSON.stringify(quote.body)).toBe(200);
    expect(quote.body.amountMinor).toBe(1);
    expect(asked()[gateway]).toBe(before[gateway] + 1);
  });
});
