import { describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { loadConfig } from './config.js';
import { REDIS_RETRY_CAP_MS, connectRedis, retryStrategy } from './redis-connection.js';

describe('Redis reconnection backoff', () => {
  it('backs off from 100 ms and never waits longer than half a default tick between attempts', () => {
    expect(retryStrategy(1)).toBe(100);
    expect(retryStrategy(2)).toBe(200);
    const delays = Array.from({ length: 1000 }, (_, i) => retryStrategy(i + 1));
    expect(Math.max(...delays)).toBe(REDIS_RETRY_CAP_MS);
    expect(REDIS_RETRY_CAP_MS).toBeLessThanOrEqual(Number(loadConfig({ NODE_ENV: 'test' }).edge.tickMs) / 2);
    // never gives up: a number every time, never null
    expect(delays.every((d) => typeof d === 'number' && d > 0)).toBe(true);
  });

  it('every client and cluster the roles open uses it', () => {
    const single = <Redis>connectRedis({ redis: { url: 'redis://127.0.0.1:1', password: undefined, clusterNodes: undefined } }, { lazyConnect: true });
    expect(single.options.retryStrategy).toBe(retryStrategy);
    single.disconnect();
    const cluster = connectRedis({ redis: { url: '', password: undefined, clusterNodes: ['127.0.0.1:1'] } }, { lazyConnect: true });
    expect((cluster as unknown as { options: { clusterRetryStrategy: unknown; redisOptions: { retryStrategy: unknown } } }).options.clusterRetryStrategy).toBe(retryStrategy);
    expect((cluster as unknown as { options: { redisOptions: { retryStrategy: unknown } } }).options.redisOptions.retryStrategy).toBe(retryStrategy);
    cluster.disconnect();
  });

  it('auto-pipelines only when asked (the API process), single and cluster', () => {
    const cfg = { redis: { url: 'redis://127.0.0.1:1', password: undefined, clusterNodes: undefined } };
    const plain = <Redis>connectRedis(cfg, { lazyConnect: true });
    const piped = <Redis>connectRedis(cfg, { lazyConnect: true, autoPipelining: true });
    expect([plain.options.enableAutoPipelining, piped.options.enableAutoPipelining]).toEqual([false, true]);
    plain.disconnect();
    piped.disconnect();
    const cluster = connectRedis({ redis: { url: '', password: undefined, clusterNodes: ['127.0.0.1:1'] } }, { lazyConnect: true, autoPipelining: true });
    expect((cluster as unknown as { options: { enableAutoPipelining: boolean } }).options.enableAutoPipelining).toBe(true);
    cluster.disconnect();
  });
});
