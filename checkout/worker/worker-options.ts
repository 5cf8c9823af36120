/**
 * Timings every BullMQ worker of Usher runs with, instead of BullMQ's defaults, so that work
 * resumes as soon as Redis answers again and a dead worker's jobs go to another one quickly.
 */
import type { WorkerOptions } from 'bullmq';
import { REDIS_RETRY_CAP_MS } from '../../common/redis-connection.js';

export const workerTimings = {
  /**
   * After a connection error BullMQ waits this long before it asks for the next job again (its
   * default is 15 s: every commit stood still that long after a Redis restart while every role
   * said ready). The next ask waits in ioredis' offline queue until the connection is back, so a
   * short delay does not spin; it matches the reconnection cap.
   */
  runRetryDelay: REDIS_RETRY_CAP_MS,
  /**
   * A job's lock, renewed every half of it while the job runs: when a worker dies (SIGKILL, OOM,
   * a lost node) its jobs are retried once the lock lapsed and a stalled check ran. BullMQ's 30 s +
   * 30 s left paid fans waiting up to a minute; commits are idempotent (the claim decides), so a
   * second run after a long event-loop stall is harmless.
   */
  lockDuration: 10_000,
  stalledInterval: 5_000,
} satisfies Partial<WorkerOptions>;
