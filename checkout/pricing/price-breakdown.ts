/**
 * The one price computation of an order: tickets, promo discount, points discount, service fee,
 * tax, total. Pure and in integer minor units (the currency's own: yen have none, dinars three;
 * see common/money.ts). Every division rounds half up, once per documented step, so the hold view,
 * the checkout page, the payment, the order, the e-mail and the refund all read the same numbers:
 * they are computed here once, at checkout, and stored (hold_prices), never recomputed elsewhere.
 *
 * Order of the steps:
 *   tickets   = Σ ticket prices
 *   fee       = Σ per ticket (fixed + price × feeBps / 10 000, rounded half up per ticket)
 *   promo     = on the tickets of the tiers the code applies to: percent (rounded half up once on
 *               their sum) or fixed (capped at their sum)
 *   points    = 1 point = 1 minor unit, capped at tickets − promo (fees are not discounted)
 *   net       = tickets − promo − points + fee
 *   tax       exclusive: net × rate / 10 000 rounded half up, added;
 *             inclusive: net − round(net × 10 000 / (10 000 + rate)), already in net
 *   total     = net (+ tax when exclusive) — the amount authorized, captured and refunded
 */
import { formatMoney } from '../../common/money.js';

export interface PricedItem {
  tierCode: string;
  priceMinor: number;
}

export interface EventPricing {
  currency: string;
  /** Fixed service fee per ticket, minor units. */
  feeFixedMinor: number;
  /** Service fee per ticket as basis points of its price (250 = 2.5%). */
  feePercentBps: number;
  /** Tax rate in basis points (2000 = 20%); 0 for none. */
  taxRateBps: number;
  /** true: ticket prices and fees already include the tax; false: it is added on top. */
  taxInclusive: boolean;
}

export interface PromoTerms {
  code: string;
  kind: 'percent' | 'fixed';
  /** percent: basis points (1000 = 10%); fixed: minor units off the order. */
  value: number;
  /** Tiers the code applies to; empty = every tier. */
  tierCodes: string[];
}

export interface PriceBreakdown {
  currency: string;
  ticketCount: number;
  ticketsMinor: number;
  promoCode: string | null;
  promoDiscountMinor: number;
  pointsSpent: number;
  pointsDiscountMinor: number;
  serviceFeeMinor: number;
  taxRateBps: number;
  taxInclusive: boolean;
  taxMinor: number;
  totalMinor: number;
}

/** a × num / den rounded half up, exact for non-negative integers (BigInt: no float rounding). */
export function mulDivRoundHalfUp(a: number, num: number, den: number): number {
  if (!Number.isSafeInteger(a) || !Number.isSafeInteger(num) || !Number.isSafeInteger(den) || a < 0 || num < 0 || den <= 0) {
    throw new RangeError(`mulDivRoundHalfUp needs non-negative integers (got ${a}, ${num}, ${den})`);
  }
  const n = BigInt(a) * BigInt(num);
  const d = BigInt(den);
  return Number((n * 2n + d) / (2n * d));
}

const BPS = 10_000;

export function priceBreakdown(items: PricedItem[], pricing: EventPricing, promo: PromoTerms | null = null, pointsOffered = 0): PriceBreakdown {
  for (const i of items) if (!Number.isSafeInteger(i.priceMinor) || i.priceMinor < 0) throw new RangeError(`bad price ${i.priceMinor}`);
  if (!Number.isSafeInteger(pointsOffered) || pointsOffered < 0) throw new RangeError(`bad points ${pointsOffered}`);
  const ticketsMinor = items.reduce((s, i) => s + i.priceMinor, 0);
  const serviceFeeMinor = items.reduce((s, i) => s + pricing.feeFixedMinor + mulDivRoundHalfUp(i.priceMinor, pricing.feePercentBps, BPS), 0);

  let promoDiscountMinor = 0;
  if (promo) {
    const eligible = items.filter((i) => promo.tierCodes.length === 0 || promo.tierCodes.includes(i.tierCode)).reduce((s, i) => s + i.priceMinor, 0);
    promoDiscountMinor = promo.kind === 'percent' ? Math.min(eligible, mulDivRoundHalfUp(eligible, promo.value, BPS)) : Math.min(eligible, promo.value);
  }
  const pointsDiscountMinor = Math.min(pointsOffered, ticketsMinor - promoDiscountMinor);
  const net = ticketsMinor - promoDiscountMinor - pointsDiscountMinor + serviceFeeMinor;
  const taxMinor = pricing.taxRateBps === 0 ? 0
    : pricing.taxInclusive ? net - mulDivRoundHalfUp(net, BPS, BPS + pricing.taxRateBps)
      : mulDivRoundHalfUp(net, pricing.taxRateBps, BPS);
  return {
    currency: pricing.currency,
    ticketCount: items.length,
    ticketsMinor,
    promoCode: promo?.code ?? null,
    promoDiscountMinor,
    pointsSpent: pointsDiscountMinor,
    pointsDiscountMinor,
    serviceFeeMinor,
    taxRateBps: pricing.taxRateBps,
    taxInclusive: pricing.taxInclusive,
    taxMinor,
    totalMinor: pricing.taxInclusive ? net : net + taxMinor,
  };
}

/** A breakdown with no fee, tax or discount: what a hold is before its event's pricing is known. */
export function plainBreakdown(items: PricedItem[], currency: string): PriceBreakdown {
  return priceBreakdown(items, { currency, feeFixedMinor: 0, feePercentBps: 0, taxRateBps: 0, taxInclusive: false });
}

export interface BreakdownLine {
  key: 'tickets' | 'promo' | 'points' | 'fee' | 'tax' | 'total';
  label: string;
  amountMinor: number;
  text: string;
}

/**
 * The lines every place shows, in one order and with one wording: the e-mail prints these, the
 * pages print the same keys. Discounts are negative; an inclusive tax is shown but not added.
 */
export function breakdownLines(b: PriceBreakdown, locale = 'en-GB'): BreakdownLine[] {
  const pct = `${(b.taxRateBps / 100).toString()}%`;
  const lines: Omit<BreakdownLine, 'text'>[] = [
    { key: 'tickets', label: `Tickets (${b.ticketCount})`, amountMinor: b.ticketsMinor },
  ];
  if (b.promoDiscountMinor > 0) lines.push({ key: 'promo', label: `Promo code ${b.promoCode ?? ''}`.trim(), amountMinor: -b.promoDiscountMinor });
  if (b.pointsDiscountMinor > 0) lines.push({ key: 'points', label: `Points (${b.pointsSpent})`, amountMinor: -b.pointsDiscountMinor });
  if (b.serviceFeeMinor > 0) lines.push({ key: 'fee', label: 'Service fee', amountMinor: b.serviceFeeMinor });
  if (b.taxRateBps > 0) lines.push({ key: 'tax', label: b.taxInclusive ? `Tax ${pct} (included)` : `Tax ${pct}`, amountMinor: b.taxMinor });
  lines.push({ key: 'total', label: 'Total', amountMinor: b.totalMinor });
  return lines.map((l) => ({ ...l, text: l.amountMinor < 0 ? `−${formatMoney(-l.amountMinor, b.currency, locale)}` : formatMoney(l.amountMinor, b.currency, locale) }));
}
