/**
 * The `commit-order` queue: one job per paid hold, its id derived from the hold id alone, so every
 * path that learns of a payment (webhook, client confirm, demo pay, reconciler) may enqueue and
 * only one job exists. Completed jobs stay 72 h so a late duplicate stays a no-op for that long.
 */
import { Queue, type ConnectionOptions, type JobsOptions } from 'bullmq';
import { traceparentOf } from '../../../common/tracing.js';

export const COMMIT_QUEUE = 'commit-order';
export const COMMIT_KEEP_COMPLETED_S = 72 * 3600;

export interface CommitJobData {
  holdId: string;
  /** the fan's trace where the payment was learnt of (common/tracing.ts), when tracing is on */
  traceparent?: string;
}

/** BullMQ refuses ':' in custom ids; hold ids are kept as they are otherwise. */
export function commitJobId(holdId: string): string {
  return holdId.replaceAll(':', '~');
}

export const commitJobOptions: JobsOptions = {
  attempts: 12,
  // 0.5 s, 1 s, 2 s … capped by BullMQ's attempts: about 17 minutes of retries in total
  backoff: { type: 'exponential', delay: 500 },
  removeOnComplete: { age: COMMIT_KEEP_COMPLETED_S },
  // failed jobs are kept for the reconciler and for operators; it re-enqueues under a fresh id
  removeOnFail: { age: 14 * 86_400 },
};

export interface CommitQueue {
  queue: Queue<CommitJobData>;
  /** Idempotent: a second call for the same hold adds nothing while the first job exists. */
  enqueue(holdId: string, opts?: { jobIdSuffix?: string }): Promise<void>;
  close(): Promise<void>;
}

export function createCommitQueue(connection: ConnectionOptions, prefix: string): CommitQueue {
  const queue = new Queue<CommitJobData>(COMMIT_QUEUE, { connection, prefix });
  return {
    queue,
    async enqueue(holdId, opts = {}) {
      const jobId = commitJobId(holdId) + (opts.jobIdSuffix ? `~${opts.jobIdSuffix}` : '');
      const traceparent = traceparentOf();
      await queue.add('commit', traceparent ? { holdId, traceparent } : { holdId }, { ...commitJobOptions, jobId });
    },
    close: () => queue.close(),
  };
}
