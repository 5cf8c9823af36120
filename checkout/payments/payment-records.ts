/**
 * The `payments` rows: written at checkout (before any order exists, with a snapshot of the hold),
 * moved forward by the commit worker, the webhook and cancellations. Status changes only move
 * forward: a late "authorized" never overwrites "captured".
 */
import type { PgClient, PgPool } from '../../common/postgres-pool.js';
import type { HeldItem } from '../../inventory/inventory-api.js';

export type PaymentStatus = 'requires_payment' | 'authorized' | 'captured' | 'cancelled' | 'refunded' | 'failed';

export interface HoldSnapshot {
  saleId: string;
  passJti: string;
  items: HeldItem[];
  amountMinor: number;
  currency: string;
}

export interface PaymentRow {
  paymentIntentId: string;
  holdId: string;
  orderId: string | null;
  gateway: 'stripe' | 'demo';
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

const columns = `payment_intent_id AS "paymentIntentId", hold_id AS "holdId", order_id AS "orderId", gateway,
  amount_minor AS "amountMinor", currency, status, sale_id AS "saleId", email, hold_snapshot AS snapshot, failure_reason AS "failureReason"`;

export async function recordPaymentIntent(
  pg: PgPool,
  row: { paymentIntentId: string; holdId: string; gateway: 'stripe' | 'demo'; email: string; snapshot: HoldSnapshot },
): Promise<PaymentRow> {
  // DO NOTHING on either unique key: a retried checkout keeps the first row (same intent by idempotency)
  await pg.query(
    `INSERT INTO payments (payment_intent_id, hold_id, gateway, amount_minor, currency, status, sale_id, email, hold_snapshot)
     VALUES ($1, $2, $3, $4, $5, 'requires_payment', $6, $7, $8) ON CONFLICT DO NOTHING`,
    [row.paymentIntentId, row.holdId, row.gateway, row.snapshot.amountMinor, row.snapshot.currency, row.snapshot.saleId, row.email, JSON.stringify(row.snapshot)],
  );
  const found = await paymentForHold(pg, row.holdId);
  if (!found) throw new Error(`payment row for hold ${row.holdId} vanished`);
  return found;
}

export async function paymentForHold(pg: PgPool | PgClient, holdId: string): Promise<PaymentRow | null> {
  const { rows } = await pg.query<PaymentRow>(`SELECT ${columns} FROM payments WHERE hold_id = $1`, [holdId]);
  return rows[0] ?? null;
}

export async function paymentByIntent(pg: PgPool | PgClient, paymentIntentId: string): Promise<PaymentRow | null> {
  const { rows } = await pg.query<PaymentRow>(`SELECT ${columns} FROM payments WHERE payment_intent_id = $1`, [paymentIntentId]);
  return rows[0] ?? null;
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
