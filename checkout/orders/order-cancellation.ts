/**
 * Cancelling an order, exactly once whatever the retries or races: one transaction locks the
 * order, voids its tickets and writes the refund row (UNIQUE per order) with the amount the policy
 * gives; the money moves afterwards with an idempotency key derived from the order. A pending
 * refund row is the outbox: a repeated cancel or the reconciler finishes it.
 *
 * Policy: 'event_cancelled' and 'organiser' (the organiser refunds from the console) refund in
 * full; 'fan_request' refunds in full until the event's
 * refund cutoff (refund_cutoff_s before it starts) and nothing after. A fan cancellation that
 * would refund less than was paid happens only with the fan's explicit `acceptNoRefund`: nobody
 * loses their tickets and their money to a click made a minute past the cutoff without knowing.
 */
import type { Logger } from '../../common/logger.js';
import { inTransaction, type PgPool } from '../../common/postgres-pool.js';
import type { SeatInventory } from '../../inventory/inventory-api.js';
import { CheckoutError } from '../checkout-errors.js';
import type { NotificationQueue } from '../worker/notifications/notification-queue.js';
import type { CheckoutServices } from '../checkout-services.js';
import { paymentKeys, type GatewayName } from '../payments/payment-gateway.js';
import type { PaymentGateways } from '../payments/gateway-factory.js';

export type CancelReason = 'fan_request' | 'event_cancelled' | 'organiser';

export interface OrderCancellationDeps {
  pg: PgPool;
  /** the payment's own gateway (payments.gateway); the default for an order without a payment row */
  gateways: Pick<PaymentGateways, 'of' | 'default'>;
  inventory: SeatInventory;
  notifications: Pick<NotificationQueue, 'afterCancel'>;
  log: Logger;
}

/** What a cancellation needs, taken from the process's services (nothing new is built). */
export function orderCancellation(s: CheckoutServices): OrderCancellationDeps {
  return { pg: s.ctx.pg, gateways: s.gateways, inventory: s.inventory, notifications: s.notifications, log: s.ctx.log.child({ module: 'order-cancellation' }) };
}

/** The refund the policy gives now. */
export function refundFor(reason: CancelReason, amountMinor: number, eventStartsAt: Date, cutoffS: number, nowMs = Date.now()): number {
  if (reason !== 'fan_request') return amountMinor;
  return nowMs <= eventStartsAt.getTime() - cutoffS * 1000 ? amountMinor : 0;
}

interface Locked {
  status: 'committed' | 'confirmed' | 'cancelled';
  amount_minor: number;
  payment_intent_id: string;
  starts_at: Date;
  refund_cutoff_s: number;
}

export interface CancelOptions {
  /** The fan accepts that cancelling now refunds less than was paid (after the refund cutoff). */
  acceptNoRefund?: boolean;
}

export async function cancelOrder(
  deps: OrderCancellationDeps, orderId: string, reason: CancelReason, options: CancelOptions = {},
): Promise<{ status: 'cancelled' | 'already_cancelled'; refundMinor: number }> {
  const result = await inTransaction(deps.pg, async (tx) => {
    const { rows } = await tx.query<Locked>(
      `SELECT o.status, o.amount_minor, o.payment_intent_id, e.starts_at, e.refund_cutoff_s
       FROM orders o JOIN events e ON e.id = o.event_id WHERE o.id = $1 FOR UPDATE OF o`,
      [orderId],
    );
    const order = rows[0];
    if (!order) throw new CheckoutError('order_not_found', `no order ${orderId}`);
    if (order.status === 'cancelled') {
      const r = await tx.query<{ amount_minor: number }>('SELECT amount_minor FROM refunds WHERE order_id = $1', [orderId]);
      return { status: 'already_cancelled' as const, refundMinor: r.rows[0]?.amount_minor ?? 0 };
    }
    // not captured yet: the commit worker is finishing it; cancelling now would race the capture
    if (order.status === 'committed') throw new CheckoutError('order_not_cancellable', 'the order is still being confirmed; try again in a moment');
    const refundMinor = refundFor(reason, order.amount_minor, order.starts_at, order.refund_cutoff_s);
    // decided under the order's lock, with the same clock as the refund: no window between the two
    if (refundMinor < order.amount_minor && !options.acceptNoRefund) {
      throw new CheckoutError('refund_cutoff_passed', 'the refund cutoff has passed: cancelling now refunds nothing; cancel with acceptNoRefund=true to cancel anyway', {
        refundMinor, refundCutoff: new Date(order.starts_at.getTime() - order.refund_cutoff_s * 1000).toISOString(),
      });
    }
    await tx.query(`UPDATE orders SET status = 'cancelled', cancelled_at = now(), updated_at = now() WHERE id = $1`, [orderId]);
    await tx.query(`UPDATE tickets SET status = 'void', voided_at = now() WHERE order_id = $1 AND status = 'live'`, [orderId]);
    await tx.query(
      `INSERT INTO refunds (order_id, payment_intent_id, amount_minor, status, reason) VALUES ($1, $2, $3, $4, $5)`,
      [orderId, order.payment_intent_id, refundMinor, refundMinor > 0 ? 'pending' : 'succeeded', reason],
    );
    return { status: 'cancelled' as const, refundMinor };
  });
  // Follow-ups are idempotent and re-run on every cancel call, so a crash here is finished by a retry.
  await completeRefund(deps, orderId);
  await restockIfOnSale(deps, orderId);
  await deps.notifications.afterCancel(orderId);
  return result;
}

/** Sends a pending refund to the gateway (same key every time: refunded once). */
export async function completeRefund(deps: Pick<OrderCancellationDeps, 'pg' | 'gateways' | 'log'>, orderId: string): Promise<void> {
  const { rows } = await deps.pg.query<{ payment_intent_id: string; amount_minor: number; gateway: GatewayName | null }>(
    `SELECT r.payment_intent_id, r.amount_minor, p.gateway FROM refunds r LEFT JOIN payments p ON p.payment_intent_id = r.payment_intent_id
     WHERE r.order_id = $1 AND r.status = 'pending'`,
    [orderId],
  );
  const pending = rows[0];
  if (!pending) return;
  try {
    const r = await (pending.gateway ? deps.gateways.of(pending.gateway) : deps.gateways.default).refund(pending.payment_intent_id, pending.amount_minor, paymentKeys.refund(orderId));
    await deps.pg.query(
      `UPDATE refunds SET status = $2, provider_refund_id = $3, updated_at = now() WHERE order_id = $1 AND status = 'pending'`,
      [orderId, r.status === 'failed' ? 'failed' : r.status === 'succeeded' ? 'succeeded' : 'pending', r.refundId],
    );
    await deps.pg.query(`UPDATE payments SET status = 'refunded', updated_at = now() WHERE payment_intent_id = $1 AND status = 'captured'`, [pending.payment_intent_id]);
  } catch (err) {
    // left pending: the reconciler retries it
    deps.log.warn({ orderId, err: (err as Error).message }, 'refund not sent yet; will retry');
  }
}

// A published sale is on sale from opens_at to closes_at whether or not anything has flipped its
// status to 'open' yet (the inventory enforces the same window from its own copy of the times).
async function restockIfOnSale(deps: OrderCancellationDeps, orderId: string): Promise<void> {
  const { rows } = await deps.pg.query<{ section_id: string; seat_id: number | null; open: boolean }>(
    `SELECT t.section_id, t.seat_id,
            (s.status IN ('published', 'open') AND s.opens_at <= now() AND s.closes_at > now()) AS open
     FROM tickets t JOIN orders o ON o.id = t.order_id JOIN sales s ON s.id = o.sale_id WHERE t.order_id = $1`,
    [orderId],
  );
  if (rows.length === 0 || !rows[0]!.open) return;
  await deps.inventory.restock(orderId, rows.map((r) => ({ sectionId: r.section_id, seatId: r.seat_id })));
}
