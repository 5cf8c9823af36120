/**
 * The sale channel (offers, passes, the opening shuffle, control changes) between edges, over
 * Redis pub/sub. On a Redis Cluster, plain PUBLISH is broadcast over the cluster bus to every node,
 * so each message costs every node however many edges listen; sharded pub/sub (SPUBLISH /
 * SSUBSCRIBE, Redis ≥ 7) keeps it on the shard that owns the channel's slot. The channel name
 * carries the sale's hash tag (`usher:q:{<sale>}:events`), so it is the slot of the sale's queue:
 * the Lua scripts that change the queue publish on it from the node they run on. A single Redis
 * keeps plain pub/sub (works on Redis 6 too).
 */
import { Cluster, type ClusterOptions } from 'ioredis';
import type { Logger } from '../common/logger.js';
import type { RedisClient } from '../common/redis-connection.js';

export type PubSubMode = 'sharded' | 'plain';

/** Sharded on a cluster client, plain on a single Redis. Passed to the queue scripts as an ARGV. */
export function pubSubModeOf(redis: RedisClient): PubSubMode {
  return redis instanceof Cluster ? 'sharded' : 'plain';
}

export async function publishSaleEvent(redis: RedisClient, channel: string, message: string): Promise<void> {
  if (pubSubModeOf(redis) === 'sharded') await redis.spublish(channel, message);
  else await redis.publish(channel, message);
}

export interface SaleChannelSubscriber {
  readonly mode: PubSubMode;
  /** Resolves once the channel is subscribed: what is published after that is heard. */
  subscribe(channel: string): Promise<unknown>;
  onMessage(handler: (channel: string, message: string) => void): void;
  close(): void;
}

/**
 * How often the subscriber's cluster client re-reads the slot map. ioredis refreshes it only when a
 * command meets MOVED, which a connection that only listens never sends: after a failover it would
 * keep waiting on the demoted node (which drops its shard subscriptions) for ever. With a periodic
 * refresh the new owner of the slot gets a subscriber and every channel is subscribed again.
 */
export const SUBSCRIBER_SLOTS_REFRESH_MS = 1000;

/**
 * A connection of its own for listening (a subscribed connection can do nothing else). On a cluster:
 * ioredis `shardedSubscribers`, one subscriber per master, each SSUBSCRIBE sent to the owner of the
 * channel's slot and sent again after a reconnect or a slot move. On a single Redis: SUBSCRIBE,
 * which ioredis re-sends on reconnect (autoResubscribe).
 */
export function openSaleChannelSubscriber(redis: RedisClient, o: { log?: Logger; connectionName?: string } = {}): SaleChannelSubscriber {
  const { log, connectionName } = o;
  const mode = pubSubModeOf(redis);
  // a name per process shows in CLIENT LIST which edge holds which subscription
  const named = connectionName ? { connectionName } : {};
  // A subscription waits out an outage (the process's client may fail fast): a SUBSCRIBE that
  // gave up would leave the sale's room deaf after Redis is back.
  const patient = { ...named, maxRetriesPerRequest: null };
  let subscriber: RedisClient;
  if (redis instanceof Cluster) {
    const sharded: ClusterOptions = {
      shardedSubscribers: true,
      slotsRefreshInterval: SUBSCRIBER_SLOTS_REFRESH_MS,
      redisOptions: { ...redis.options.redisOptions, ...patient },
    };
    subscriber = redis.duplicate([], sharded);
  } else {
    subscriber = redis.duplicate(patient);
  }
  subscriber.on('error', (err: Error) => log?.warn({ err: err.message }, 'sale channel connection error'));
  return {
    mode,
    subscribe: (channel) => (mode === 'sharded' ? subscriber.ssubscribe(channel) : subscriber.subscribe(channel)),
    onMessage(handler) {
      subscriber.on(mode === 'sharded' ? 'smessage' : 'message', handler);
    },
    close() {
      subscriber.disconnect();
    },
  };
}
