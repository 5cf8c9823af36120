/**
 * The opening draw of the pre-queue, commit then reveal (README: "A draw anyone can verify"):
 *  1. the first tick at or after opens_at freezes everyone who arrived before it, publishes their
 *     count and the commitment to their sorted hashed ids, and fixes the beacon round (commitDraw-5);
 *  2. once that round exists, the seed is SHA-256 of the commitment and the round's randomness, the
 *     sorted list is permuted with it and every member gets first ticket + position (shuffle-7).
 * Any edge may run either step; the scripts let exactly one of each happen. Published by
 * `GET /v1/sales/:sale/draw` (draw-record.ts).
 */
import type { RedisClient } from '../common/redis-connection.js';
import { queueKeys } from '../admission/queue-keys.js';
import type { QueueStore } from './queue-store.js';
import { QueueError } from './queue-errors.js';
import { drawCommitment, drawSeed, hashedVisitorId, seededPermutation } from './fair-draw.js';
import type { BeaconPlan, DrawBeacon } from './draw-beacon.js';

const retried = new Set(['already_committed', 'not_yet_open', 'prequeue_changed', 'already_shuffled', 'not_committed', 'draw_mismatch']);

async function orRetry<T>(step: Promise<T>): Promise<T | null> {
  try {
    return await step;
  } catch (err) {
    if (err instanceof QueueError && retried.has(err.code)) return null;
    throw err;
  }
}

/** Step 1: freezes and commits to the arrivals before opens_at. */
async function commit(redis: RedisClient, store: QueueStore, beacon: DrawBeacon, saleId: string, opensAt: number): Promise<void> {
  const arrivals = await redis.zrangebyscore(queueKeys(saleId).prequeue, '-inf', `(${opensAt}`);
  const byHash = arrivals.map((visitor) => ({ visitor, hashed: hashedVisitorId(saleId, visitor) }))
    .sort((a, b) => (a.hashed < b.hashed ? -1 : a.hashed > b.hashed ? 1 : 0));
  const hashed = byHash.map((m) => m.hashed);
  const plan = await beacon.plan(opensAt);
  await orRetry(store.commitDraw(saleId, { commitment: drawCommitment(hashed), beaconPlan: JSON.stringify(plan), members: byHash.map((m) => m.visitor), hashed }));
}

/**
 * Runs whichever step is due. Returns the reveal ({count, firstTicket}) when this call made it,
 * null otherwise (committed only, waiting for the beacon, or another edge was first).
 */
export async function runOpeningDraw(redis: RedisClient, store: QueueStore, beacon: DrawBeacon, saleId: string, nowMs: number): Promise<{ count: number; firstTicket: number } | null> {
  const k = queueKeys(saleId);
  const [commitment, opensAt] = await redis.hmget(k.settings, 'draw_commitment', 'opens_at_ms');
  if (!commitment) await commit(redis, store, beacon, saleId, Number(opensAt ?? 0));
  const [committed, planJson] = await redis.hmget(k.settings, 'draw_commitment', 'draw_beacon');
  if (!committed || !planJson) return null;
  const value = await beacon.value(JSON.parse(planJson) as BeaconPlan, nowMs);
  if (!value) return null;
  const seed = drawSeed(committed, value.randomness);
  const [members, hashed] = await Promise.all([redis.lrange(k.drawMembers, 0, -1), redis.lrange(k.drawHashed, 0, -1)]);
  const memberOf = new Map(hashed.map((h, i) => [h, members[i]!]));
  const order = seededPermutation(hashed, seed).map((h) => memberOf.get(h)!);
  return orRetry(store.shuffle(saleId, seed, JSON.stringify(value), order));
}

/** Opens a sale's queue with an empty pre-queue at once (tests, benchmarks, demos: a sale already open). */
export async function openEmptyQueue(store: QueueStore, saleId: string): Promise<void> {
  const reveal = { kind: 'none', reason: 'opened without a pre-queue', randomness: '00' };
  await store.commitDraw(saleId, { commitment: drawCommitment([]), beaconPlan: JSON.stringify({ kind: 'none', reason: reveal.reason }), members: [], hashed: [] });
  await store.shuffle(saleId, drawSeed(drawCommitment([]), reveal.randomness), JSON.stringify(reveal), []);
}
