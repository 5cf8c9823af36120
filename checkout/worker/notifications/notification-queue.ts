/**
 * The `notifications` queue: the confirmation after commit, the reminder as a delayed job before
 * the event (moved when the event's start moves, removed when the order is cancelled), the
 * cancellation notice. Job ids are derived from the order and kind, so re-running a commit or a
 * cancel never mails twice.
 */
import { Queue, type ConnectionOptions } from 'bullmq';

export const NOTIFICATION_QUEUE = 'notifications';
export type NotificationKind = 'confirmation' | 'reminder' | 'cancellation';

export interface NotificationJobData {
  orderId: string;
  kind: NotificationKind;
}

/** The event's start moved: the worker moves the reminders of its orders (reminder-moves.ts). */
export interface RemindersMovedJobData {
  kind: 'reminders-moved';
  eventId: string;
}

export const notificationJobId = (kind: NotificationKind, orderId: string) => `${kind}-${orderId.replaceAll(':', '~')}`;

export interface NotificationQueue {
  queue: Queue<NotificationJobData | RemindersMovedJobData>;
  /** Confirmation now; reminder `reminderBeforeS` before the event (skipped when that is past). */
  afterCommit(orderId: string, eventStartsAt: Date): Promise<void>;
  /** afterCommit for a batch of orders (the commit worker's group commit): one round trip for all. */
  afterCommitMany(orders: { orderId: string; eventStartsAt: Date }[]): Promise<void>;
  /** Queues the moving of the event's reminders to its new start (read when the job runs). */
  afterEventMoved(eventId: string): Promise<void>;
  /**
   * Moves a pending reminder to `reminderBeforeS` before the new start: at once when that is past
   * but the event is not, dropped when the event is past; a missing one is scheduled (the worker
   * still sends a reminder at most once per order).
   */
  moveReminder(orderId: string, eventStartsAt: Date): Promise<void>;
  /** Removes the pending reminder and queues the cancellation notice. */
  afterCancel(orderId: string): Promise<void>;
  close(): Promise<void>;
}

const jobDefaults = { attempts: 8, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: { age: 7 * 86_400 }, removeOnFail: { age: 14 * 86_400 } } as const;

export function createNotificationQueue(connection: ConnectionOptions, prefix: string, reminderBeforeS: number): NotificationQueue {
  const queue = new Queue<NotificationJobData | RemindersMovedJobData>(NOTIFICATION_QUEUE, { connection, prefix });
  return {
    queue,
    async afterCommit(orderId, eventStartsAt) {
      const delay = eventStartsAt.getTime() - reminderBeforeS * 1000 - Date.now();
      // both in flight at once (one round trip of latency). Not addBulk: its ioredis pipeline copies
      // every script defined on the connection onto itself, which costs more than the second call.
      await Promise.all([
        queue.add('confirmation', { orderId, kind: 'confirmation' }, { ...jobDefaults, jobId: notificationJobId('confirmation', orderId) }),
        delay > 0 ? queue.add('reminder', { orderId, kind: 'reminder' }, { ...jobDefaults, delay, jobId: notificationJobId('reminder', orderId) }) : undefined,
      ]);
    },
    async afterCommitMany(orders) {
      // addBulk pays for copying the connection's scripts onto its pipeline once per call: less
      // than a round trip per job once a batch has a few orders
      const now = Date.now();
      await queue.addBulk(orders.flatMap(({ orderId, eventStartsAt }) => {
        const delay = eventStartsAt.getTime() - reminderBeforeS * 1000 - now;
        return [
          { name: 'confirmation', data: { orderId, kind: 'confirmation' as const }, opts: { ...jobDefaults, jobId: notificationJobId('confirmation', orderId) } },
          ...(delay > 0 ? [{ name: 'reminder', data: { orderId, kind: 'reminder' as const }, opts: { ...jobDefaults, delay, jobId: notificationJobId('reminder', orderId) } }] : []),
        ];
      }));
    },
    async afterEventMoved(eventId) {
      // a fresh id each time: every move must run, and each run reads the start as it is then
      await queue.add('reminders-moved', { kind: 'reminders-moved', eventId }, { ...jobDefaults, jobId: `reminders-moved-${eventId}-${Date.now()}` });
    },
    async moveReminder(orderId, eventStartsAt) {
      const jobId = notificationJobId('reminder', orderId);
      const delay = eventStartsAt.getTime() - reminderBeforeS * 1000 - Date.now();
      const job = await queue.getJob(jobId);
      if (!job) {
        if (delay > 0) await queue.add('reminder', { orderId, kind: 'reminder' }, { ...jobDefaults, delay, jobId });
        return;
      }
      // sent, being sent or failed: the worker's notifications row keeps it to one mail anyway
      if ((await job.getState()) !== 'delayed') return;
      if (delay > 0 || eventStartsAt.getTime() > Date.now()) await job.changeDelay(Math.max(delay, 0));
      else await job.remove();
    },
    async afterCancel(orderId) {
      // remove() is a no-op for a missing job; a reminder already running is stopped by the
      // worker, which re-checks the order's status before sending
      await queue.remove(notificationJobId('reminder', orderId));
      await queue.add('cancellation', { orderId, kind: 'cancellation' }, { ...jobDefaults, jobId: notificationJobId('cancellation', orderId) });
    },
    close: () => queue.close(),
  };
}
