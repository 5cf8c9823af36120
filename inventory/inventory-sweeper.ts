/**
 * Expires HELD holds past their deadline, shard by shard, from each shard's deadline ZSET, in
 * bounded batches. Safe to run in any number of processes: expireHold-7 re-checks state and
 * deadline atomically, so two sweepers on one hold expire it once, and a claim that ran first wins.
 * CLAIMED holds older than the claim timeout are only reported (the reconciler decides).
 */
import type { RedisClient } from '../common/redis-connection.js';
import type { Logger } from '../common/logger.js';
import type { SweepReport } from './inventory-api.js';
import { registryKey, shardKeys } from './inventory-keys.js';
import { makeHoldId } from './hold-id.js';
import { counter } from '../common/metrics.js';

const expiredTotal = counter('usher_inventory_holds_expired_total', 'Holds expired by the sweeper');

export interface SweepOptions {
  batch: number;
  claimTimeoutS: number;
  endedTtlS: number;
}

async function redisNowMs(redis: RedisClient): Promise<number> {
  const [s, us] = await redis.time();
  return Number(s) * 1000 + Math.floor(Number(us) / 1000);
}

export async function sweepAll(redis: RedisClient, options: SweepOptions, nowMs?: number, log?: Logger, saleIds?: string[]): Promise<SweepReport> {
  const registered = await redis.hgetall(registryKey);
  const sales = saleIds ? Object.fromEntries(Object.entries(registered).filter(([id]) => saleIds.includes(id))) : registered;
  const now = nowMs ?? (await redisNowMs(redis));
  const report: SweepReport = { expired: 0, expiredPasses: [], staleClaims: [] };
  for (const [saleId, shards] of Object.entries(sales)) {
    await Promise.all(
      Array.from({ length: Number(shards) }, async (_, shard) => {
        const part = await sweepShard(redis, saleId, shard, now, nowMs !== undefined, options);
        report.expired += part.expired;
        report.expiredPasses.push(...part.expiredPasses);
        report.staleClaims.push(...part.staleClaims);
      }),
    );
  }
  if (report.expired > 0) {
    expiredTotal.inc(report.expired);
    log?.info({ expired: report.expired }, 'holds expired');
  }
  if (report.staleClaims.length > 0) log?.warn({ staleClaims: report.staleClaims.length }, 'stale claimed holds need reconciling');
  return report;
}

async function sweepShard(redis: RedisClient, saleId: string, shard: number, now: number, fixedNow: boolean, o: SweepOptions): Promise<SweepReport> {
  const k = shardKeys(saleId, shard);
  const due = await redis.zrangebyscore(k.deadlines, '-inf', now, 'LIMIT', 0, o.batch);
  const results = await Promise.all(
    due.map((jti) => redis.usherInvExpireHold(k.seats, k.state, k.free, k.counts, k.deadlines, k.hold(jti), k.runs, jti, o.endedTtlS, fixedNow ? now : '')),
  );
  const stale = await redis.zrangebyscore(k.claims, '-inf', now - o.claimTimeoutS * 1000, 'WITHSCORES', 'LIMIT', 0, o.batch);
  const staleClaims: SweepReport['staleClaims'] = [];
  for (let j = 0; j + 1 < stale.length; j += 2) {
    staleClaims.push({ saleId, holdId: makeHoldId(saleId, shard, stale[j]!), claimedAtMs: Number(stale[j + 1]) });
  }
  const expiredPasses = due.filter((_, i) => results[i] === 1).map((passJti) => ({ saleId, passJti }));
  return { expired: expiredPasses.length, expiredPasses, staleClaims };
}
