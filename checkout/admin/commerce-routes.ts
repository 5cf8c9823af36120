/**
 * Organiser routes for what a fan pays: an event's service fee, a venue's tax location, tax rates
 * by country and region, promo codes, and the loyalty rate of an organiser. Mounted behind
 * requireAdmin. An organiser is the admin account that created the event (the operator token's
 * events and codes have none: they form one "house" organiser).
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import type { PgPool } from '../../common/postgres-pool.js';
import { Problem } from '../../common/problem.js';
import type { AuthEnv } from '../accounts/auth-middleware.js';
import { apiRoute, apiRouter, jsonAnswer, jsonBody } from '../api/api-route.js';
import { needs } from '../api/openapi-document.js';
import { normalizePromoCode } from '../pricing/checkout-pricing.js';
import { idParams } from './admin-schemas.js';

const security = needs('admin');
const country = z.string().regex(/^[A-Z]{2}$/, 'ISO 3166-1 alpha-2, upper case');
const region = z.string().regex(/^[A-Z0-9-]{0,8}$/, 'a region code such as CA or BY, or empty for the whole country');
const tierCode = z.string().regex(/^[A-Za-z0-9_-]{1,32}$/);

const feeBody = z.strictObject({
  feeFixedMinor: z.number().int().min(0).max(100_000_000).describe('per ticket, in the event currency\'s minor unit'),
  feePercentBps: z.number().int().min(0).max(10_000).describe('per ticket, basis points of its price (250 = 2.5%)'),
});
const feeAnswer = z.object({ eventId: z.string(), feeFixedMinor: z.number().int(), feePercentBps: z.number().int() });
const locationBody = z.strictObject({ country, region: region.default('') });
const locationAnswer = z.object({ venueId: z.string(), country: z.string(), region: z.string() });
const taxRateBody = z.strictObject({ country, region: region.default(''), rateBps: z.number().int().min(0).max(10_000), inclusive: z.boolean() });
const taxRate = z.object({ country: z.string(), region: z.string(), rateBps: z.number().int(), inclusive: z.boolean() });

const promoBody = z.strictObject({
  code: z.string().trim().transform(normalizePromoCode).pipe(z.string().regex(/^[A-Z0-9_-]{4,32}$/, '4–32 letters, digits, _ or -; case-insensitive')),
  eventId: z.uuid().optional().describe('omit: every event of this organiser'),
  kind: z.enum(['percent', 'fixed']),
  value: z.number().int().positive().describe('percent: basis points (1000 = 10%); fixed: minor units off the order'),
  currency: z.string().regex(/^[A-Z]{3}$/).optional().describe('required for fixed codes'),
  tierCodes: z.array(tierCode).max(50).default([]).describe('empty: every tier'),
  minQuantity: z.number().int().min(1).max(50).default(1),
  validFrom: z.iso.datetime({ offset: true }).optional(),
  validUntil: z.iso.datetime({ offset: true }).optional(),
  maxUses: z.number().int().positive().max(10_000_000),
  maxUsesPerBuyer: z.number().int().positive().optional().describe('per account, or per e-mail for guests'),
}).refine((b) => b.kind === 'fixed' ? b.currency !== undefined : b.value <= 10_000, { message: 'a fixed code needs a currency; a percent code at most 10000 bps' })
  .refine((b) => !b.validFrom || !b.validUntil || b.validFrom < b.validUntil, { message: 'validFrom must be before validUntil' });
const promoCode = z.object({
  id: z.string(), code: z.string(), eventId: z.string().nullable(), organiserId: z.string().nullable(), kind: z.enum(['percent', 'fixed']), value: z.number().int(),
  currency: z.string().nullable(), tierCodes: z.array(z.string()), minQuantity: z.number().int(), validFrom: z.string(), validUntil: z.string().nullable(),
  maxUses: z.number().int(), maxUsesPerBuyer: z.number().int().nullable(), uses: z.number().int(), redeemed: z.number().int(), disabled: z.boolean(),
});
const loyaltyBody = z.strictObject({ earnBps: z.number().int().min(0).max(10_000).describe('points per order in basis points of the total paid (1 point = 1 minor unit)') });

/** The operator token acts for the house organiser (no account). */
const organiserOf = (userId: string): string | null => (z.uuid().safeParse(userId).success ? userId : null);

const PROMO_SELECT = `SELECT c.id, c.code, c.event_id AS "eventId", c.organiser_id AS "organiserId", c.kind, c.value, c.currency, c.tier_codes AS "tierCodes",
  c.min_quantity AS "minQuantity", to_json(c.valid_from) #>> '{}' AS "validFrom", to_json(c.valid_until) #>> '{}' AS "validUntil", c.max_uses AS "maxUses",
  c.max_uses_per_buyer AS "maxUsesPerBuyer", c.uses, (SELECT count(*)::int FROM promo_redemptions r WHERE r.code_id = c.id AND r.status = 'redeemed') AS redeemed, c.disabled
  FROM promo_codes c`;

export function createCommerceRouter(deps: { pg: PgPool }): OpenAPIHono<AuthEnv> {
  const { pg } = deps;
  const router = apiRouter<AuthEnv>();

  router.openapi(apiRoute({
    method: 'put', path: '/v1/admin/events/{id}/fees', summary: 'Set the event\'s service fee per ticket (fixed and/or percent)', tags: ['admin: pricing'], security,
    request: { params: idParams, body: jsonBody(feeBody) },
    responses: { 200: jsonAnswer(feeAnswer, 'the fee; it applies to checkouts from now on (a priced hold keeps its price; holds not yet checked out show it within 5 s)') },
  }), async (c) => {
    const { id } = c.req.valid('param');
    const b = c.req.valid('json');
    const res = await pg.query('UPDATE events SET fee_fixed_minor = $2, fee_percent_bps = $3, updated_at = now() WHERE id = $1', [id, b.feeFixedMinor, b.feePercentBps]);
    if (res.rowCount !== 1) throw new Problem(404, 'event_not_found', `no event ${id}`);
    return c.json({ eventId: id, ...b }, 200);
  });

  router.openapi(apiRoute({
    method: 'put', path: '/v1/admin/venues/{id}/tax-location', summary: 'Set where a venue is, for its events\' tax', tags: ['admin: pricing'], security,
    request: { params: idParams, body: jsonBody(locationBody) },
    responses: { 200: jsonAnswer(locationAnswer, 'the location') },
  }), async (c) => {
    const { id } = c.req.valid('param');
    const b = c.req.valid('json');
    const res = await pg.query('UPDATE venues SET country = $2, region = $3 WHERE id = $1', [id, b.country, b.region]);
    if (res.rowCount !== 1) throw new Problem(404, 'venue_not_found', `no venue ${id}`);
    return c.json({ venueId: id, ...b }, 200);
  });

  router.openapi(apiRoute({
    method: 'put', path: '/v1/admin/tax-rates', summary: 'Set the tax rate of a country or one of its regions (region rates win)', tags: ['admin: pricing'], security,
    request: { body: jsonBody(taxRateBody) },
    responses: { 200: jsonAnswer(taxRate, 'the rate') },
  }), async (c) => {
    const b = c.req.valid('json');
    await pg.query(
      `INSERT INTO tax_rates (country, region, rate_bps, inclusive) VALUES ($1, $2, $3, $4)
       ON CONFLICT (country, region) DO UPDATE SET rate_bps = EXCLUDED.rate_bps, inclusive = EXCLUDED.inclusive, updated_at = now()`,
      [b.country, b.region, b.rateBps, b.inclusive]);
    return c.json(b, 200);
  });

  router.openapi(apiRoute({
    method: 'get', path: '/v1/admin/tax-rates', summary: 'Every tax rate', tags: ['admin: pricing'], security,
    responses: { 200: jsonAnswer(z.object({ rates: z.array(taxRate) }), 'rates by country and region') },
  }), async (c) => {
    const { rows } = await pg.query<z.infer<typeof taxRate>>(`SELECT country, region, rate_bps AS "rateBps", inclusive FROM tax_rates ORDER BY country, region`);
    return c.json({ rates: rows }, 200);
  });

  router.openapi(apiRoute({
    method: 'post', path: '/v1/admin/promo-codes', summary: 'Create a promo code for one event or every event of this organiser', tags: ['admin: promo codes'], security,
    request: { body: jsonBody(promoBody) },
    responses: { 201: jsonAnswer(promoCode, 'the code (stored upper-cased: codes are case-insensitive)'), 409: { description: 'promo_code_taken' }, 422: { description: 'unknown_event' } },
  }), async (c) => {
    const b = c.req.valid('json');
    const organiser = organiserOf(c.get('user').userId);
    if (b.eventId) {
      const ev = await pg.query<{ organiser_id: string | null }>('SELECT organiser_id FROM events WHERE id = $1', [b.eventId]);
      if (!ev.rows[0]) throw new Problem(422, 'unknown_event', `no event ${b.eventId}`);
    }
    let id: string;
    try {
      const ins = await pg.query<{ id: string }>(
        `INSERT INTO promo_codes (code, organiser_id, event_id, kind, value, currency, tier_codes, min_quantity, valid_from, valid_until, max_uses, max_uses_per_buyer)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, coalesce($9::timestamptz, now()), $10, $11, $12) RETURNING id`,
        [b.code, organiser, b.eventId ?? null, b.kind, b.value, b.currency ?? null, b.tierCodes, b.minQuantity, b.validFrom ?? null, b.validUntil ?? null, b.maxUses, b.maxUsesPerBuyer ?? null]);
      id = ins.rows[0]!.id;
    } catch (err) {
      if ((err as { constraint?: string }).constraint === 'promo_codes_code') throw new Problem(409, 'promo_code_taken', 'that code exists already');
      throw err;
    }
    const { rows } = await pg.query<z.infer<typeof promoCode>>(`${PROMO_SELECT} WHERE c.id = $1`, [id]);
    return c.json(rows[0]!, 201);
  });

  router.openapi(apiRoute({
    method: 'get', path: '/v1/admin/promo-codes', summary: 'The latest 500 promo codes, with uses taken and redeemed', tags: ['admin: promo codes'], security,
    responses: { 200: jsonAnswer(z.object({ codes: z.array(promoCode) }), 'codes, newest first') },
  }), async (c) => {
    const { rows } = await pg.query<z.infer<typeof promoCode>>(`${PROMO_SELECT} ORDER BY c.created_at DESC LIMIT 500`);
    return c.json({ codes: rows }, 200);
  });

  router.openapi(apiRoute({
    method: 'patch', path: '/v1/admin/promo-codes/{id}', summary: 'Stop (or restart) a promo code; uses already taken stand', tags: ['admin: promo codes'], security,
    request: { params: idParams, body: jsonBody(z.strictObject({ disabled: z.boolean() })) },
    responses: { 200: jsonAnswer(promoCode, 'the code') },
  }), async (c) => {
    const { id } = c.req.valid('param');
    await pg.query('UPDATE promo_codes SET disabled = $2 WHERE id = $1', [id, c.req.valid('json').disabled]);
    const { rows } = await pg.query<z.infer<typeof promoCode>>(`${PROMO_SELECT} WHERE c.id = $1`, [id]);
    if (!rows[0]) throw new Problem(404, 'promo_code_not_found', `no promo code ${id}`);
    return c.json(rows[0], 200);
  });

  router.openapi(apiRoute({
    method: 'put', path: '/v1/admin/organisers/{id}/loyalty-rate', summary: 'Set the loyalty points an organiser\'s orders earn', tags: ['admin: loyalty'], security,
    request: { params: idParams, body: jsonBody(loyaltyBody) },
    responses: { 200: jsonAnswer(z.object({ organiserId: z.string(), earnBps: z.number().int() }), 'the rate'), 422: { description: 'not_an_organiser' } },
  }), async (c) => {
    const { id } = c.req.valid('param');
    const { earnBps } = c.req.valid('json');
    const res = await pg.query(
      `INSERT INTO loyalty_rates (organiser_id, earn_bps) SELECT id, $2 FROM users WHERE id = $1 AND role = 'admin'
       ON CONFLICT (organiser_id) DO UPDATE SET earn_bps = EXCLUDED.earn_bps, updated_at = now()`, [id, earnBps]);
    if (res.rowCount !== 1) throw new Problem(422, 'not_an_organiser', `${id} is no organiser (admin) account`);
    return c.json({ organiserId: id, earnBps }, 200);
  });

  return router;
}
