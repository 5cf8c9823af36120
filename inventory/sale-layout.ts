/**
 * The sale as the inventory sees it, read from Postgres by publish/rebuild/audit and kept in Redis
 * (`saleKeys.layout`) for TypeScript-side checks: which sections and tiers exist, how many shards,
 * the per-fan limit. Scripts never read it; each shard carries its own copy of what they need.
 */
import { z } from 'zod';
import type { RedisClient } from '../common/redis-connection.js';
import { saleKeys } from './inventory-keys.js';
import { InventoryError } from './inventory-errors.js';

export const layoutSchema = z.object({
  saleId: z.string(),
  eventId: z.string(),
  shards: z.number().int().positive(),
  perFanLimit: z.number().int().positive(),
  currency: z.string(),
  holdSeconds: z.number().int().positive(),
  graceSeconds: z.number().int().nonnegative(),
  sections: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      kind: z.enum(['reserved', 'ga']),
      tierCode: z.string(),
      capacity: z.number().int().nonnegative(),
      /** places of this section on each shard */
      perShard: z.array(z.number().int().nonnegative()),
    }),
  ),
  tiers: z.array(z.object({ code: z.string(), name: z.string(), priceMinor: z.number().int().nonnegative() })),
});
export type SaleLayout = z.infer<typeof layoutSchema>;

/** Per-process cache of layouts: read on every hold, changed only by publish/rebuild. */
export class LayoutCache {
  private readonly cache = new Map<string, { at: number; layout: SaleLayout }>();

  constructor(
    private readonly redis: RedisClient,
    private readonly ttlMs = 5_000,
  ) {}

  async get(saleId: string): Promise<SaleLayout> {
    const hit = this.cache.get(saleId);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit.layout;
    const raw = await this.redis.get(saleKeys(saleId).layout);
    if (raw === null) throw new InventoryError('unknown_sale', `unknown sale: ${saleId} is not published`);
    const layout = layoutSchema.parse(JSON.parse(raw));
    this.cache.set(saleId, { at: Date.now(), layout });
    return layout;
  }

  forget(saleId: string): void {
    this.cache.delete(saleId);
  }
}
