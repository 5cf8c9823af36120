import { describe, expect, it } from 'vitest';
import { REDIS_RETRY_CAP_MS } from '../../common/redis-connection.js';
import { workerTimings } from './worker-options.js';

describe('BullMQ worker timings', () => {
  it('asks for the next job again within a reconnection cap of an error, not BullMQ\'s 15 s', () => {
    expect(workerTimings.runRetryDelay).toBeLessThanOrEqual(REDIS_RETRY_CAP_MS);
  });

  it('hands a dead worker\'s jobs on within 15 s: lock lapse plus one stalled check', () => {
    expect(workerTimings.lockDuration + workerTimings.stalledInterval).toBeLessThanOrEqual(15_000);
    // renewed every half lock: a lock never lapses under a live worker that keeps up
    expect(workerTimings.lockDuration).toBeGreaterThanOrEqual(2 * workerTimings.stalledInterval);
  });
});
