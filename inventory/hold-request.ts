/**
 * Validates a hold request against the sale layout before any Redis write: quantity, section or
 * tier, seat ids, the per-fan limit, and for explicit seats the one shard they all live on (a
 * request whose seats span shards could not be taken atomically).
 */
import type { RedisClient } from '../common/redis-connection.js';
import type { HoldRequest } from './inventory-api.js';
import type { SaleLayout } from './sale-layout.js';
import { saleKeys } from './inventory-keys.js';
import { InventoryError } from './inventory-errors.js';

export type PlacementRequest =
  | { mode: 'section' | 'tier'; target: string; quantity: number; together: boolean }
  | { mode: 'seats'; seatIds: string[]; shard: number; quantity: number };

function checkQuantity(quantity: unknown, layout: SaleLayout): number {
  if (typeof quantity !== 'number' || !Number.isInteger(quantity) || quantity < 1) throw new InventoryError('bad_quantity');
  if (quantity > layout.perFanLimit) throw new InventoryError('over_limit', `at most ${layout.perFanLimit} tickets per fan`);
  return quantity;
}

export async function validateRequest(redis: RedisClient, layout: SaleLayout, request: HoldRequest): Promise<PlacementRequest> {
  if (request === null || typeof request !== 'object') throw new InventoryError('bad_quantity', 'missing hold request');
  if (request.kind === 'best') {
    const quantity = checkQuantity(request.quantity, layout);
    const together = request.together === true;
    if (typeof request.sectionId === 'string' && request.tierCode === undefined) {
      if (!layout.sections.some((s) => s.id === request.sectionId)) throw new InventoryError('unknown_section', `unknown section ${request.sectionId}`);
      return { mode: 'section', target: request.sectionId, quantity, together };
    }
    if (typeof request.tierCode === 'string' && request.sectionId === undefined) {
      if (!layout.sections.some((s) => s.tierCode === request.tierCode)) throw new InventoryError('unknown_section', `unknown tier ${request.tierCode}`);
      return { mode: 'tier', target: request.tierCode, quantity, together };
    }
    throw new InventoryError('unknown_section', 'name exactly one of sectionId or tierCode');
  }
  if (request.kind !== 'seats' || !Array.isArray(request.seatIds)) throw new InventoryError('bad_quantity', 'unknown request kind');
  const ids = request.seatIds;
  checkQuantity(ids.length, layout);
  const seen = new Set<number>();
  for (const id of ids) {
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 1) throw new InventoryError('unknown_seat', `unknown seat ${String(id)}`);
    if (seen.has(id)) throw new InventoryError('duplicate_seat', `seat ${id} is listed twice`);
    seen.add(id);
  }
  const shards = await redis.hmget(saleKeys(layout.saleId).seatShard, ...ids.map(String));
  const unknown = ids.filter((_, j) => shards[j] === null);
  if (unknown.length > 0) throw new InventoryError('unknown_seat', `unknown seat ${unknown.join(', ')}`);
  const distinct = new Set(shards);
  if (distinct.size > 1) throw new InventoryError('not_together', 'these seats are in different blocks; choose seats of one block');
  return { mode: 'seats', seatIds: ids.map(String), shard: Number(shards[0]), quantity: ids.length };
}
