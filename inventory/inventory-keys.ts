/**
 * Every Redis key of the inventory, computed here only and passed to scripts as KEYS.
 *
 * A shard's keys share the hash tag `{<sale>:<shard>}`, so one shard is one Redis Cluster slot and
 * every script runs on one slot; shards of one sale spread over the cluster's nodes. Sale-wide
 * lookups that no script reads (the layout, the seat → shard map) share the tag `{<sale>}`.
 */
import { redisKeys } from '../common/redis-keys.js';

export const INVENTORY_PREFIX = redisKeys.inventoryRoot;

export interface ShardKeys {
  /** HASH: per-shard copy of the sale meta (prices, currency, hold/grace seconds, limit, on_sale, sections, tiers). */
  meta: string;
  /** HASH seat id → "section|tier|score|row|position|label" (static seat map of the shard). */
  seats: string;
  /** HASH seat id → "F" | "H:<jti>" | "C:<jti>" | "S:<jti>": one state per seat, by construction. */
  state: string;
  /** ZSET seat id → score (section, row, position): the free reserved seats, best first. */
  free: string;
  /** ZSET: rows that may have a free run of t seats together (lua/includes/runIndex.lua). */
  runs: string;
  /** HASH f:/h:/c:/s:/cap:<section> → count: the availability counters (GA free seats live here). */
  counts: string;
  /** ZSET jti → deadline ms: HELD holds, for the sweeper. */
  deadlines: string;
  /** ZSET jti → claimed-at ms: CLAIMED holds, for stale-claim reports. */
  claims: string;
  /** SET of jti: every hold that was claimed or rebuilt; HELD holds are in `deadlines` (audit, rebuild). */
  holds: string;
  /** HASH: one hold (state, items, amount, currency, deadline, extended, …). */
  hold(jti: string): string;
  /** STRING "<round>|<reason>": this shard's "missed here" decision for a pass (see hold-placement.ts). */
  marker(jti: string): string;
  /** STRING: the pass's current placement round; only used on the pass's home shard. */
  round(jti: string): string;
}

export function shardKeys(saleId: string, shard: number): ShardKeys {
  const base = `${INVENTORY_PREFIX}:{${saleId}:${shard}}`;
  return {
    meta: `${base}:meta`,
    seats: `${base}:seats`,
    state: `${base}:state`,
    free: `${base}:free`,
    runs: `${base}:runs`,
    counts: `${base}:counts`,
    deadlines: `${base}:deadlines`,
    claims: `${base}:claims`,
    holds: `${base}:holds`,
    hold: (jti) => `${base}:hold:${jti}`,
    marker: (jti) => `${base}:pass:${jti}`,
    round: (jti) => `${base}:round:${jti}`,
  };
}

/** The fixed (non per-hold) keys of a shard: what a rebuild wipes besides the hold records. */
export function fixedShardKeys(k: ShardKeys): string[] {
  return [k.meta, k.seats, k.state, k.free, k.runs, k.counts, k.deadlines, k.claims, k.holds];
}

/**
 * Longest run "N together" is indexed for (lua/includes/runIndex.lua holds the same number; a unit
 * test keeps them equal). The audit checks the index up to it.
 */
export const RUN_CAP = 10;

/** KEYS of holdSeats-10.lua for one pass on one shard. */
export function holdSeatsKeys(k: ShardKeys, jti: string): string[] {
  return [k.meta, k.seats, k.state, k.free, k.counts, k.deadlines, k.hold(jti), k.marker(jti), k.round(jti), k.runs];
}

export interface SaleKeys {
  /** STRING JSON: the sale layout (sections, tiers, shard count, limit) for TypeScript-side checks. */
  layout: string;
  /** HASH seat id → shard: where an explicit seat request must go. */
  seatShard: string;
}

export function saleKeys(saleId: string): SaleKeys {
  const base = `${INVENTORY_PREFIX}:{${saleId}}`;
  return { layout: `${base}:layout`, seatShard: `${base}:seat-shard` };
}

/** HASH sale id → shard count: the published sales the sweeper walks. */
export const registryKey = `${INVENTORY_PREFIX}:sales`;
