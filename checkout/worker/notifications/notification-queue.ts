/**
 * The `notifications` queue: the confirmation after commit, the reminder as a delayed job before
 * the event (removed when the order is cancelled), the cancellation notice. Job ids are derived
 * from the order and kind, so re-running a commit or a cancel never mails twice.
 */
import { Queue, type ConnectionOptions } from 'bullmq';

export const NOTIFICATION_QUEUE = 'notifications';
export type NotificationKind = 'confirmation' | 'reminder' | 'cancellation';

export interface NotificationJobData {
  orderId: string;
  kind: NotificationKind;
}

export const notificationJobId = (kind: NotificationKind, orderId: string) => `${kind}-${orderId.replaceAll(':', '~')}`;

export interface NotificationQueue {
  queue: Queue<NotificationJobData>;
  /** Confirmation now; reminder `reminderBeforeS` before the event (skipped when that is past). */
  afterCommit(orderId: string, eventStartsAt: Date): Promise<void>;
  /** Removes the pending reminder and queues the cancellation notice. */
  afterCancel(orderId: string): Promise<void>;
  close(): Promise<void>;
}

const jobDefaults = { attempts: 8, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: { age: 7 * 86_400 }, removeOnFail: { age: 14 * 86_400 } } as const;

export function createNotificationQueue(connection: ConnectionOptions, prefix: string, reminderBeforeS: number): NotificationQueue {
  const queue = new Queue<NotificationJobData>(NOTIFICATION_QUEUE, { connection, prefix });
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
    async afterCancel(orderId) {
      // remove() is a no-op for a missing job; a reminder already running is stopped by the
      // worker, which re-checks the order's status before sending
      await queue.remove(notificationJobId('reminder', orderId));
      await queue.add('cancellation', { orderId, kind: 'cancellation' }, { ...jobDefaults, jobId: notificationJobId('cancellation', orderId) });
    },
    close: () => queue.close(),
  };
}
