/**
 * What a fan is told about a hold: the Redis hold when it still exists, else what Postgres knows
 * (the order it became, or the payment that was cancelled because the seats were lost).
 */
import type { Hold } from '../../inventory/inventory-api.js';
import type { CheckoutServices } from '../checkout-services.js';
import { CheckoutError } from '../checkout-errors.js';
import { paymentForHold, type PaymentRow } from '../payments/payment-records.js';
import type { HoldView } from './hold-schemas.js';
import { plainBreakdown, type PriceBreakdown } from '../pricing/price-breakdown.js';
import { passOf } from '../../admission/pass-holder.js';

export function holdView(hold: Hold | null, payment: PaymentRow | null, orderId: string | null, breakdown?: PriceBreakdown, nowMs = Date.now()): HoldView {
  const snap = payment?.snapshot;
  const items = hold?.items ?? snap?.items ?? [];
  const currency = hold?.currency ?? snap?.currency ?? '';
  const lost = !orderId && payment?.status === 'cancelled' && (payment.failureReason === 'hold_lost' || payment.failureReason === 'seat_conflict');
  return {
    holdId: hold?.holdId ?? payment?.holdId ?? '',
    saleId: hold?.saleId ?? snap?.saleId ?? '',
    state: orderId ? (hold?.state === 'CLAIMED' ? 'CLAIMED' : 'SOLD') : lost ? 'LOST' : (hold?.state ?? 'EXPIRED'),
    items,
    amountMinor: hold?.amountMinor ?? snap?.amountMinor ?? 0,
    currency,
    breakdown: breakdown ?? plainBreakdown(items, currency || 'EUR'),
    deadline: hold ? new Date(hold.deadlineMs).toISOString() : null,
    secondsLeft: hold && hold.state === 'HELD' ? Math.max(0, Math.floor((hold.deadlineMs - nowMs) / 1000)) : 0,
    extended: hold?.extended ?? false,
    payment: payment ? { paymentIntentId: payment.paymentIntentId, gateway: payment.gateway, status: payment.status, failureReason: payment.failureReason } : null,
    orderId,
  };
}

/**
 * The hold and its records, checked to belong to the pass `jti`. Throws 404/403. `read`: the
 * hold's read when the caller started it already (with the pass check: hold-routes.ts).
 *
 * A hold still HELD without the payment grace has no order (an order needs a claim first) and no
 * payment the fan could have confirmed (checkout grants the grace before it hands out the client
 * secret), so Postgres is asked only when Redis says the hold went further or is gone: the hot
 * shopping path (hold, look, release) stays on Redis.
 */
export async function ownedHold(
  deps: CheckoutServices, holdId: string, jti: string, read: Promise<Hold | null> = deps.inventory.getHold(holdId),
): Promise<{ hold: Hold | null; payment: PaymentRow | null; orderId: string | null }> {
  const hold = await read;
  if (hold?.state === 'HELD' && !hold.extended) {
    if (passOf(hold.passJti) !== jti) throw new CheckoutError('hold_not_yours', 'this hold belongs to another admission pass');
    return { hold, payment: null, orderId: null };
  }
  const [payment, order] = await Promise.all([
    paymentForHold(deps.ctx.pg, holdId),
    deps.ctx.pg.query<{ id: string }>('SELECT id FROM orders WHERE id = $1', [holdId]),
  ]);
  const owner = hold?.passJti ?? payment?.snapshot.passJti;
  if (!owner) throw new CheckoutError('hold_not_found', `no hold ${holdId}`);
  if (passOf(owner) !== jti) throw new CheckoutError('hold_not_yours', 'this hold belongs to another admission pass');
  return { hold, payment, orderId: order.rows[0]?.id ?? null };
}

/** A HELD hold without the payment grace and without a payment was never checked out: no price was fixed for it yet (see ownedHold). */
export const neverCheckedOut = (hold: Hold | null, payment: PaymentRow | null): boolean => hold?.state === 'HELD' && !hold.extended && !payment;

/**
 * The hold's view with its price: fixed at checkout, else the event's fee and tax (cached).
 * `unpriced`: the hold is known never to have been checked out (default: as it stands now), so
 * hold_prices is not asked. A release passes what the hold was before it was released: a plain
 * hold released is the hot shopping path, and it then shows what it showed while HELD.
 */
export async function pricedHoldView(deps: CheckoutServices, hold: Hold | null, payment: PaymentRow | null, orderId: string | null, unpriced = neverCheckedOut(hold, payment)): Promise<HoldView> {
  const holdId = hold?.holdId ?? payment?.holdId;
  const saleId = hold?.saleId ?? payment?.snapshot.saleId;
  const items = hold?.items ?? payment?.snapshot.items ?? [];
  const currency = hold?.currency ?? payment?.snapshot.currency;
  if (!holdId || !saleId || !currency) return holdView(hold, payment, orderId);
  const breakdown = unpriced
    ? await deps.pricing.forUnpricedHold(saleId, items, currency)
    : await deps.pricing.forHold(holdId, saleId, items, currency);
  return holdView(hold, payment, orderId, breakdown);
}
