import type { Worker } from 'bullmq';
import type { RedisClient } from '../../common/redis-connection.js';

/**
 * Closes a BullMQ worker, then its connection. Gracefully (the jobs in flight finish, their locks
 * are released) while Redis answers; at once while the connection is down or reconnecting, where
 * BullMQ's graceful close waits on a QUIT queued behind the reconnect and was seen to hang for
 * minutes after Redis came back. Nothing in flight can finish without Redis anyway: the jobs'
 * locks lapse and they run again (stalled-job recovery), so nothing is lost.
 */
export async function closeWorker(worker: Worker, connection: RedisClient): Promise<void> {
  await worker.close(connection.status !== 'ready');
  connection.disconnect();
}
