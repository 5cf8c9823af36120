/**
 * The `notifications` queue: the confirmation after commit (one job per commit batch, or per
 * order when a commit is re-run), the reminders (queued by the reminder sweep, reminder-sweep.ts,
 * once an order's event is within REMINDER_BEFORE_S, not scheduled per order at commit), the
 * cancellation notice. Job ids are derived from the orders and kind, so re-running a commit or a
 * cancel never queues a second job for the same mail; the worker's `notifications` row and its
 * per-(order, kind) lock keep every mail to one even across two jobs (notification-worker.ts).
 */
import { createHash } from 'node:crypto';
import { Queue, type ConnectionOptions } from 'bullmq';

export const NOTIFICATION_QUEUE = 'notifications';
export type NotificationKind = 'confirmation' | 'reminder' | 'cancellation';

export interface NotificationJobData {
  orderId: string;
  kind: NotificationKind;
}

/** The confirmations of one commit batch: one job, each order mailed at most once. */
export interface ConfirmationsJobData {
  kind: 'confirmations';
  orderIds: string[];
}

/** Queue the reminders now due: all events (the periodic sweep), or one event whose start changed. */
export interface RemindersMovedJobData {
  kind: 'reminders-moved';
  eventId: string;
}

export const notificationJobId = (kind: NotificationKind, orderId: string) => `${kind}-${orderId.replaceAll(':', '~')}`;

/** The same batch (a re-run of the same group commit) gets the same id: no second job. */
export const confirmationsJobId = (orderIds: string[]) =>
  `confirmations-${orderIds.length}-${createHash('sha256').update([...orderIds].sort().join('\n')).digest('hex').slice(0, 32)}`;

export type NotificationQueueJobData = NotificationJobData | ConfirmationsJobData | RemindersMovedJobData;

export interface NotificationQueue {
  queue: Queue<NotificationQueueJobData>;
  /** The confirmation of one order (a re-run of its commit: the job id is the order's). */
  afterCommit(orderId: string): Promise<void>;
  /** The confirmations of a commit batch: one job, one round trip, for all of its orders. */
  afterCommitMany(orderIds: string[]): Promise<void>;
  /** Reminders of orders due for them (the reminder sweep): one job per order, its id the order's. */
  queueReminders(orderIds: string[]): Promise<void>;
  /** The event's start changed: its reminders now due are queued at once (read when the job runs). */
  afterEventMoved(eventId: string): Promise<void>;
  /** Removes a reminder already queued and queues the cancellation notice. */
  afterCancel(orderId: string): Promise<void>;
  close(): Promise<void>;
}

export const notificationJobDefaults = { attempts: 8, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: { age: 7 * 86_400 }, removeOnFail: { age: 14 * 86_400 } } as const;
const jobDefaults = notificationJobDefaults;

export function createNotificationQueue(connection: ConnectionOptions, prefix: string): NotificationQueue {
  const queue = new Queue<NotificationQueueJobData>(NOTIFICATION_QUEUE, { connection, prefix });
  const addConfirmation = (orderId: string) =>
    queue.add('confirmation', { orderId, kind: 'confirmation' }, { ...jobDefaults, jobId: notificationJobId('confirmation', orderId) });
  return {
    queue,
    async afterCommit(orderId) {
      await addConfirmation(orderId);
    },
    async afterCommitMany(orderIds) {
      if (orderIds.length === 0) return;
      if (orderIds.length === 1) return void (await addConfirmation(orderIds[0]!));
      const sorted = [...orderIds].sort();
      await queue.add('confirmations', { kind: 'confirmations', orderIds: sorted }, { ...jobDefaults, jobId: confirmationsJobId(sorted) });
    },
    async queueReminders(orderIds) {
      if (orderIds.length === 0) return;
      await queue.addBulk(orderIds.map((orderId) => ({
        name: 'reminder', data: { orderId, kind: 'reminder' as const }, opts: { ...jobDefaults, jobId: notificationJobId('reminder', orderId) },
      })));
    },
    async afterEventMoved(eventId) {
      // a fresh id each time: every move must run, and each run reads the start as it is then
      await queue.add('reminders-moved', { kind: 'reminders-moved', eventId }, { ...jobDefaults, jobId: `reminders-moved-${eventId}-${Date.now()}` });
    },
    async afterCancel(orderId) {
      // remove() is a no-op for a missing job; a reminder already running is stopped by the
      // worker, which re-checks the order's status before sending, and the sweep skips cancelled orders
      await queue.remove(notificationJobId('reminder', orderId));
      await queue.add('cancellation', { orderId, kind: 'cancellation' }, { ...jobDefaults, jobId: notificationJobId('cancellation', orderId) });
    },
    close: () => queue.close(),
  };
}
