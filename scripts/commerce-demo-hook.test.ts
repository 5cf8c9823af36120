/** The demo's pricing step, against a fresh database: idempotent, and the breakdown it gives. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { freshDatabase, type FreshDatabase } from '../test/support/databases.js';
import { smallSaleSpec } from '../test/support/inventory-fixture.js';
import { loadConfig } from '../common/config.js';
import { createCheckoutPricing } from '../checkout/pricing/checkout-pricing.js';
import { seedSale } from './seed-sale.js';
import { DEMO_PROMO_CODE, priceDemoEvent } from './commerce-demo-hook.js';

let db: FreshDatabase;
beforeAll(async () => { db = await freshDatabase(); });
afterAll(async () => { await db.drop(); });

it('gives the demo event a fee, its venue a tax rate and a promo code, once', async () => {
  const sale = await seedSale(db.pool, smallSaleSpec({ rows: 1, seatsPerRow: 4 }));
  const said: string[] = [];
  const ctx = { config: loadConfig({ NODE_ENV: 'test' }), pool: db.pool, sale, say: (l: string) => said.push(l) };
  await priceDemoEvent(ctx);
  await priceDemoEvent(ctx);
  expect(said[0]).toContain(DEMO_PROMO_CODE);
  const pricing = createCheckoutPricing(db.pool, { loyaltyEarnBps: 100 });
  const items = [{ sectionId: 's', tierCode: 'P1', seatId: 1, label: 'A1', priceMinor: 12_000 }];
  const b = await pricing.quote({ holdId: 'demo-hold-1', saleId: sale.saleId, items, email: 'fan@example.com', promoCode: 'demo10' });
  expect(b).toMatchObject({ ticketsMinor: 12_000, promoDiscountMinor: 1200, serviceFeeMinor: 450, taxRateBps: 2100, taxMinor: 2363, totalMinor: 11_250 + 2363 });
  expect((await db.pool.query(`SELECT count(*)::int AS n FROM promo_codes`)).rows[0].n).toBe(1);
});
