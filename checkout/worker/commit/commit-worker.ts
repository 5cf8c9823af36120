/**
 * The BullMQ worker of the `commit-order` queue. Failures are retried with backoff (the job id is
 * the hold id, so retries and duplicates are one job); a job that exhausts its attempts stays in
 * the failed set and the reconciler drives the hold on under a new job id.
 */
import { Worker, type WorkerOptions } from 'bullmq';
import { connectRedis } from '../../../common/redis-connection.js';
import { closeWorker } from '../close-worker.js';
import type { CheckoutServices } from '../../checkout-services.js';
import { commitHold, type CommitOutcome } from './commit-hold.js';
import { COMMIT_QUEUE, type CommitJobData } from './commit-queue.js';
import { workerTimings } from '../worker-options.js';
import { SpanKind, contextFrom, withSpan } from '../../../common/tracing.js';

export interface RunningWorker {
  worker: Worker;
  close(): Promise<void>;
}

export function startCommitWorker(deps: CheckoutServices, options: { concurrency?: number; workerOptions?: Partial<WorkerOptions> } = {}): RunningWorker {
  const { config } = deps.ctx;
  const log = deps.ctx.log.child({ worker: COMMIT_QUEUE });
  // blocking commands need their own connection without per-request retries
  const connection = connectRedis(config, { maxRetriesPerRequest: null, connectionName: 'usher-commit-worker' });
  const worker = new Worker<CommitJobData, CommitOutcome>(
    COMMIT_QUEUE,
    (job) => withSpan('commit', {
      kind: SpanKind.CONSUMER, parent: contextFrom(job.data.traceparent),
      attributes: { 'usher.hold': job.data.holdId, 'messaging.message.id': job.id ?? '', 'usher.attempt': job.attemptsMade + 1 },
    }, async (span) => {
      const result = await commitHold(deps, job.data.holdId, log.child({ jobId: job.id, attempt: job.attemptsMade + 1 }));
      span?.setAttribute('usher.outcome', result);
      return result;
    }),
    { ...workerTimings, connection, prefix: config.worker.bullmqPrefix, concurrency: options.concurrency ?? config.worker.concurrency, ...options.workerOptions },
  );
  worker.on('failed', (job, err) => log.warn({ jobId: job?.id, attempts: job?.attemptsMade, err: err.message }, 'commit attempt failed'));
  worker.on('error', (err) => log.warn({ err: err.message }, 'commit worker error'));
  return {
    worker,
    close: () => closeWorker(worker, connection),
  };
}
