/** Small sales for the inventory tests: seeded into a fresh Postgres database, published to Redis. */
import type pg from 'pg';
import type { Redis, Cluster } from 'ioredis';
import { seedSale, type SaleSpec, type SeededSale } from '../../scripts/seed-sale.js';
import { createSeatInventory, type UsherSeatInventory, type InventoryTuning } from '../../inventory/seat-inventory.js';
import { uniqueId } from './databases.js';

export interface SmallSaleOptions {
  rows?: number;
  seatsPerRow?: number;
  gaCapacity?: number;
  shardCount?: number;
  perFanLimit?: number;
  holdSeconds?: number;
  paymentGraceSeconds?: number;
  /** a second reserved block in tier P2 */
  secondBlock?: boolean;
}

export function smallSaleSpec(o: SmallSaleOptions = {}): SaleSpec {
  const sections: SaleSpec['sections'] = [];
  if ((o.rows ?? 5) > 0) sections.push({ name: 'Block A', kind: 'reserved', rows: o.rows ?? 5, seatsPerRow: o.seatsPerRow ?? 10, tierCode: 'P1' });
  if (o.secondBlock) sections.push({ name: 'Block B', kind: 'reserved', rows: 2, seatsPerRow: 4, tierCode: 'P2' });
  if ((o.gaCapacity ?? 0) > 0) sections.push({ name: 'Floor', kind: 'ga', capacity: o.gaCapacity!, tierCode: 'GA' });
  return {
    key: uniqueId('inv'),
    currency: 'EUR',
    sections,
    tiers: [
      { code: 'P1', name: 'Premium', priceMinor: 12000 },
      { code: 'P2', name: 'Seated', priceMinor: 7500 },
      { code: 'GA', name: 'Standing', priceMinor: 4500 },
    ],
    sale: {
      shardCount: o.shardCount ?? 2,
      perFanLimit: o.perFanLimit ?? 6,
      holdSeconds: o.holdSeconds ?? 300,
      paymentGraceSeconds: o.paymentGraceSeconds ?? 60,
    },
  };
}

export interface InventorySale {
  inventory: UsherSeatInventory;
  sale: SeededSale;
  seatIds: number[];
}

export async function publishedSale(redis: Redis | Cluster, pool: pg.Pool, o: SmallSaleOptions = {}, tuning: InventoryTuning = {}): Promise<InventorySale> {
  const sale = await seedSale(pool, smallSaleSpec(o));
  const inventory = createSeatInventory({ redis, pg: pool, availabilityCacheMs: 0, ...tuning });
  await inventory.publish(sale.saleId);
  const seats = await pool.query('SELECT id FROM seats WHERE section_id = ANY($1) ORDER BY id', [Object.values(sale.sectionIds)]);
  return { inventory, sale, seatIds: seats.rows.map((r: { id: string | number }) => Number(r.id)) };
}

/** Inserts a committed order with live tickets for a hold, as the commit worker would. */
export async function insertLiveTickets(
  pool: pg.Pool,
  sale: SeededSale,
  orderId: string,
  items: { sectionId: string; seatId: number | null; tierCode: string; priceMinor: number }[],
): Promise<void> {
  const amount = items.reduce((a, i) => a + i.priceMinor, 0);
  await pool.query(
    `INSERT INTO orders (id, sale_id, event_id, email, payment_intent_id, amount_minor, currency, status)
     VALUES ($1, $2, $3, 'fan@example.com', $4, $5, 'EUR', 'committed')`,
    [orderId, sale.saleId, sale.eventId, `pi_${orderId}`, amount],
  );
  for (const it of items) {
    await pool.query(
      `INSERT INTO tickets (order_id, event_id, section_id, seat_id, tier_code, price_minor) VALUES ($1, $2, $3, $4, $5, $6)`,
      [orderId, sale.eventId, it.sectionId, it.seatId, it.tierCode, it.priceMinor],
    );
  }
}
