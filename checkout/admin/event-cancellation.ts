/**
 * Cancelling an event: mark it cancelled, close every sale (queue settings + inventory holding
 * off), then cancel and refund every order through checkout's `cancelOrder`, which is exactly
 * once per order whatever the retries or races (row lock + one refund row per order + the
 * gateway's idempotency key). Calling this again is safe and finishes what a crash or a
 * not-yet-confirmed order left over.
 */
import { applySaleControl, recordSaleStatus } from '../../admission/sale-controls.js';
import type { Logger } from '../../common/logger.js';
import type { PgPool } from '../../common/postgres-pool.js';
import type { RedisClient } from '../../common/redis-connection.js';
import { Problem } from '../../common/problem.js';
import type { SeatInventory } from '../../inventory/inventory-api.js';

export type CancelOrderFn = (orderId: string) => Promise<{ status: 'cancelled' | 'already_cancelled'; refundMinor: number }>;

export interface EventCancellationReport {
  eventId: string;
  salesClosed: string[];
  cancelled: string[];
  alreadyCancelled: string[];
  /** Orders that could not be cancelled yet (e.g. still being committed); run the cancel again. */
  pending: { orderId: string; reason: string }[];
  refundedMinor: number;
}

export interface EventCanceller {
  cancelEvent(eventId: string): Promise<EventCancellationReport>;
}

export interface EventCancellationDeps {
  pg: PgPool;
  redis: RedisClient;
  inventory: Pick<SeatInventory, 'setOnSale'>;
  cancelOrder: CancelOrderFn;
  log: Logger;
  concurrency?: number;
}

export function createEventCanceller(deps: EventCancellationDeps): EventCanceller {
  const concurrency = deps.concurrency ?? 4;
  return {
    async cancelEvent(eventId) {
      const marked = await deps.pg.query(`UPDATE events SET status = 'cancelled', updated_at = now() WHERE id = $1 RETURNING id`, [eventId]);
      if (!marked.rows[0]) throw new Problem(404, 'event_not_found', `no event ${eventId}`);
      const sales = await deps.pg.query<{ id: string; status: string }>(`SELECT id, status FROM sales WHERE event_id = $1`, [eventId]);
      for (const sale of sales.rows) {
        await applySaleControl(deps.redis, sale.id, { action: 'close' });
        // a draft sale has no pools to switch off
        if (sale.status !== 'draft') await deps.inventory.setOnSale(sale.id, false);
        await recordSaleStatus(deps.pg, sale.id, 'close');
      }
      const orders = await deps.pg.query<{ id: string }>(`SELECT id FROM orders WHERE event_id = $1 ORDER BY created_at, id`, [eventId]);
      const report: EventCancellationReport = { eventId, salesClosed: sales.rows.map((s) => s.id), cancelled: [], alreadyCancelled: [], pending: [], refundedMinor: 0 };
      const queue = orders.rows.map((o) => o.id);
      const worker = async (): Promise<void> => {
        for (let orderId = queue.shift(); orderId !== undefined; orderId = queue.shift()) {
          try {
            const r = await deps.cancelOrder(orderId);
            (r.status === 'cancelled' ? report.cancelled : report.alreadyCancelled).push(orderId);
            if (r.status === 'cancelled') report.refundedMinor += r.refundMinor;
          } catch (err) {
            deps.log.warn({ eventId, orderId, err: (err as Error).message }, 'order not cancelled yet');
            report.pending.push({ orderId, reason: (err as Error).message });
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, worker));
      deps.log.info({ eventId, cancelled: report.cancelled.length, already: report.alreadyCancelled.length, pending: report.pending.length }, 'event cancelled');
      return report;
    },
  };
}
