/**
 * Promo codes against real PostgreSQL and Redis, through the HTTP checkout: 200 concurrent
 * checkouts for a code with 50 uses leave exactly 50 redemptions (and, with the guard dropped,
 * more: the test sees the difference); a use comes back exactly once; every refusal looks alike.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkoutWorld, type CheckoutWorld } from '../../test/support/checkout-harness.js';
import { advancePayment } from '../payments/payment-records.js';
import { adminToken, call } from '../../test/support/admin-test-kit.js';
import { adminRoutes } from '../admin/admin-module.js';
import { checkoutFeatures } from '../api/routes.js';
import { reconcile } from '../worker/commit/reconciler.js';

let w: CheckoutWorld;
let ipSeq = 0;
const ip = () => `10.9.${Math.floor(++ipSeq / 250)}.${ipSeq % 250}`;
beforeAll(async () => {
  w = await checkoutWorld({
    gateway: 'demo', sale: { rows: 0, gaCapacity: 1000, shardCount: 4, perFanLimit: 6 },
    env: { PG_POOL_MAX: '20', TRUST_PROXY: 'true', PROMO_ATTEMPTS_PER_MIN: '5' }, features: [...checkoutFeatures, adminRoutes],
  });
});
afterAll(async () => { await w?.close(); });

async function eventId(): Promise<string> {
  return (await w.ctx.pg.query<{ event_id: string }>('SELECT event_id FROM sales WHERE id = $1', [w.sale.saleId])).rows[0]!.event_id;
}

async function createCode(values: Record<string, unknown>): Promise<string> {
  const b: Record<string, unknown> = { kind: 'percent', value: 1000, maxUses: 50, ...values };
  const { rows } = await w.ctx.pg.query<{ id: string }>(
    `INSERT INTO promo_codes (code, event_id, kind, value, currency, tier_codes, min_quantity, valid_from, valid_until, max_uses, max_uses_per_buyer, disabled)
     VALUES (upper($1), $2, $3, $4, $5, coalesce($6::text[], '{}'), coalesce($7::int, 1), coalesce($8::timestamptz, now() - interval '1 hour'), $9, $10, $11, coalesce($12::boolean, false)) RETURNING id`,
    [b.code, b.eventId ?? (await eventId()), b.kind, b.value, b.currency ?? null, b.tierCodes ?? null, b.minQuantity ?? null, b.validFrom ?? null, b.validUntil ?? null, b.maxUses, b.maxUsesPerBuyer ?? null, b.disabled ?? null]);
  return rows[0]!.id;
}

async function held(quantity = 1) {
  const pass = await w.admit();
  const h = await w.json('POST', `/v1/sales/${w.sale.saleId}/holds`, { token: pass.token, body: { kind: 'best', sectionId: w.sale.sectionIds.Floor, quantity } });
  expect(h.status, JSON.stringify(h.body)).toBe(201);
  return { pass, holdId: h.body.holdId as string };
}

const checkout = (h: { pass: { token: string }; holdId: string }, body: Record<string, unknown>) =>
  w.json('POST', `/v1/holds/${h.holdId}/checkout`, { token: h.pass.token, body: { email: 'fan@example.com', ...body }, headers: { 'x-forwarded-for': ip() } });

async function usage(codeId: string) {
  const { rows } = await w.ctx.pg.query<{ uses: number; live: number; released: number }>(
    `SELECT c.uses, (SELECT count(*)::int FROM promo_redemptions r WHERE r.code_id = c.id AND r.status <> 'released') AS live,
            (SELECT count(*)::int FROM promo_redemptions r WHERE r.code_id = c.id AND r.status = 'released') AS released
     FROM promo_codes c WHERE c.id = $1`, [codeId]);
  return rows[0]!;
}

async function race(code: string, n: number) {
  const holds = await Promise.all(Array.from({ length: n }, () => held()));
  const answers = await Promise.all(holds.map((h) => checkout(h, { promoCode: code })));
  return { holds, answers };
}

describe('promo codes under concurrency', () => {
  it('200 concurrent checkouts for a code with 50 uses: exactly 50 redeem, each paying the discounted total', async () => {
    const codeId = await createCode({ code: 'RACE50', maxUses: 50 });
    const { holds, answers } = await race('race50', 200);
    const ok = answers.filter((a) => a.status === 200);
    expect(ok).toHaveLength(50);
    expect(answers.filter((a) => a.status === 422).every((a) => a.body.code === 'promo_code_invalid')).toBe(true);
    expect(answers.filter((a) => a.status !== 200 && a.status !== 422)).toEqual([]);
    expect(await usage(codeId)).toEqual({ uses: 50, live: 50, released: 0 });
    // the amount authorized is the breakdown's total: 4500 − 10%
    for (const a of ok) expect(a.body).toMatchObject({ amountMinor: 4050, breakdown: { promoCode: 'RACE50', promoDiscountMinor: 450, totalMinor: 4050 } });
    const pays = await w.ctx.pg.query<{ amount_minor: number; total_minor: number }>(
      'SELECT p.amount_minor, hp.total_minor FROM payments p JOIN hold_prices hp ON hp.hold_id = p.hold_id WHERE p.hold_id = ANY($1)', [holds.map((h) => h.holdId)]);
    expect(pays.rows).toHaveLength(50);
    expect(pays.rows.every((r) => r.amount_minor === 4050 && r.total_minor === 4050)).toBe(true);
  });

  it('per buyer: 10 concurrent checkouts by one e-mail for a once-per-buyer code: one redeems', async () => {
    const codeId = await createCode({ code: 'ONCEEACH', maxUses: 100, maxUsesPerBuyer: 1 });
    const { answers } = await race('OnceEach', 10);
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    expect(await usage(codeId)).toMatchObject({ uses: 1, live: 1 });
  });

  it('a cancelled payment gives its use back exactly once, whatever the repeats', async () => {
    const codeId = await createCode({ code: 'GIVEBACK', maxUses: 1 });
    const h = await held();
    const co = await checkout(h, { promoCode: 'giveback' });
    expect(co.status).toBe(200);
    // a retried checkout takes no second use and keeps the price
    expect((await checkout(h, { promoCode: 'GIVEBACK' })).body.breakdown).toEqual(co.body.breakdown);
    expect(await usage(codeId)).toEqual({ uses: 1, live: 1, released: 0 });
    // the code is used up for anyone else
    expect((await checkout(await held(), { promoCode: 'GIVEBACK' })).body.code).toBe('promo_code_invalid');
    // the release, repeated, and the same cancellation recorded by three more paths at once
    const [release] = await Promise.all([
      w.json('DELETE', `/v1/holds/${h.holdId}`, { token: h.pass.token }),
      w.json('DELETE', `/v1/holds/${h.holdId}`, { token: h.pass.token }),
      advancePayment(w.ctx.pg, co.body.paymentIntentId, 'cancelled', 'payment_cancelled'),
      advancePayment(w.ctx.pg, co.body.paymentIntentId, 'cancelled', 'payment_cancelled'),
      w.ctx.pg.query(`SELECT commerce_give_back($1)`, [h.holdId]),
    ]);
    // a checked-out hold, released, still shows the price fixed at checkout (read from hold_prices)
    expect(release.body.breakdown).toEqual(co.body.breakdown);
    await w.ctx.pg.query(`SELECT commerce_give_back($1)`, [h.holdId]);
    expect(await usage(codeId)).toEqual({ uses: 0, live: 0, released: 1 });
    // and someone else may now use it
    expect((await checkout(await held(), { promoCode: 'GIVEBACK' })).status).toBe(200);
    expect(await usage(codeId)).toEqual({ uses: 1, live: 1, released: 1 });
  });
});

describe('abandoned before any payment', () => {
  it('a priced hold whose payment was never recorded (the gateway failed, the fan left): the reconciler gives the use back once', async () => {
    const codeId = await createCode({ code: 'NOPAYMENT', maxUses: 1 });
    const h = await held();
    const hold = (await w.deps.inventory.getHold(h.holdId))!;
    await w.deps.pricing.fix({ holdId: h.holdId, saleId: hold.saleId, items: hold.items, email: 'left@example.com', promoCode: 'nopayment' });
    expect(await usage(codeId)).toEqual({ uses: 1, live: 1, released: 0 });
    // not yet abandoned: left alone
    await reconcile(w.deps, w.ctx.log, { staleAfterMs: 60_000, abandonAfterMs: 3600_000 });
    expect((await usage(codeId)).uses).toBe(1);
    const later = { staleAfterMs: 60_000, abandonAfterMs: 3600_000, nowMs: Date.now() + 3 * 3600_000 };
    const [a, b] = await Promise.all([reconcile(w.deps, w.ctx.log, later), reconcile(w.deps, w.ctx.log, later)]);
    expect([...a.abandoned, ...b.abandoned]).toContain(h.holdId);
    expect(await usage(codeId)).toEqual({ uses: 0, live: 0, released: 1 });
  });
});

describe('organisers', () => {
  it('create codes through the admin API: validated, unique whatever the case, listed with their uses', async () => {
    const admin = await adminToken(w.deps);
    const made = await call(w.app, admin, 'POST', '/v1/admin/promo-codes', { code: 'house-wide', kind: 'fixed', value: 700, currency: 'EUR', maxUses: 3, minQuantity: 2 });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    expect(made.body).toMatchObject({ code: 'HOUSE-WIDE', eventId: null, kind: 'fixed', value: 700, uses: 0, minQuantity: 2 });
    expect((await call(w.app, admin, 'POST', '/v1/admin/promo-codes', { code: 'HOUSE-wide', kind: 'percent', value: 10, maxUses: 1 })).body.code).toBe('promo_code_taken');
    const bad = await call(w.app, admin, 'POST', '/v1/admin/promo-codes', { code: 'NOCUR', kind: 'fixed', value: 700, maxUses: 1 });
    expect([bad.status, bad.body.code]).toEqual([422, 'validation_failed']);
    expect((await call(w.app, admin, 'POST', '/v1/admin/promo-codes', { code: 'x', kind: 'percent', value: 10, maxUses: 1 })).status).toBe(422);
    // event_id NULL: every event of the organiser; this event is the operator's (house) event, the
    // code was made by an admin account, so it does not apply here
    expect((await checkout(await held(2), { promoCode: 'house-wide' })).body.code).toBe('promo_code_invalid');
    await w.ctx.pg.query(`UPDATE events SET organiser_id = $1 WHERE id = $2`, [made.body.organiserId, await eventId()]);
    try {
      expect((await checkout(await held(1), { promoCode: 'house-wide' })).body.code).toBe('promo_code_invalid'); // below the minimum quantity
      const ok = await checkout(await held(2), { promoCode: 'house-wide' });
      expect(ok.status, JSON.stringify(ok.body)).toBe(200);
      expect(ok.body.breakdown).toMatchObject({ ticketsMinor: 9000, promoDiscountMinor: 700, totalMinor: 8300 });
      const list = await call(w.app, admin, 'GET', '/v1/admin/promo-codes');
      expect((list.body.codes as { code: string; uses: number }[]).find((c) => c.code === 'HOUSE-WIDE')).toMatchObject({ uses: 1 });
    } finally {
      await w.ctx.pg.query(`UPDATE events SET organiser_id = NULL WHERE id = $1`, [await eventId()]);
    }
  });
});

describe('codes are not guessable', () => {
  it('unknown, expired, disabled, not yet valid, other tier, too few tickets, used up: one answer; case does not matter', async () => {
    await createCode({ code: 'EXPIRED1', validFrom: new Date(Date.now() - 7200_000), validUntil: new Date(Date.now() - 3600_000) });
    await createCode({ code: 'FUTURE01', validFrom: new Date(Date.now() + 3600_000) });
    await createCode({ code: 'DISABLED', disabled: true });
    await createCode({ code: 'VIPONLY1', tierCodes: ['P1'] });
    await createCode({ code: 'FOURPLUS', minQuantity: 4 });
    await createCode({ code: 'FIXEDUSD', kind: 'fixed', value: 500, currency: 'USD' });
    const answers = [];
    for (const code of ['NOPE1234', 'expired1', 'Future01', 'DISABLED', 'VIPONLY1', 'FOURPLUS', 'FIXEDUSD', '../../x', 'a'.repeat(60)]) {
      const h = await held();
      answers.push(await checkout(h, { promoCode: code }));
    }
    for (const a of answers) {
      expect(a.status).toBe(422);
      expect({ code: a.body.code, detail: a.body.detail }).toEqual({ code: 'promo_code_invalid', detail: 'this promo code is not valid for this order' });
    }
    await createCode({ code: 'MiXeD-Case' });
    const ok = await checkout(await held(), { promoCode: ' mixed-CASE ' });
    expect(ok.status).toBe(200);
    expect(ok.body.breakdown.promoCode).toBe('MIXED-CASE');
  });

  it('rate limit: a client address trying a sixth code within the minute gets 429 (with Retry-After)', async () => {
    const from = '10.200.0.1';
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      const h = await held();
      const a = await w.json('POST', `/v1/holds/${h.holdId}/quote`, { token: h.pass.token, body: { promoCode: `GUESS${i}XX` }, headers: { 'x-forwarded-for': from } });
      statuses.push(a.status);
      if (a.status === 429) expect(Number(a.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    expect(statuses).toEqual([422, 422, 422, 422, 422, 429, 429]);
  });
});

// Last: it changes the schema of this file's database.
describe('the guard', () => {
  it('without promo_codes_uses_within_max the same race over-redeems: the test above would catch it', async () => {
    await w.ctx.pg.query('ALTER TABLE promo_codes DROP CONSTRAINT promo_codes_uses_within_max');
    const codeId = await createCode({ code: 'NOGUARD', maxUses: 50 });
    const { answers } = await race('NOGUARD', 200);
    expect(answers.filter((a) => a.status === 200).length).toBeGreaterThan(50);
    expect((await usage(codeId)).live).toBeGreaterThan(50);
  });
});
