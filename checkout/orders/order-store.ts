/**
 * The commit's Postgres step: order, tickets and the payment link in ONE transaction, idempotent.
 * The order's primary key (the hold id) makes a re-run a no-op; the unique live (event, seat)
 * index makes a seat sold twice impossible even if Redis were wrong.
 */
import { inTransaction, type PgPool } from '../../common/postgres-pool.js';
import type { HeldItem } from '../../inventory/inventory-api.js';

export type OrderStatus = 'committed' | 'confirmed' | 'cancelled';

export interface OrderWrite {
  orderId: string;
  saleId: string;
  email: string;
  paymentIntentId: string;
  amountMinor: number;
  currency: string;
  items: HeldItem[];
}

/** Thrown when Postgres already has a live ticket for one of the seats: the hold cannot be sold. */
export class SeatConflictError extends Error {
  constructor(readonly orderId: string) {
    super(`a seat of ${orderId} already has a live ticket`);
    this.name = 'SeatConflictError';
  }
}

/** Thrown when the event was cancelled before this order could be written: no sale. */
export class EventCancelledError extends Error {
  constructor(readonly orderId: string) {
    super(`the event of ${orderId} is cancelled`);
    this.name = 'EventCancelledError';
  }
}

/**
 * Writes the order once, in ONE statement (so one round trip and one implicit transaction): the
 * event row is locked FOR SHARE, which orders us against an event cancellation (either the
 * cancel's UPDATE committed first and nothing is written, or it waits for us and then finds this
 * order to refund); then the order, its tickets and the payment link. Returns whether this call
 * created the order, and when the event starts (for the reminder). The order belongs to the account
 * that checked out logged in (the payment row's user), if any. Named statements (here and in
 * markConfirmed): each pooled connection parses and plans them once, not once per order.
 */
export async function writeOrder(pg: PgPool, w: OrderWrite): Promise<{ created: boolean; eventStartsAt: Date }> {
  let row: { event_status: string | null; starts_at: Date | null; created: number } | undefined;
  try {
    ({ rows: [row] } = await pg.query<{ event_status: string | null; starts_at: Date | null; created: number }>({
      name: 'usher-write-order',
      text: `WITH ev AS (
         SELECT s.id AS sale_id, s.event_id, e.status, e.starts_at
         FROM sales s JOIN events e ON e.id = s.event_id WHERE s.id = $2 FOR SHARE OF e
       ), ins AS (
         INSERT INTO orders (id, sale_id, event_id, email, payment_intent_id, amount_minor, currency, status, user_id)
         SELECT $1, ev.sale_id, ev.event_id, $3, $4, $5, $6, 'committed',
                (SELECT p.user_id FROM payments p WHERE p.payment_intent_id = $4)
         FROM ev WHERE ev.status <> 'cancelled'
         ON CONFLICT (id) DO NOTHING RETURNING id, event_id
       ), tix AS (
         INSERT INTO tickets (order_id, event_id, section_id, seat_id, tier_code, price_minor)
         SELECT ins.id, ins.event_id, t.section_id, t.seat_id, t.tier_code, t.price_minor
         FROM ins, unnest($7::uuid[], $8::bigint[], $9::text[], $10::int[]) AS t(section_id, seat_id, tier_code, price_minor)
         RETURNING 1
       ), pay AS (
         UPDATE payments SET order_id = $1, updated_at = now(),
                status = CASE WHEN status IN ('requires_payment', 'failed') THEN 'authorized' ELSE status END
         WHERE payment_intent_id = $4 AND EXISTS (SELECT 1 FROM ins) RETURNING 1
       )
       SELECT (SELECT status FROM ev) AS event_status, (SELECT starts_at FROM ev) AS starts_at,
              (SELECT count(*) FROM ins)::int AS created, (SELECT count(*) FROM tix)::int AS tickets, (SELECT count(*) FROM pay)::int AS linked`,
      values: [
        w.orderId, w.saleId, w.email, w.paymentIntentId, w.amountMinor, w.currency,
        w.items.map((i) => i.sectionId), w.items.map((i) => i.seatId), w.items.map((i) => i.tierCode), w.items.map((i) => i.priceMinor),
      ],
    }));
  } catch (err) {
    if ((err as { code?: string; constraint?: string }).constraint === 'tickets_live_seat') throw new SeatConflictError(w.orderId);
    throw err;
  }
  if (!row?.starts_at) throw new Error(`sale ${w.saleId} of order ${w.orderId} does not exist`);
  if (row.created === 0 && row.event_status === 'cancelled') throw new EventCancelledError(w.orderId);
  return { created: row.created === 1, eventStartsAt: row.starts_at };
}

/** After capture and finalize: the payment is captured and the order confirmed, in one statement. */
export async function markConfirmed(pg: PgPool, orderId: string, paymentIntentId: string): Promise<void> {
  await pg.query({
    name: 'usher-mark-confirmed',
    text: `WITH p AS (
             UPDATE payments SET status = 'captured', updated_at = now()
             WHERE payment_intent_id = $2 AND status IN ('requires_payment', 'authorized', 'failed') RETURNING 1
           )
           UPDATE orders SET status = 'confirmed', updated_at = now() WHERE id = $1 AND status = 'committed'`,
    values: [orderId, paymentIntentId],
  });
}

/** The capture failed for good: the order never happened (tickets void, payment failed). */
export async function voidUncapturedOrder(pg: PgPool, orderId: string, paymentIntentId: string, reason: string): Promise<void> {
  await inTransaction(pg, async (tx) => {
    const res = await tx.query(`UPDATE orders SET status = 'cancelled', cancelled_at = now(), updated_at = now() WHERE id = $1 AND status = 'committed'`, [orderId]);
    if (res.rowCount !== 1) return;
    await tx.query(`UPDATE tickets SET status = 'void', voided_at = now() WHERE order_id = $1 AND status = 'live'`, [orderId]);
    await tx.query(`UPDATE payments SET status = 'failed', failure_reason = $2, updated_at = now() WHERE payment_intent_id = $1`, [paymentIntentId, reason]);
  });
}
