/**
 * The `payments` rows: written at checkout (before any order exists, with a snapshot of the hold),
 * moved forward by the commit worker, the webhook and cancellations. Status changes only move
 * forward: a late "authorized" never overwrites "captured".
 */
import type { PgClient, PgPool } from '../../common/postgres-pool.js';
import type { HeldItem } from '../../inventory/inventory-api.js';
import type { OrderStatus } from '../orders/order-store.js';
import type { GatewayName } from './payment-gateway.js';

export type PaymentStatus = 'requires_payment' | 'authorized' | 'captured' | 'cancelled' | 'refunded' | 'failed';

export interface HoldSnapshot {
  saleId: string;
  passJti: string;
  items: HeldItem[];
  /** the hold's ticket prices (what Redis holds); the payment's own amount_minor is the total paid */
  amountMinor: number;
  currency: string;
}

export interface PaymentRow {
  paymentIntentId: string;
  holdId: string;
  orderId: string | null;
  gateway: GatewayName;
  amountMinor: number;
  currency: string;
  status: PaymentStatus;
  saleId: string;
  email: string;
  snapshot: HoldSnapshot;
  failureReason: string | null;
}

/** Which statuses each status may be reached from. */
const reachableFrom: Record<PaymentStatus, PaymentStatus[]> = {
  requires_payment: [],
  authorized: ['requires_payment', 'failed'],
  captured: ['requires_payment', 'authorized', 'failed'],
  cancelled: ['requires_payment', 'authorized', 'failed'],
  failed: ['requires_payment'],
  refunded: ['captured'],
};

const columnsOf = (t: string) => `${t}payment_intent_id AS "paymentIntentId", ${t}hold_id AS "holdId", ${t}order_id AS "orderId", ${t}gateway,
  ${t}amount_minor AS "amountMinor", ${t}currency, ${t}status, ${t}sale_id AS "saleId", ${t}email, ${t}hold_snapshot AS snapshot, ${t}failure_reason AS "failureReason"`;
const columns = columnsOf('');

export async function recordPaymentIntent(
  pg: PgPool,
  row: { paymentIntentId: string; holdId: string; gateway: GatewayName; email: string; snapshot: HoldSnapshot; userId?: string | undefined; amountMinor?: number },
): Promise<PaymentRow> {
  // DO NOTHING on either unique key: a retried checkout keeps the first row (same intent by idempotency)
  await pg.query(
    `INSERT INTO payments (payment_intent_id, hold_id, gateway, amount_minor, currency, status, sale_id, email, hold_snapshot, user_id)
     VALUES ($1, $2, $3, $4, $5, 'requires_payment', $6, $7, $8, (SELECT id FROM users WHERE id = $9)) ON CONFLICT DO NOTHING`,
    [row.paymentIntentId, row.holdId, row.gateway, row.amountMinor ?? row.snapshot.amountMinor, row.snapshot.currency, row.snapshot.saleId, row.email, JSON.stringify(row.snapshot), row.userId ?? null],
  );
  const found = await paymentForHold(pg, row.holdId);
  if (!found) throw new Error(`payment row for hold ${row.holdId} vanished`);
  return found;
}

export async function paymentForHold(pg: PgPool | PgClient, holdId: string): Promise<PaymentRow | null> {
  const { rows } = await pg.query<PaymentRow>(`SELECT ${columns} FROM payments WHERE hold_id = $1`, [holdId]);
  return rows[0] ?? null;
}

/** What the commit worker reads first, in one round trip: the payment and, once written, its order. */
export interface CommitState {
  payment: PaymentRow;
  order: { status: OrderStatus; eventStartsAt: Date } | null;
}

export async function commitStateForHold(pg: PgPool | PgClient, holdId: string): Promise<CommitState | null> {
  // a named statement: parsed and planned once per connection, not per order
  const { rows } = await pg.query<PaymentRow & { orderStatus: OrderStatus | null; eventStartsAt: Date | null }>({
    name: 'usher-commit-state',
    text: `SELECT ${columnsOf('p.')}, o.status AS "orderStatus", e.starts_at AS "eventStartsAt"
           FROM payments p LEFT JOIN orders o ON o.id = p.hold_id LEFT JOIN events e ON e.id = o.event_id
           WHERE p.hold_id = $1`,
    values: [holdId],
  });
  if (!rows[0]) return null;
  const { orderStatus, eventStartsAt, ...payment } = rows[0];
  return { payment, order: orderStatus && eventStartsAt ? { status: orderStatus, eventStartsAt } : null };
}

/** commitStateForHold for a batch of holds (the group commit), in one round trip; holds without a payment row are absent. */
export async function commitStatesForHolds(pg: PgPool | PgClient, holdIds: string[]): Promise<Map<string, CommitState>> {
  const { rows } = await pg.query<PaymentRow & { orderStatus: OrderStatus | null; eventStartsAt: Date | null }>({
    name: 'usher-commit-states',
    text: `SELECT ${columnsOf('p.')}, o.status AS "orderStatus", e.starts_at AS "eventStartsAt"
           FROM payments p LEFT JOIN orders o ON o.id = p.hold_id LEFT JOIN events e ON e.id = o.event_id
           WHERE p.hold_id = ANY($1::text[])`,
    values: [holdIds],
  });
  return new Map(rows.map(({ orderStatus, eventStartsAt, ...payment }) => [
    payment.holdId, { payment, order: orderStatus && eventStartsAt ? { status: orderStatus, eventStartsAt } : null },
  ]));
}

/** Moves the status forward; returns false when the row was already past it (or elsewhere). */
export async function advancePayment(pg: PgPool | PgClient, paymentIntentId: string, to: PaymentStatus, failureReason?: string): Promise<boolean> {
  const res = await pg.query(
    `UPDATE payments SET status = $2, failure_reason = COALESCE($4, failure_reason), updated_at = now()
     WHERE payment_intent_id = $1 AND status = ANY($3::text[])`,
    [paymentIntentId, to, reachableFrom[to], failureReason ?? null],
  );
  return res.rowCount === 1;
}
