/**
 * Free / held / claimed / sold per section from the shards' maintained counters (one HGETALL per
 * shard, sent together; no scans), summed across shards. A short in-process cache absorbs the
 * 2,000 requests/s of "seats remain" questions: the answer is at most `cacheMs` old.
 */
import type { RedisClient } from '../common/redis-connection.js';
import type { Availability } from './inventory-api.js';
import { shardKeys } from './inventory-keys.js';
import type { LayoutCache, SaleLayout } from './sale-layout.js';

export function summarize(layout: SaleLayout, perShard: Record<string, string>[]): Availability {
  const tiers = new Map(layout.tiers.map((t) => [t.code, t]));
  const sections = layout.sections.map((s) => {
    const sum = (prefix: string): number => perShard.reduce((acc, c) => acc + Number(c[`${prefix}:${s.id}`] ?? 0), 0);
    const tier = tiers.get(s.tierCode);
    return {
      sectionId: s.id,
      name: s.name,
      kind: s.kind,
      tierCode: s.tierCode,
      // the price is shown where seats are chosen, before any hold
      tierName: tier?.name ?? null,
      priceMinor: tier?.priceMinor ?? null,
      capacity: s.capacity,
      free: sum('f'),
      held: sum('h'),
      claimed: sum('c'),
      sold: sum('s'),
    };
  });
  const free = sections.reduce((a, s) => a + s.free, 0);
  const pending = sections.reduce((a, s) => a + s.held + s.claimed, 0);
  return { saleId: layout.saleId, currency: layout.currency, sections, status: free > 0 ? 'on_sale' : pending > 0 ? 'all_held' : 'sold_out' };
}

export class AvailabilityReader {
  private readonly cache = new Map<string, { at: number; value: Promise<Availability> }>();

  constructor(
    private readonly redis: RedisClient,
    private readonly layouts: LayoutCache,
    private readonly cacheMs: number,
  ) {}

  availability(saleId: string): Promise<Availability> {
    const hit = this.cache.get(saleId);
    if (hit && Date.now() - hit.at < this.cacheMs) return hit.value;
    // concurrent callers share one read; a failed read is not cached
    const value = this.read(saleId);
    if (this.cacheMs > 0) {
      this.cache.set(saleId, { at: Date.now(), value });
      value.catch(() => this.cache.delete(saleId));
    }
    return value;
  }

  private async read(saleId: string): Promise<Availability> {
    const layout = await this.layouts.get(saleId);
    const perShard = await Promise.all(Array.from({ length: layout.shards }, (_, k) => this.redis.hgetall(shardKeys(saleId, k).counts)));
    return summarize(layout, perShard);
  }
}
