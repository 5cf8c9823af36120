import { describe, it, expect } from 'vitest';
import { newRedis } from '../test/support/databases.js';
import { queueKeys } from '../admission/queue-keys.js';
import type { SeatStatus } from './queue-store.js';
import { startTestEdge, createSale, newVisitor, Fan, sleep } from '../test/support/edge-test-harness.js';

describe('admission while seats remain', () => {
  it('admits nobody while the inventory says all held or sold out, tells the fans, and resumes when seats come back', async () => {
    const redis = newRedis();
    let seats: SeatStatus = 'all_held';
    const edge = await startTestEdge({}, { seatStatus: async () => seats });
    try {
      const saleId = await createSale(redis, { ratePerMin: 6000, maxActive: 100 });
      const fan = await Fan.open(edge.wsUrl(saleId));
      await fan.join((await newVisitor(edge.url)).token);
      await sleep(300);
      expect(fan.messages.some((m) => m.type === 'position' && m.state === 'all_held')).toBe(true);
      seats = 'sold_out';
      await fan.next('sold_out', 3000);
      expect(await redis.hget(queueKeys(saleId).stats, 'admitted')).toBeNull();
      expect(fan.messages.some((m) => m.type === 'offer')).toBe(false);
      seats = 'on_sale';
      await fan.next('offer', 3000);
      await fan.close();
    } finally {
      await edge.close();
      redis.disconnect();
    }
  });
});
