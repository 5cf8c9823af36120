/**
 * Demo step: publishes the demo sale's seat pools to Redis and seeds its live queue settings, so
 * `bash scripts/demo.sh` opens with a sale that fans can hold seats in.
 */
import { connectRedis } from '../common/redis-connection.js';
import { initSaleSettings } from '../common/sale-controls.js';
import { createSeatInventory } from '../inventory/index.js';
import type { DemoHookContext } from './demo-hooks.js';

export async function publishDemoInventory({ config, pool, sale, say }: DemoHookContext): Promise<void> {
  const redis = connectRedis(config, { connectionName: 'usher-demo' });
  try {
    const published = await createSeatInventory({ redis, pg: pool }).publish(sale.saleId);
    say(`inventory: ${published.capacity} places in ${published.shards} shards${published.alreadyPublished ? ' (already published)' : ''}`);
    const { rows } = await pool.query(
      `SELECT admission_rate_per_min, max_active_shoppers, opens_at, closes_at, prequeue_opens_at FROM sales WHERE id = $1`,
      [sale.saleId],
    );
    const row = rows[0];
    if (row) {
      await initSaleSettings(redis, sale.saleId, {
        ratePerMin: row.admission_rate_per_min,
        maxActive: row.max_active_shoppers,
        opensAtMs: new Date(row.opens_at).getTime(),
        closesAtMs: new Date(row.closes_at).getTime(),
        prequeueOpensAtMs: new Date(row.prequeue_opens_at).getTime(),
      });
    }
  } finally {
    redis.disconnect();
  }
}
