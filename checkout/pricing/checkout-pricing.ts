/**
 * Pricing a hold at checkout: the event's fee and tax, one promo code, points. `fix` decides the
 * price ONCE, in one Postgres transaction that also takes the code's use and spends the points
 * (so the redemption stands or falls with the authorization that follows: a payment that ends
 * without a sale gives both back through the triggers of 0032_loyalty_points.sql). The payment,
 * the order, the e-mail and the refund then read that row (hold_prices), never a recomputation.
 */
import type { PgClient, PgPool } from '../../common/postgres-pool.js';
import { createTtlCache } from '../../common/ttl-cache.js';
import type { HeldItem } from '../../inventory/inventory-api.js';
import { inTransaction } from '../../common/postgres-pool.js';
import { CheckoutError } from '../checkout-errors.js';
import { plainBreakdown, priceBreakdown, type EventPricing, type PriceBreakdown, type PromoTerms } from './price-breakdown.js';

export interface SalePricing extends EventPricing {
  eventId: string;
  organiserId: string | null;
}

export interface PricingRequest {
  holdId: string;
  saleId: string;
  items: HeldItem[];
  email: string;
  userId?: string | undefined;
  promoCode?: string | undefined;
  points?: number | undefined;
}

const CODE_SHAPE = /^[A-Z0-9_-]{4,32}$/;
/** Codes are case-insensitive: stored and compared upper-cased. */
export function normalizePromoCode(code: string): string {
  return code.trim().toUpperCase();
}

/** Every refusal of a code says the same thing, whatever the reason: no oracle for guessing. */
export const zeroTotal = (pointsSpent: number) => new CheckoutError('zero_total', pointsSpent > 0
  ? 'with this code and these points the order costs nothing, and a payment of 0 cannot be taken: spend fewer points'
  : 'with this code the order costs nothing, and a payment of 0 cannot be taken: ask the organiser for a free-ticket option', { pointsSpent });
export const invalidCode = () => new CheckoutError('promo_code_invalid', 'this promo code is not valid for this order');

const buyerOf = (r: Pick<PricingRequest, 'userId' | 'email'>) => r.userId ?? `email:${r.email.toLowerCase()}`;

interface PromoRow {
  id: string; code: string; kind: 'percent' | 'fixed'; value: number; currency: string | null; tier_codes: string[];
  min_quantity: number; max_uses: number; max_uses_per_buyer: number | null; uses: number;
}

const PROMO_MATCH = `upper(c.code) = $1 AND NOT c.disabled AND c.valid_from <= now() AND (c.valid_until IS NULL OR c.valid_until > now())
  AND (c.event_id = $2 OR (c.event_id IS NULL AND c.organiser_id IS NOT DISTINCT FROM $3))`;
const PROMO_COLUMNS = 'c.id, c.code, c.kind, c.value, c.currency, c.tier_codes, c.min_quantity, c.max_uses, c.max_uses_per_buyer, c.uses';

/** The terms when the code fits this order (quantity, currency, tiers), else the uniform refusal. */
function termsFor(row: PromoRow | undefined, req: PricingRequest, pricing: SalePricing): PromoTerms {
  if (!row) throw invalidCode();
  if (req.items.length < row.min_quantity) throw invalidCode();
  if (row.kind === 'fixed' && row.currency !== pricing.currency) throw invalidCode();
  if (row.tier_codes.length > 0 && !req.items.some((i) => row.tier_codes.includes(i.tierCode))) throw invalidCode();
  return { code: row.code, kind: row.kind, value: row.value, tierCodes: row.tier_codes };
}

async function buyerUses(client: PgClient | PgPool, codeId: string, buyer: string, exceptHold: string): Promise<number> {
  const { rows } = await client.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM promo_redemptions WHERE code_id = $1 AND buyer = $2 AND status <> 'released' AND hold_id <> $3`, [codeId, buyer, exceptHold]);
  return rows[0]!.n;
}

/** Another checkout of the same hold priced it first: this transaction must take nothing. */
class RacedError extends Error {}

const constraintOf = (err: unknown) => (err as { constraint?: string }).constraint;

export interface CheckoutPricing {
  /** The event's fee and tax for a sale, cached a few seconds: what a hold shows before checkout (the hot path). Checkout reads them fresh. */
  salePricing(saleId: string): Promise<SalePricing>;
  /** What the hold would cost with this code and these points; takes nothing. */
  quote(req: PricingRequest): Promise<PriceBreakdown>;
  /** Decides the price once: takes the code's use and spends the points, atomically. Idempotent per hold. */
  fix(req: PricingRequest): Promise<PriceBreakdown>;
  /** The price fixed at checkout, if any. */
  fixed(holdId: string): Promise<PriceBreakdown | null>;
  /** What a hold shows: its fixed price, else the event's fee and tax without discounts. */
  forHold(holdId: string, saleId: string, items: HeldItem[], currency: string): Promise<PriceBreakdown>;
  /** The event's fee and tax on these items, no discounts; no Postgres read beyond the cached pricing. */
  forUnpricedHold(saleId: string, items: HeldItem[], currency: string): Promise<PriceBreakdown>;
  /** After the order is confirmed (re-run safely by every commit retry): the use is redeemed, points earned. */
  afterConfirmed(holdId: string): Promise<void>;
  /** afterConfirmed for a batch of orders (the worker's group commit), in the same one statement. */
  afterConfirmedMany(holdIds: string[]): Promise<void>;
}

export function createCheckoutPricing(pg: PgPool, options: { loyaltyEarnBps: number; cacheMs?: number }): CheckoutPricing {
  const cache = createTtlCache<string, SalePricing>({ ttlMs: options.cacheMs ?? 5000, max: 5000 });

  async function loadSalePricing(saleId: string): Promise<SalePricing> {
    const { rows } = await pg.query<{ event_id: string; currency: string; fee_fixed_minor: number; fee_percent_bps: number; organiser_id: string | null; rate_bps: number; inclusive: boolean }>(
      `SELECT e.id AS event_id, e.currency, e.fee_fixed_minor, e.fee_percent_bps, e.organiser_id,
              coalesce(tr.rate_bps, tc.rate_bps, 0) AS rate_bps, coalesce(tr.inclusive, tc.inclusive, false) AS inclusive
       FROM sales s JOIN events e ON e.id = s.event_id JOIN venues v ON v.id = e.venue_id
       LEFT JOIN tax_rates tr ON tr.country = v.country AND tr.region = v.region AND v.region <> ''
       LEFT JOIN tax_rates tc ON tc.country = v.country AND tc.region = ''
       WHERE s.id = $1`, [saleId]);
    const r = rows[0];
    if (!r) throw new CheckoutError('hold_not_found', `no sale ${saleId}`);
    return { eventId: r.event_id, organiserId: r.organiser_id, currency: r.currency, feeFixedMinor: r.fee_fixed_minor, feePercentBps: r.fee_percent_bps, taxRateBps: r.rate_bps, taxInclusive: r.inclusive };
  }
  const salePricing = (saleId: string) => cache.get(saleId, () => loadSalePricing(saleId));

  async function forUnpricedHold(saleId: string, items: HeldItem[], currency: string): Promise<PriceBreakdown> {
    try {
      return priceBreakdown(items, await salePricing(saleId));
    } catch (err) {
      if (err instanceof CheckoutError) return plainBreakdown(items, currency);
      throw err;
    }
  }

  function checkPoints(req: PricingRequest): number {
    const points = req.points ?? 0;
    if (points > 0 && !req.userId) throw new CheckoutError('points_need_account', 'log in to spend points');
    return points;
  }

  async function fixed(holdId: string): Promise<PriceBreakdown | null> {
    const { rows } = await pg.query<{ breakdown: PriceBreakdown }>('SELECT breakdown FROM hold_prices WHERE hold_id = $1', [holdId]);
    return rows[0]?.breakdown ?? null;
  }

  /** A repeated checkout must ask for the same code and points as the one that priced the hold. */
  function sameAsBefore(b: PriceBreakdown, req: PricingRequest): PriceBreakdown {
    const code = req.promoCode ? normalizePromoCode(req.promoCode) : null;
    const asked = req.points ?? 0;
    // points asked beyond what the order could take were capped: asking the same again is the same
    const samePoints = asked === b.pointsSpent || (asked > b.pointsSpent && b.pointsSpent === b.ticketsMinor - b.promoDiscountMinor);
    if (code !== b.promoCode || !samePoints) {
      throw new CheckoutError('checkout_priced', 'this hold was already priced at checkout with another code or other points; release it and hold again to change them', { breakdown: b });
    }
    return b;
  }

  async function afterConfirmedMany(holdIds: string[]): Promise<void> {
    // ONE statement (one round trip, one implicit transaction): the use becomes redeemed, and the
    // account earns under a share lock on the confirmed order, so a cancellation (FOR UPDATE)
    // either came first (nothing is earned) or waits and then reverses what was earned.
    await pg.query({
      name: 'usher-after-confirmed',
      text: `WITH redeemed AS (
               UPDATE promo_redemptions SET status = 'redeemed' WHERE hold_id = ANY($1::text[]) AND status = 'reserved' RETURNING 1
             ), o AS (
               SELECT o.id, o.user_id, (o.amount_minor::bigint * coalesce(r.earn_bps, $2) / 10000)::int AS earned
               FROM orders o JOIN events e ON e.id = o.event_id LEFT JOIN loyalty_rates r ON r.organiser_id = e.organiser_id
               WHERE o.id = ANY($1::text[]) AND o.status = 'confirmed' AND o.user_id IS NOT NULL FOR SHARE OF o
             )
             SELECT (SELECT count(*) FROM redeemed) AS redeemed, loyalty_post(o.user_id, o.id, 'earn', o.earned) FROM o WHERE o.earned > 0`,
      values: [holdIds, options.loyaltyEarnBps],
    });
  }

  return {
    salePricing,
    fixed,

    async quote(req) {
      const pricing = await loadSalePricing(req.saleId); // fresh: this is money, not the hot hold path
      const points = checkPoints(req);
      let promo: PromoTerms | null = null;
      if (req.promoCode) {
        const code = normalizePromoCode(req.promoCode);
        if (!CODE_SHAPE.test(code)) throw invalidCode();
        const { rows } = await pg.query<PromoRow>(`SELECT ${PROMO_COLUMNS} FROM promo_codes c WHERE ${PROMO_MATCH}`, [code, pricing.eventId, pricing.organiserId]);
        const row = rows[0];
        promo = termsFor(row && row.uses < row.max_uses ? row : undefined, req, pricing);
        if (row!.max_uses_per_buyer !== null && (await buyerUses(pg, row!.id, buyerOf(req), req.holdId)) >= row!.max_uses_per_buyer) throw invalidCode();
      }
      if (points > 0) {
        const { rows } = await pg.query<{ balance: number }>('SELECT balance FROM loyalty_accounts WHERE user_id = $1', [req.userId]);
        if ((rows[0]?.balance ?? 0) < points) throw new CheckoutError('points_insufficient', `you have ${rows[0]?.balance ?? 0} points`, { balance: rows[0]?.balance ?? 0 });
      }
      return priceBreakdown(req.items, pricing, promo, points);
    },

    async fix(req) {
      const before = await fixed(req.holdId);
      if (before) return sameAsBefore(before, req);
      const pricing = await loadSalePricing(req.saleId); // fresh: this is money, not the hot hold path
      const points = checkPoints(req);
      const code = req.promoCode ? normalizePromoCode(req.promoCode) : null;
      if (code !== null && !CODE_SHAPE.test(code)) throw invalidCode();
      const outcome = await inTransaction(pg, async (tx) => {
        let promo: PromoTerms | null = null;
        let codeId: string | null = null;
        if (code !== null) {
          // Take the use first: the UPDATE locks the code's row, so everything below (the buyer's
          // count included) is serialized per code; promo_codes_uses_within_max refuses use max+1.
          let row: PromoRow | undefined;
          try {
            ({ rows: [row] } = await tx.query<PromoRow>(`UPDATE promo_codes c SET uses = c.uses + 1 WHERE ${PROMO_MATCH} RETURNING ${PROMO_COLUMNS}`, [code, pricing.eventId, pricing.organiserId]));
          } catch (err) {
            if (constraintOf(err) === 'promo_codes_uses_within_max') throw invalidCode();
            throw err;
          }
          promo = termsFor(row, req, pricing);
          codeId = row!.id;
          if (row!.max_uses_per_buyer !== null && (await buyerUses(tx, row!.id, buyerOf(req), req.holdId)) >= row!.max_uses_per_buyer) throw invalidCode();
        }
        const b = priceBreakdown(req.items, pricing, promo, points);
        // Nothing to pay: refused before anything is written (the use and the points roll back), so
        // no gateway is ever asked to authorize 0 and no order exists that nobody paid for.
        if (b.totalMinor <= 0) throw zeroTotal(b.pointsSpent);
        const ins = await tx.query(
          `INSERT INTO hold_prices (hold_id, sale_id, user_id, email, breakdown, total_minor, currency) VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT (hold_id) DO NOTHING`,
          [req.holdId, req.saleId, req.userId ?? null, req.email, JSON.stringify(b), b.totalMinor, b.currency]);
        // a concurrent checkout of the same hold priced it first: this one takes nothing (rolled back)
        if (ins.rowCount !== 1) throw new RacedError();
        if (codeId) await tx.query(`INSERT INTO promo_redemptions (hold_id, code_id, buyer, status) VALUES ($1, $2, $3, 'reserved')`, [req.holdId, codeId, buyerOf(req)]);
        if (b.pointsSpent > 0) {
          try {
            await tx.query(`SELECT loyalty_post($1, $2, 'spend', $3)`, [req.userId, req.holdId, -b.pointsSpent]);
          } catch (err) {
            if (constraintOf(err) === 'loyalty_balance_not_negative') throw new CheckoutError('points_insufficient', 'not enough points');
            throw err;
          }
        }
        return { raced: false as const, breakdown: b };
      }).catch((err: unknown) => {
        if (err instanceof RacedError) return { raced: true as const };
        throw err;
      });
      if (!outcome.raced) return outcome.breakdown;
      const now = await fixed(req.holdId);
      if (!now) throw new Error(`hold ${req.holdId} priced concurrently but no price found`);
      return sameAsBefore(now, req);
    },

    async forHold(holdId, saleId, items, currency) {
      return (await fixed(holdId)) ?? forUnpricedHold(saleId, items, currency);
    },

    forUnpricedHold,

    afterConfirmed: (holdId) => afterConfirmedMany([holdId]),
    afterConfirmedMany,
  };
}
