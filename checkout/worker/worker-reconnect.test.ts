/**
 * A BullMQ worker with Usher's timings on Usher's Redis client takes work again within a tick of a
 * restarted Redis answering: BullMQ's own 15 s retry delay after a connection error is what made
 * every commit stand still after a Redis restart while all roles reported ready.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue, Worker } from 'bullmq';
import { startRedis, type RunningService } from '../../scripts/services.js';
import { connectRedis, redisAnswers, type RedisClient } from '../../common/redis-connection.js';
import { workerTimings } from './worker-options.js';
import { startCommitWorker } from './commit/commit-worker.js';
import { loadConfig } from '../../common/config.js';
import { createLogger } from '../../common/logger.js';
import type { CheckoutServices } from '../checkout-services.js';

let dir: string;
let redis: RunningService;
beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'usher-worker-reconnect-'));
  redis = await startRedis({ dataDir: dir });
});
afterAll(async () => {
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('worker after a Redis restart', () => {
  it('the commit worker runs with these timings, not BullMQ\'s defaults', async () => {
    const config = loadConfig({ NODE_ENV: 'test', REDIS_URL: redis.url });
    const deps = { ctx: { config, log: createLogger('silent') } } as unknown as CheckoutServices;
    const running = startCommitWorker(deps, { workerOptions: { autorun: false } });
    try {
      expect(running.worker.opts).toMatchObject(workerTimings);
    } finally {
      await running.close();
    }
  });

  it('processes the first job within a tick of Redis answering again', async () => {
    const config = { redis: { url: redis.url, clusterNodes: undefined, password: undefined } };
    const connection = connectRedis(config, { maxRetriesPerRequest: null });
    const producer = connectRedis(config, { maxRetriesPerRequest: null });
    const probe: RedisClient = connectRedis(config);
    for (const c of [connection, producer, probe]) c.on('error', () => undefined);
    const done: number[] = [];
    const worker = new Worker('reconnect', async () => void done.push(Date.now()), { ...workerTimings, connection, prefix: '{t}' });
    worker.on('error', () => undefined);
    const queue = new Queue('reconnect', { connection: producer, prefix: '{t}' });
    try {
      await queue.add('a', {});
      await until(() => done.length === 1, 10_000);

      await redis.stop();
      // down long enough for the worker's blocking read to fail and for backoff to reach its cap
      let errors = 0;
      worker.on('error', () => errors++);
      await until(() => connection.status !== 'ready' && errors > 0, 10_000).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 2000));
      redis = await startRedis({ dataDir: dir, port: redis.port });
      const answeredAt = Date.now();
      await until(() => redisAnswers(producer, 200), 5000);
      await queue.add('b', {});
      await until(() => done.length === 2, 14_000);
      expect(done[1]! - answeredAt).toBeLessThan(1500);
    } finally {
      await worker.close(true);
      await queue.close();
      for (const c of [connection, producer, probe]) c.disconnect();
    }
  }, 40_000);
});
