/**
 * The reminders, swept from PostgreSQL instead of a delayed job per order: every minute (and at
 * once for an event whose start changed) the worker queues a reminder job for each confirmed order
 * whose event now starts within REMINDER_BEFORE_S and that has no reminder row yet. The reminder
 * then follows the event's start as it is when the sweep runs (a moved event needs no job surgery),
 * a cancelled order or event is never picked, and the job id (the order's) plus the worker's
 * `notifications` row keep it to one per order.
 * Who gets one: orders bought before their event's reminder time, as when the reminder was
 * scheduled at commit (a fan who buys inside the window has just had the confirmation), and
 * orders bought before the event last changed (a start moved into the window: sent at once).
 * The query walks events_starts_at for the events in the window, orders_event for their orders
 * and the (order_id, kind) unique index for the reminders already sent.
 */
import type { CheckoutServices } from '../../checkout-services.js';

const PAGE = 1000;

export async function queueDueReminders(
  deps: Pick<CheckoutServices, 'ctx' | 'notifications'>, opts: { eventId?: string; nowMs?: number } = {},
): Promise<string[]> {
  const { pg, config } = deps.ctx;
  const now = new Date(opts.nowMs ?? Date.now());
  const queued: string[] = [];
  for (let after = ''; ;) {
    const { rows } = await pg.query<{ id: string }>({
      name: 'usher-due-reminders',
      text: `SELECT o.id FROM events e JOIN orders o ON o.event_id = e.id AND o.status = 'confirmed'
             WHERE e.starts_at > $1 AND e.starts_at <= $1 + make_interval(secs => $2) AND e.status <> 'cancelled'
               AND ($3::uuid IS NULL OR e.id = $3)
               AND (o.created_at <= e.starts_at - make_interval(secs => $2) OR o.created_at < e.updated_at)
               AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.order_id = o.id AND n.kind = 'reminder')
               AND o.id > $4
             ORDER BY o.id LIMIT ${PAGE}`,
      values: [now, config.worker.reminderBeforeS, opts.eventId ?? null, after],
    });
    await deps.notifications.queueReminders(rows.map((r) => r.id));
    queued.push(...rows.map((r) => r.id));
    if (rows.length < PAGE) return queued;
    after = rows[rows.length - 1]!.id;
  }
}
