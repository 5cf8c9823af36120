/**
 * One sample a second of the sale as the servers see it (queue counters from Redis, seat counts from
 * the inventory, orders from Postgres) and of the load as the generators report it. Read with a
 * few Redis commands and one small query, so the sampler itself is not part of the load.
 */
import type pg from 'pg';
import type { RedisClient } from '../../common/redis-connection.js';
import { queueKeys } from '../../admission/queue-keys.js';
import type { SeatInventory } from '../../inventory/index.js';

export interface Sample {
  /** seconds since the sale opened (negative before) */
  t: number;
  at: number;
  waiting: number;
  prequeue: number;
  active: number;
  offers: number;
  admitted: number;
  free: number;
  held: number;
  claimed: number;
  sold: number;
  orders: number;
  /** responses completed in the last whole second, all generators */
  rps: number;
  /** fans connected over WebSocket, all generator processes */
  connected: number;
  /** latency percentiles of the responses reported since the previous sample (ms) */
  p50: number;
  p95: number;
  p99: number;
}

export type SaleCounters = Omit<Sample, 't' | 'at' | 'rps' | 'connected' | 'p50' | 'p95' | 'p99'>;

export async function readSale(redis: RedisClient, pool: pg.Pool, inventory: SeatInventory, saleId: string): Promise<SaleCounters> {
  const k = queueKeys(saleId);
  const [queue, availability, orders] = await Promise.all([
    redis.multi().zcard(k.waiting).zcard(k.prequeue).zcard(k.active).zcard(k.offers).hget(k.stats, 'admitted').exec(),
    inventory.availability(saleId),
    pool.query<{ n: string }>('SELECT count(*) AS n FROM orders WHERE sale_id = $1', [saleId]),
  ]);
  const q = (i: number): number => Number(queue?.[i]?.[1] ?? 0);
  const sum = (f: 'free' | 'held' | 'claimed' | 'sold'): number => availability.sections.reduce((s, x) => s + x[f], 0);
  return {
    waiting: q(0), prequeue: q(1), active: q(2), offers: q(3), admitted: q(4),
    free: sum('free'), held: sum('held'), claimed: sum('claimed'), sold: sum('sold'), orders: Number(orders.rows[0]?.n ?? 0),
  };
}
