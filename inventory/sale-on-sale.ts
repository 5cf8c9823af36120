/**
 * The `on_sale` flag every shard's meta carries: the hold scripts refuse new holds while it is '0'
 * (holds already taken keep their deadline). Redis only, so a role without the whole inventory (the
 * edge closing a sale from its controls) can stop selling as the API does.
 */
import type { RedisClient } from '../common/redis-connection.js';
import { parseSaleId } from './hold-id.js';
import { shardKeys } from './inventory-keys.js';
import { LayoutCache } from './sale-layout.js';

/** Sets the flag on every shard of a published sale; throws unknown_sale when it is not published. */
export async function setOnSaleFlag(redis: RedisClient, saleId: string, onSale: boolean, layouts = new LayoutCache(redis)): Promise<void> {
  const id = parseSaleId(saleId);
  const layout = await layouts.get(id);
  await Promise.all(Array.from({ length: layout.shards }, (_, k) => redis.hset(shardKeys(id, k).meta, 'on_sale', onSale ? '1' : '0')));
}
