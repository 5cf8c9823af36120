import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { useFreshDatabaseAndRedis, type FreshDatabase } from '../test/support/databases.js';
import { insertLiveTickets, publishedSale } from '../test/support/inventory-fixture.js';
import { wipeSale } from './inventory-publish.js';
import { shardKeys } from './inventory-keys.js';

let db: FreshDatabase;
let redis: Redis;
useFreshDatabaseAndRedis((fresh, client) => ([db, redis] = [fresh, client]));

describe('audit and rebuild against Postgres', () => {
  it('rebuilds the pools after a Redis loss: sold stays sold, paid holds resolve at claim', async () => {
    const s = await publishedSale(redis, db.pool, { rows: 4, seatsPerRow: 5, gaCapacity: 12, shardCount: 3 });
    const sale = s.sale.saleId;
    const inv = s.inventory;
    const sold = [];
    for (const request of [{ kind: 'best', tierCode: 'P1', quantity: 3 }, { kind: 'best', tierCode: 'GA', quantity: 2 }] as const) {
      const h = await inv.hold(sale, randomUUID(), request);
      await inv.claim(h.holdId, { items: h.items, passJti: h.passJti, amountMinor: h.amountMinor, currency: 'EUR' });
      await insertLiveTickets(db.pool, s.sale, h.holdId, h.items);
      await inv.finalize(h.holdId);
      sold.push(h);
    }
    const paid = await inv.hold(sale, randomUUID(), { kind: 'best', tierCode: 'P1', quantity: 2 }); // payment in flight
    await inv.hold(sale, randomUUID(), { kind: 'best', tierCode: 'P1', quantity: 1 }); // just browsing
    expect((await inv.audit(sale)).ok).toBe(true);

    // Redis loses the sale
    await wipeSale(redis, sale, 3);
    expect(await redis.exists(shardKeys(sale, 0).meta)).toBe(0);

    const result = await inv.rebuild(sale);
    expect(result).toMatchObject({ shards: 3, capacity: 32, sold: 5, holdsRestored: 2 });
    const report = await inv.audit(sale);
    expect(report.violations).toEqual([]);
    expect(report.totals).toMatchObject({ capacity: 32, sold: 5, held: 0, free: 27, liveTickets: 5 });
    // the committed holds are SOLD again: finalize is a no-op, cancellation restocks
    await inv.finalize(sold[0]!.holdId);
    expect((await inv.getHold(sold[0]!.holdId))!.state).toBe('SOLD');
    // the in-flight payment's hold is gone, its seats free: claim reacquires them
    const c = await inv.claim(paid.holdId, { items: paid.items, passJti: paid.passJti, amountMinor: paid.amountMinor, currency: 'EUR' });
    expect(c.outcome).toBe('reacquired');
    // rebuilding again over a live Redis is idempotent with respect to the record (Postgres)
    await inv.unclaim(paid.holdId);
    await inv.rebuild(sale);
    expect((await inv.audit(sale)).violations).toEqual([]);
  });

  it('reports every kind of violation and fails when Redis and Postgres disagree', async () => {
    const s = await publishedSale(redis, db.pool, { rows: 2, seatsPerRow: 4, gaCapacity: 6, shardCount: 2 });
    const sale = s.sale.saleId;
    expect((await s.inventory.audit(sale)).ok).toBe(true);
    // a live ticket Redis never sold
    await insertLiveTickets(db.pool, s.sale, `${sale}.0.foreignorder`, [{ sectionId: s.sale.sectionIds['Block A']!, seatId: s.seatIds[0]!, tierCode: 'P1', priceMinor: 1 }]);
    // a tampered counter (an oversell)
    const h = await s.inventory.hold(sale, randomUUID(), { kind: 'best', tierCode: 'GA', quantity: 1 });
    await redis.hincrby(shardKeys(sale, h.shard).counts, `f:${s.sale.sectionIds['Floor']}`, -5);
    const report = await s.inventory.audit(sale);
    expect(report.ok).toBe(false);
    expect(report.violations.join('\n')).toMatch(/has a live ticket but is not SOLD/);
    expect(report.violations.join('\n')).toMatch(/≠ capacity/);
    expect(report.violations.join('\n')).toMatch(/negative counter/);
  });
});
