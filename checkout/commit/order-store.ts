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

export async function orderStatus(pg: PgPool, orderId: string): Promise<{ status: OrderStatus; eventStartsAt: Date } | null> {
  const { rows } = await pg.query<{ status: OrderStatus; starts_at: Date }>(
    'SELECT o.status, e.starts_at FROM orders o JOIN events e ON e.id = o.event_id WHERE o.id = $1',
    [orderId],
  );
  return rows[0] ? { status: rows[0].status, eventStartsAt: rows[0].starts_at } : null;
}

/** Thrown when the event was cancelled before this order could be written: no sale. */
export class EventCancelledError extends Error {
  constructor(readonly orderId: string) {
    super(`the event of ${orderId} is cancelled`);
    this.name = 'EventCancelledError';
  }
}

/** Writes the order once; returns whether this call created it. */
export async function writeOrder(pg: PgPool, w: OrderWrite): Promise<boolean> {
  try {
    return await inTransaction(pg, async (tx) => {
      // FOR SHARE on the event row orders us against an event cancellation: either the cancel's
      // UPDATE committed first and we refuse, or it waits for us and then finds this order to refund.
      const event = await tx.query<{ status: string }>(
        `SELECT e.status FROM sales s JOIN events e ON e.id = s.event_id WHERE s.id = $1 FOR SHARE OF e`,
        [w.saleId],
      );
      if (event.rows[0]?.status === 'cancelled') throw new EventCancelledError(w.orderId);
      const inserted = await tx.query<{ event_id: string }>(
        `INSERT INTO orders (id, sale_id, event_id, email, payment_intent_id, amount_minor, currency, status)
         SELECT $1, s.id, s.event_id, $3, $4, $5, $6, 'committed' FROM sales s WHERE s.id = $2
         ON CONFLICT (id) DO NOTHING RETURNING event_id`,
        [w.orderId, w.saleId, w.email, w.paymentIntentId, w.amountMinor, w.currency],
      );
      const eventId = inserted.rows[0]?.event_id;
      if (!eventId) return false;
      await tx.query(
        `INSERT INTO tickets (order_id, event_id, section_id, seat_id, tier_code, price_minor)
         SELECT $1, $2, t.section_id, t.seat_id, t.tier_code, t.price_minor
         FROM unnest($3::uuid[], $4::bigint[], $5::text[], $6::int[]) AS t(section_id, seat_id, tier_code, price_minor)`,
        [w.orderId, eventId, w.items.map((i) => i.sectionId), w.items.map((i) => i.seatId), w.items.map((i) => i.tierCode), w.items.map((i) => i.priceMinor)],
      );
      await tx.query(
        `UPDATE payments SET order_id = $1, status = CASE WHEN status IN ('requires_payment', 'failed') THEN 'authorized' ELSE status END, updated_at = now()
         WHERE payment_intent_id = $2`,
        [w.orderId, w.paymentIntentId],
      );
      return true;
    });
  } catch (err) {
    if ((err as { code?: string; constraint?: string }).constraint === 'tickets_live_seat') throw new SeatConflictError(w.orderId);
    throw err;
  }
}

export async function markConfirmed(pg: PgPool, orderId: string): Promise<void> {
  await pg.query(`UPDATE orders SET status = 'confirmed', updated_at = now() WHERE id = $1 AND status = 'committed'`, [orderId]);
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
