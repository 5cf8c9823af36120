/**
 * The Postgres side of a group commit: the same three statements the one-hold path runs
 * (writeOrder and markConfirmed; the read is commitStatesForHolds), each for a whole batch in ONE statement, so a
 * batch of K holds costs 3 round trips and 2 WAL flushes instead of 3K and 2K.
 * The semantics per hold are those of the one-hold statements: the order's primary key makes a
 * re-run a no-op, the event row is locked FOR SHARE against a cancellation, the unique live-seat
 * index refuses a seat sold twice. A batch statement is all or nothing, so a hold that makes it
 * fail (a seat conflict) must not sink the others: writeOrders then writes each hold alone.
 */
import type { PgPool } from '../../../common/postgres-pool.js';
import { EventCancelledError, writeOrder, type OrderWrite } from '../../orders/order-store.js';

export type WriteResult = { eventStartsAt: Date } | { error: unknown };

/**
 * Writes every order of the batch in one statement (one transaction, one WAL flush). The rows go
 * in hold-id order, so two batches sharing holds (a duplicate job on another worker) take the
 * orders' key locks in the same order. When the statement fails as a whole (a seat conflict, a
 * deadlock, Postgres gone), each hold is written alone: the good ones commit, the bad one gets
 * its own error, exactly as if they had never been batched.
 */
export async function writeOrders(pg: PgPool, writes: OrderWrite[]): Promise<Map<string, WriteResult>> {
  const alone = async (ws: OrderWrite[]) => new Map(await Promise.all(ws.map(async (w): Promise<[string, WriteResult]> => {
    try {
      return [w.orderId, { eventStartsAt: (await writeOrder(pg, w)).eventStartsAt }];
    } catch (error) {
      return [w.orderId, { error }];
    }
  })));
  if (writes.length <= 1) return alone(writes);
  const sorted = [...writes].sort((a, b) => (a.orderId < b.orderId ? -1 : 1));
  const tickets = sorted.flatMap((w) => w.items.map((i) => ({ orderId: w.orderId, ...i })));
  let rows: { id: string; event_status: string | null; starts_at: Date | null; created: boolean }[];
  try {
    ({ rows } = await pg.query<{ id: string; event_status: string | null; starts_at: Date | null; created: boolean }>({
      name: 'usher-write-orders',
      text: `WITH w AS (
         SELECT * FROM unnest($1::text[], $2::uuid[], $3::text[], $4::text[], $5::int[], $6::text[]) WITH ORDINALITY
           AS w(id, sale_id, email, pi, amount_minor, currency, n)
       ), ev AS (
         SELECT s.id AS sale_id, s.event_id, e.status, e.starts_at
         FROM sales s JOIN events e ON e.id = s.event_id WHERE s.id IN (SELECT sale_id FROM w) FOR SHARE OF e
       ), ins AS (
         INSERT INTO orders (id, sale_id, event_id, email, payment_intent_id, amount_minor, currency, status, user_id)
         SELECT w.id, ev.sale_id, ev.event_id, w.email, w.pi, w.amount_minor, w.currency, 'committed',
                (SELECT p.user_id FROM payments p WHERE p.payment_intent_id = w.pi)
         FROM w JOIN ev ON ev.sale_id = w.sale_id WHERE ev.status <> 'cancelled' ORDER BY w.n
         ON CONFLICT (id) DO NOTHING RETURNING id, event_id
       ), tix AS (
         INSERT INTO tickets (order_id, event_id, section_id, seat_id, tier_code, price_minor)
         SELECT ins.id, ins.event_id, t.section_id, t.seat_id, t.tier_code, t.price_minor
         FROM unnest($7::text[], $8::uuid[], $9::bigint[], $10::text[], $11::int[]) AS t(order_id, section_id, seat_id, tier_code, price_minor)
         JOIN ins ON ins.id = t.order_id
         RETURNING 1
       ), pay AS (
         UPDATE payments p SET order_id = ins.id, updated_at = now(),
                status = CASE WHEN p.status IN ('requires_payment', 'failed') THEN 'authorized' ELSE p.status END
         FROM ins JOIN w ON w.id = ins.id WHERE p.payment_intent_id = w.pi RETURNING 1
       )
       SELECT w.id, ev.status AS event_status, ev.starts_at, (ins.id IS NOT NULL) AS created,
              (SELECT count(*) FROM tix)::int AS tickets, (SELECT count(*) FROM pay)::int AS linked
       FROM w LEFT JOIN ev ON ev.sale_id = w.sale_id LEFT JOIN ins ON ins.id = w.id`,
      values: [
        sorted.map((w) => w.orderId), sorted.map((w) => w.saleId), sorted.map((w) => w.email), sorted.map((w) => w.paymentIntentId),
        sorted.map((w) => w.amountMinor), sorted.map((w) => w.currency),
        tickets.map((t) => t.orderId), tickets.map((t) => t.sectionId), tickets.map((t) => t.seatId), tickets.map((t) => t.tierCode), tickets.map((t) => t.priceMinor),
      ],
    }));
  } catch {
    // nothing of the batch was written (one statement): each hold on its own, with its own error
    return alone(sorted);
  }
  const byId = new Map(rows.map((r) => [r.id, r]));
  return new Map(sorted.map((w): [string, WriteResult] => {
    const row = byId.get(w.orderId);
    if (!row?.starts_at) return [w.orderId, { error: new Error(`sale ${w.saleId} of order ${w.orderId} does not exist`) }];
    if (!row.created && row.event_status === 'cancelled') return [w.orderId, { error: new EventCancelledError(w.orderId) }];
    return [w.orderId, { eventStartsAt: row.starts_at }];
  }));
}

/** markConfirmed for the batch: every payment captured and every order confirmed, in one statement. */
export async function markConfirmedMany(pg: PgPool, confirms: { orderId: string; paymentIntentId: string }[]): Promise<void> {
  await pg.query({
    name: 'usher-mark-confirmed-many',
    text: `WITH p AS (
             UPDATE payments SET status = 'captured', updated_at = now()
             WHERE payment_intent_id = ANY($2::text[]) AND status IN ('requires_payment', 'authorized', 'failed') RETURNING 1
           )
           UPDATE orders SET status = 'confirmed', updated_at = now() WHERE id = ANY($1::text[]) AND status = 'committed'`,
    values: [confirms.map((c) => c.orderId), confirms.map((c) => c.paymentIntentId)],
  });
}
