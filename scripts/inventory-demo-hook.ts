/**
 * Demo step: publishes the demo sale's seat pools to Redis and seeds its live queue settings, so
 * `bash scripts/demo.sh` opens with a sale that fans can hold seats in.
 */
import { connectRedis } from '../common/redis-connection.js';
import { initSaleSettingsFromPostgres } from '../admission/sale-controls.js';
import { createSeatInventory } from '../inventory/index.js';
import type { DemoHookContext } from './demo-hooks.js';

export async function publishDemoInventory({ config, pool, sale, say }: DemoHookContext): Promise<void> {
  const redis = connectRedis(config, { connectionName: 'usher-demo' });
  try {
    const published = await createSeatInventory({ redis, pg: pool }).publish(sale.saleId);
    say(`inventory: ${published.capacity} places in ${published.shards} shards${published.alreadyPublished ? ' (already published)' : ''}`);
    await initSaleSettingsFromPostgres(redis, pool, sale.saleId);
  } finally {
    redis.disconnect();
  }
}
