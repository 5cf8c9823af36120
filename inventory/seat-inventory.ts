/**
 * The `SeatInventory` of inventory-api.ts, assembled from its parts: placement (hold-placement),
 * the state machine (hold-lifecycle), publish/rebuild, availability, the sweeper and the audit.
 * Cheap to create: the scripts are defined once per Redis client.
 */
import { claimMany, defineCommitBatchScripts, finalizeMany } from './hold-commit-batch.js';
import type { PerHold, SeatInventory, SeatInventoryDeps } from './inventory-api.js';
import { defineInventoryScripts } from './inventory-scripts.js';
import { LayoutCache } from './sale-layout.js';
import { HoldPlacement } from './hold-placement.js';
import type { HoldBatchOptions } from './hold-batcher.js';
import { HoldLifecycle } from './hold-lifecycle.js';
import { AvailabilityReader } from './inventory-availability.js';
import { SeatStateReader } from './inventory-seat-states.js';
import { sweepAll } from './inventory-sweeper.js';
import { auditSale } from './inventory-audit.js';
import { publishSale, rebuildSale, type RebuildResult } from './inventory-publish.js';
import { registryKey } from './inventory-keys.js';
import { parseSaleId } from './hold-id.js';
import { setOnSaleFlag } from './sale-on-sale.js';

/** Optional tuning beyond the contract's deps (all have production defaults). */
export interface InventoryTuning {
  /** Lifetime of a pass's per-shard placement decisions; at least the pass TTL plus the hold time. Default 2 h. */
  passMemoryS?: number;
  /** How long released/expired hold records stay readable. Default 1 day. */
  endedTtlS?: number;
  /** Age of a cached availability answer. Default 250 ms; 0 disables the cache. */
  availabilityCacheMs?: number;
  /** Per-shard coalescing of hold steps into one script call (hold-batcher.ts); `{ maxBatch: 1 }` sends each alone. */
  holdBatch?: HoldBatchOptions;
  /** Age of the shards' counters a best-available hold plans its walk with (placement-hints.ts). Default 100 ms; 0 reads them for every hold. */
  placementHintsMs?: number;
}

export interface UsherSeatInventory extends SeatInventory {
  /** Recreates a sale's pools from Postgres after a Redis loss (see `npm run inventory:rebuild`). */
  rebuild(saleId: string): Promise<RebuildResult>;
}

export function createSeatInventory(deps: SeatInventoryDeps & InventoryTuning): UsherSeatInventory {
  const { redis, pg, log } = deps;
  defineInventoryScripts(redis);
  defineCommitBatchScripts(redis);
  const endedTtlS = deps.endedTtlS ?? 86_400;
  const layouts = new LayoutCache(redis);
  const placement = new HoldPlacement(redis, layouts, deps.passMemoryS ?? 7_200, deps.holdBatch, deps.placementHintsMs ?? 100);
  const lifecycle = new HoldLifecycle(redis, endedTtlS);
  const reader = new AvailabilityReader(redis, layouts, deps.availabilityCacheMs ?? 250);
  const seatStates = new SeatStateReader(redis, layouts);
  const sweepOptions = { batch: deps.sweepBatch ?? 200, claimTimeoutS: deps.claimTimeoutS ?? 120, endedTtlS };

  return {
    async publish(saleId) {
      const result = await publishSale(redis, pg, parseSaleId(saleId));
      layouts.forget(saleId);
      log?.info({ saleId, ...result }, 'sale published to the inventory');
      return result;
    },
    async rebuild(saleId) {
      const result = await rebuildSale(redis, pg, parseSaleId(saleId));
      layouts.forget(saleId);
      log?.warn({ saleId, ...result }, 'sale inventory rebuilt from Postgres');
      return result;
    },
    hold: (saleId, passJti, request) => placement.hold(saleId, passJti, request),
    getHold: (holdId) => lifecycle.get(holdId),
    extend: (holdId) => lifecycle.extend(holdId),
    release: (holdId) => lifecycle.release(holdId),
    claim: (holdId, expected) => lifecycle.claim(holdId, expected),
    // a batch of one takes the one-hold script, cheaper than the batch's
    claimMany: (claims) => (claims.length === 1 ? alone(claims[0]!.holdId, lifecycle.claim(claims[0]!.holdId, claims[0]!.expected)) : claimMany(redis, claims)),
    finalize: (holdId) => lifecycle.finalize(holdId),
    finalizeMany: (holdIds) => (holdIds.length === 1 ? alone(holdIds[0]!, lifecycle.finalize(holdIds[0]!)) : finalizeMany(redis, holdIds)),
    unclaim: (holdId) => lifecycle.unclaim(holdId),
    restock: (holdId, items) => lifecycle.restock(holdId, items),
    availability: (saleId) => reader.availability(parseSaleId(saleId)),
    seatStates: (saleId) => seatStates.read(parseSaleId(saleId)),
    setOnSale: (saleId, onSale) => setOnSaleFlag(redis, saleId, onSale, layouts),
    sweep: (nowMs, saleIds) => sweepAll(redis, sweepOptions, nowMs, log, saleIds),
    audit: (saleId) => auditSale(redis, pg, layouts, parseSaleId(saleId)),
  };
}

/** One hold's call answered as a batch's map. */
async function alone<T>(holdId: string, call: Promise<T>): Promise<Map<string, PerHold<T>>> {
  const settled: PerHold<T> = await call.then((value) => ({ ok: true as const, value }), (error: unknown) => ({ ok: false as const, error }));
  return new Map([[holdId, settled]]);
}

/** Sales the sweeper walks (published and not forgotten). */
export async function publishedSales(deps: Pick<SeatInventoryDeps, 'redis'>): Promise<string[]> {
  return Object.keys(await deps.redis.hgetall(registryKey));
}
