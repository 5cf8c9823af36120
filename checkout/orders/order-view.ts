/** What the buyer sees of an order: event, tickets with their seats, payment and refund state. */
import { z } from 'zod';
import type { PgPool } from '../../common/postgres-pool.js';
import { paymentForHold } from '../payments/payment-records.js';
import { refundFor } from './order-cancellation.js';
import { plainBreakdown, type PriceBreakdown } from '../pricing/price-breakdown.js';
import { priceBreakdownSchema } from '../pricing/pricing-schemas.js';

export const orderViewSchema = z.object({
  orderId: z.string(),
  /** The number fans read and quote (USH-XXXXXX); null while the payment is still being confirmed. */
  number: z.string().nullable(),
  status: z.enum(['processing', 'committed', 'confirmed', 'cancelled', 'payment_cancelled', 'payment_failed']),
  email: z.string(),
  amountMinor: z.number().int().describe('the total paid: breakdown.totalMinor'),
  currency: z.string(),
  breakdown: priceBreakdownSchema.nullable().describe('the price fixed at checkout: tickets, discounts, fee, tax, total'),
  failureReason: z.string().nullable(),
  event: z.object({ id: z.string(), title: z.string(), venue: z.string(), startsAt: z.string(), saleId: z.string().describe('the sale it was bought in (its page: GET /v1/sales/{sale}/page)') }).nullable(),
  tickets: z.array(z.object({ id: z.string(), label: z.string(), tierCode: z.string(), priceMinor: z.number().int(), status: z.enum(['live', 'void']) })),
  refund: z.object({ amountMinor: z.number().int(), status: z.string() }).nullable(),
  /** What a fan cancellation would refund right now (null when not cancellable). */
  refundIfCancelledMinor: z.number().int().nullable(),
});
export type OrderView = z.infer<typeof orderViewSchema>;

interface OrderRow {
  id: string; number: string; status: 'committed' | 'confirmed' | 'cancelled'; email: string; amount_minor: number; currency: string;
  event_id: string; sale_id: string; title: string; venue_name: string; starts_at: Date; refund_cutoff_s: number;
  tickets: { id: string; label: string; tier_code: string; price_minor: number; status: 'live' | 'void' }[];
  refund: { amount_minor: number; status: string } | null;
  breakdown: PriceBreakdown | null;
}

const orderSelect = `SELECT o.id, o.number, o.status, o.email, o.amount_minor, o.currency, e.id AS event_id, o.sale_id, e.title, e.venue_name, e.starts_at, e.refund_cutoff_s,
             COALESCE((SELECT json_agg(json_build_object('id', t.id, 'label', sec.name || COALESCE(', row ' || st.row_label || ', seat ' || st.number, ' (standing)'),
                                                         'tier_code', t.tier_code, 'price_minor', t.price_minor, 'status', t.status)
                                       ORDER BY sec.position, st.row_label, st.number, t.id)
                       FROM tickets t JOIN sections sec ON sec.id = t.section_id LEFT JOIN seats st ON st.id = t.seat_id
                       WHERE t.order_id = o.id), '[]') AS tickets,
             (SELECT json_build_object('amount_minor', r.amount_minor, 'status', r.status) FROM refunds r WHERE r.order_id = o.id) AS refund,
             (SELECT hp.breakdown FROM hold_prices hp WHERE hp.hold_id = o.id) AS breakdown
           FROM orders o JOIN events e ON e.id = o.event_id `;

/**
 * The order, or, before it exists, what its payment says; null when neither exists. One named
 * statement (order, event, tickets with their seats, refund): the order page and every e-mail read it.
 */
export async function readOrder(pg: PgPool, orderId: string): Promise<OrderView | null> {
  const { rows } = await pg.query<OrderRow>({ name: 'usher-read-order', text: `${orderSelect}WHERE o.id = $1`, values: [orderId] });
  const o = rows[0];
  if (!o) {
    const p = await paymentForHold(pg, orderId);
    if (!p) return null;
    const status = p.status === 'cancelled' ? 'payment_cancelled' : p.status === 'failed' ? 'payment_failed' : 'processing';
    const fixed = await pg.query<{ breakdown: PriceBreakdown }>('SELECT breakdown FROM hold_prices WHERE hold_id = $1', [orderId]);
    return {
      orderId, number: null, status, email: p.email, amountMinor: p.amountMinor, currency: p.currency, breakdown: fixed.rows[0]?.breakdown ?? null,
      failureReason: p.failureReason, event: null, tickets: [], refund: null, refundIfCancelledMinor: null,
    };
  }
  return viewOf(o);
}

/** Several orders that exist, in one statement (a batch of e-mails); an id without an order is left out. */
export async function readOrders(pg: PgPool, orderIds: string[]): Promise<Map<string, OrderView>> {
  const { rows } = await pg.query<OrderRow>({ name: 'usher-read-orders', text: `${orderSelect}WHERE o.id = ANY($1::text[])`, values: [orderIds] });
  return new Map(rows.map((o) => [o.id, viewOf(o)]));
}

function viewOf(o: OrderRow): OrderView {
  const r = o.refund;
  return {
    orderId: o.id, number: o.number, status: o.status, email: o.email, amountMinor: o.amount_minor, currency: o.currency, failureReason: null,
    // orders from before price breakdowns: the tickets were the whole price
    breakdown: o.breakdown ?? plainBreakdown(o.tickets.map((t) => ({ tierCode: t.tier_code, priceMinor: t.price_minor })), o.currency),
    event: { id: o.event_id, title: o.title, venue: o.venue_name, startsAt: o.starts_at.toISOString(), saleId: o.sale_id },
    tickets: o.tickets.map((t) => ({ id: t.id, label: t.label, tierCode: t.tier_code, priceMinor: t.price_minor, status: t.status })),
    refund: r ? { amountMinor: r.amount_minor, status: r.status } : null,
    refundIfCancelledMinor: o.status === 'confirmed' ? refundFor('fan_request', o.amount_minor, o.starts_at, o.refund_cutoff_s) : null,
  };
}
