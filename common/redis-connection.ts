import { Redis, Cluster, type RedisOptions, type ClusterOptions } from 'ioredis';
import type { Config } from './config.js';
import { traceRedis } from './traced-clients.js';

export type RedisClient = Redis | Cluster;

/**
 * The longest pause between two reconnection attempts. A restarted Redis must be picked up within
 * one admission tick (EDGE_TICK_MS, 1 s by default), or every role stays "ready" while sales stand
 * still until the next attempt. Failed attempts against a Redis that is down cost one refused TCP
 * connection each, so half a second is cheap even across many pods.
 */
export const REDIS_RETRY_CAP_MS = 500;

/**
 * Retry for ever with capped backoff: a restarted Redis must be picked up again, never given up on.
 * Commands issued while disconnected wait in the offline queue (bounded by maxRetriesPerRequest).
 */
export const retryStrategy = (attempt: number): number => Math.min(50 * 2 ** Math.min(attempt, 6), REDIS_RETRY_CAP_MS);

/**
 * What a request-serving client needs during an outage: an answer within about a second (503,
 * dependency_down), not a wait through several reconnect attempts. A command issued while Redis
 * is away fails at the next failed reconnect attempt, at most REDIS_RETRY_CAP_MS away, and a
 * command in flight when the connection drops fails at once instead of being sent again on the
 * next connection (where a script could run twice). Reconnecting itself never stops.
 */
const failFastOptions: RedisOptions = { maxRetriesPerRequest: 0, connectTimeout: 1000 };

const baseOptions: RedisOptions = {
  retryStrategy,
  maxRetriesPerRequest: 3,
  enableAutoPipelining: false,
};

export interface RedisConnectOptions {
  /** BullMQ workers need `null` here (blocking commands must not be retried by ioredis). */
  maxRetriesPerRequest?: number | null;
  connectionName?: string;
  lazyConnect?: boolean;
  /** Serving requests: fail within about a second while Redis is down (see failFastOptions). */
  failFast?: boolean;
  /**
   * ioredis auto-pipelining: the commands issued within one turn of the event loop leave in one
   * write (and their answers come back in one read). Under load the API's requests each make a few
   * Redis round trips, and one socket write per command was its largest cost after the HTTP answer
   * itself. Off by default: a process that sends a command now and then only pays the wait.
   */
  autoPipelining?: boolean;
}

/**
 * Scripts whose first argument is their key count, not a key (the batch scripts: their number of
 * keys varies). ioredis's auto-pipelining on a Cluster groups a command with others of the slot of
 * its first argument, which for these is a number: a batch for one shard then rode in a pipeline
 * with other slots' commands and failed ("All keys in the pipeline should belong to the same slots
 * allocation group"). They are batches already, so they go unpipelined, routed by their keys.
 */
export const KEY_COUNT_FIRST_COMMANDS: readonly string[] = ['usherInvHoldBatch', 'usherInvClaimHolds', 'usherInvFinalizeHolds'];

/** A Redis or Redis Cluster client as the configuration says; one call per connection needed. */
export function connectRedis(config: Pick<Config, 'redis'>, options: RedisConnectOptions = {}): RedisClient {
  const redisOptions: RedisOptions = {
    ...baseOptions,
    ...(options.failFast ? failFastOptions : {}),
    ...(options.maxRetriesPerRequest !== undefined ? { maxRetriesPerRequest: options.maxRetriesPerRequest } : {}),
    ...(options.connectionName ? { connectionName: options.connectionName } : {}),
    ...(config.redis.password ? { password: config.redis.password } : {}),
    lazyConnect: options.lazyConnect ?? false,
    enableAutoPipelining: options.autoPipelining ?? false,
  };
  const nodes = config.redis.clusterNodes;
  if (nodes && nodes.length > 0) {
    const clusterOptions: ClusterOptions = {
      clusterRetryStrategy: retryStrategy,
      redisOptions,
      lazyConnect: redisOptions.lazyConnect,
      enableAutoPipelining: options.autoPipelining ?? false,
      autoPipeliningIgnoredCommands: [...KEY_COUNT_FIRST_COMMANDS],
      ...(options.failFast ? { maxRetriesPerRequest: 0 } : {}),
      ...(options.maxRetriesPerRequest !== undefined ? { maxRetriesPerRequest: options.maxRetriesPerRequest } : {}),
    };
    return traceRedis(new Cluster(
      nodes.map((n) => {
        const [host, port] = n.split(':');
        return { host: host ?? '127.0.0.1', port: Number(port ?? 6379) };
      }),
      clusterOptions,
    ));
  }
  return traceRedis(new Redis(config.redis.url, redisOptions));
}

export async function redisAnswers(client: RedisClient, timeoutMs = 1000): Promise<boolean> {
  try {
    const pong = await Promise.race([
      client.ping(),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('redis ping timeout')), timeoutMs).unref()),
    ]);
    return pong === 'PONG';
  } catch {
    return false;
  }
}
