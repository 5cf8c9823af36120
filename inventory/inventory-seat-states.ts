/**
 * The state of every reserved seat of a sale, read from the shards' `state` hashes, for the fans'
 * live seat map. Each shard's counts hash carries `ver`, its seat-state version (bumped by every
 * script that moves a reserved seat, see lua/includes/moveItems.lua), so a read costs one HGET per
 * shard and an HGETALL only of the shards that changed since this process last read them.
 * Nothing touches PostgreSQL. Concurrent callers share reads: while one runs, every new caller
 * waits for the one read queued behind it (which begins after they called, so it misses no change
 * that finished before), hence at most two reads per sale in flight, and never two at once.
 */
import type { RedisClient } from '../common/redis-connection.js';
import { shardKeys } from './inventory-keys.js';
import type { LayoutCache } from './sale-layout.js';
import type { SeatStates } from './inventory-api.js';

interface ShardCopy { ver: string; states: Map<number, 'F' | 'H' | 'S'> }

/** F free, H held or claimed (may come back), S sold. */
function code(value: string): 'F' | 'H' | 'S' {
  const c = value[0];
  return c === 'F' ? 'F' : c === 'S' ? 'S' : 'H';
}

export class SeatStateReader {
  private readonly shards = new Map<string, ShardCopy[]>();
  private readonly slots = new Map<string, { running?: Promise<SeatStates>; queued?: Promise<SeatStates> }>();

  constructor(
    private readonly redis: RedisClient,
    private readonly layouts: LayoutCache,
  ) {}

  read(saleId: string): Promise<SeatStates> {
    let slot = this.slots.get(saleId);
    if (!slot) {
      slot = {};
      this.slots.set(saleId, slot);
      if (this.slots.size > 200) this.slots.delete(this.slots.keys().next().value!);
    }
    const running = slot.running;
    if (!running) return this.run(saleId, slot);
    const s = slot;
    s.queued ??= running.catch(() => undefined).then(() => {
      s.queued = undefined;
      return this.run(saleId, s);
    });
    return s.queued;
  }

  private run(saleId: string, slot: { running?: Promise<SeatStates> }): Promise<SeatStates> {
    const p: Promise<SeatStates> = this.load(saleId).finally(() => {
      if (slot.running === p) slot.running = undefined;
    });
    slot.running = p;
    return p;
  }

  private async load(saleId: string): Promise<SeatStates> {
    const layout = await this.layouts.get(saleId);
    const S = layout.shards;
    let copies = this.shards.get(saleId);
    if (!copies || copies.length !== S) {
      copies = Array.from({ length: S }, () => ({ ver: '', states: new Map() }));
      this.shards.set(saleId, copies);
      if (this.shards.size > 200) this.shards.delete(this.shards.keys().next().value!);
    }
    const vers = await Promise.all(Array.from({ length: S }, (_, k) => this.redis.hget(shardKeys(saleId, k).counts, 'ver')));
    // A shard published before versions existed has none until its first seat moves (HINCRBY then
    // creates it): unchanged since publish, so its copy stays good meanwhile.
    const stale = vers.flatMap((v, k) => ((v ?? '-') !== copies[k]!.ver ? [k] : []));
    const fresh = await Promise.all(stale.map((k) => this.redis.hgetall(shardKeys(saleId, k).state)));
    stale.forEach((k, j) => {
      const states = new Map<number, 'F' | 'H' | 'S'>();
      for (const [id, value] of Object.entries(fresh[j]!)) states.set(Number(id), code(value));
      copies[k] = { ver: vers[k] ?? '-', states };
    });
    return { saleId, version: vers.map((v) => v ?? '-').join('.'), shards: copies.map((c) => c.states), reads: { versions: S, shards: stale.length } };
  }
}
