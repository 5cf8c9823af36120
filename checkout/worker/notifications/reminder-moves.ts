/**
 * When an event's start changes (admin PATCH), its orders' reminders move with it. The API queues
 * one `reminders-moved` job per change; the worker reads the event's start when the job runs (so
 * two quick changes end at the latest) and moves the reminder of every live order.
 */
import type { CheckoutServices } from '../../checkout-services.js';

const CONCURRENT_MOVES = 20;

export async function moveEventReminders(deps: Pick<CheckoutServices, 'ctx' | 'notifications'>, eventId: string): Promise<number> {
  const { pg } = deps.ctx;
  const event = await pg.query<{ starts_at: Date }>('SELECT starts_at FROM events WHERE id = $1', [eventId]);
  const startsAt = event.rows[0]?.starts_at;
  if (!startsAt) return 0;
  // through the sales (orders_sale index): orders have no index of their own on event_id
  const { rows } = await pg.query<{ id: string }>(
    `SELECT o.id FROM orders o WHERE o.sale_id IN (SELECT id FROM sales WHERE event_id = $1) AND o.status IN ('committed', 'confirmed')`, [eventId]);
  for (let i = 0; i < rows.length; i += CONCURRENT_MOVES) {
    await Promise.all(rows.slice(i, i + CONCURRENT_MOVES).map((r) => deps.notifications.moveReminder(r.id, startsAt)));
  }
  return rows.length;
}
