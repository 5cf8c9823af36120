/**
 * The lease behind an admission pass, shared by the edge (which grants it) and the API (which
 * checks and ends it). A lease is the pass's `jti` in the sale's `active` sorted set, scored by its
 * deadline; a pass whose lease is gone is revoked, whatever its JWT `exp` says.
 */
import type { RedisClient } from '../common/redis-connection.js';
import { queueKeys } from './queue-keys.js';
import { passOf } from './pass-holder.js';

export async function leaseIsActive(redis: RedisClient, saleId: string, jti: string, nowMs = Date.now()): Promise<boolean> {
  const score = await redis.zscore(queueKeys(saleId).active, jti);
  return score !== null && Number(score) > nowMs;
}

/**
 * Ends the lease (order committed, hold expired, window over): frees a shopper slot. Idempotent.
 * `jti` may be a hold's holder (pass-holder.ts): the lease is always the pass's.
 */
export async function endLease(redis: RedisClient, saleId: string, jti: string): Promise<boolean> {
  return (await redis.zrem(queueKeys(saleId).active, passOf(jti))) === 1;
}

/** endLease for several passes of one sale (a commit batch): one ZREM. Returns how many were live. */
export async function endLeases(redis: RedisClient, saleId: string, jtis: string[]): Promise<number> {
  if (jtis.length === 0) return 0;
  return redis.zrem(queueKeys(saleId).active, ...jtis.map(passOf));
}

/** Moves the lease deadline (never backwards), e.g. while a payment is in flight. */
export async function extendLease(redis: RedisClient, saleId: string, jti: string, deadlineMs: number): Promise<boolean> {
  // XX: only an existing lease; GT: never shorten it.
  return (await redis.zadd(queueKeys(saleId).active, 'XX', 'GT', 'CH', deadlineMs, passOf(jti))) === 1;
}
