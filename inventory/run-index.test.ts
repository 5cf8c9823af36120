/**
 * The free-run index behind "N together" (lua/includes/runIndex.lua): through random holds of
 * every kind, releases, expiry, sales and unclaims, every together hold gets exactly the seats a
 * full scan of the free seats would pick (the first run of N in score order), and the audit finds
 * the index complete after every step. Replay with INVENTORY_SEED=<seed>.
 */
import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { useFreshDatabaseAndRedis, type FreshDatabase } from '../test/support/databases.js';
import { insertLiveTickets, publishedSale } from '../test/support/inventory-fixture.js';
import { shardKeys } from './inventory-keys.js';
import { InventoryError } from './inventory-errors.js';
import type { Hold } from './inventory-api.js';
import { seededRandom } from '../loadtests/lib/seeded-random.js';

let db: FreshDatabase;
let redis: Redis;
useFreshDatabaseAndRedis((fresh, client) => ([db, redis] = [fresh, client]));

/** What the old full scan picked: the first q consecutive free scores of the shard's section. */
async function fullScanPick(saleId: string, shard: number, q: number): Promise<string[] | null> {
  const flat = await redis.zrange(shardKeys(saleId, shard).free, 0, -1, 'WITHSCORES');
  let picked: string[] = [];
  let last: number | undefined;
  for (let j = 0; j < flat.length; j += 2) {
    const score = Number(flat[j + 1]);
    picked = last !== undefined && score === last + 1 ? [...picked, flat[j]!] : [flat[j]!];
    last = score;
    if (picked.length === q) return picked;
  }
  return null;
}

const seatsOf = (h: Hold): string[] => h.items.map((i) => String(i.seatId));

describe('free-run index', () => {
  const seed = process.env.INVENTORY_SEED ? Number(process.env.INVENTORY_SEED) : Date.now() % 1_000_000;
  it(`picks what a full scan picks and stays complete through hold, release, expiry, sale (seed ${seed})`, async () => {
    const rnd = seededRandom(seed);
    process.stderr.write(`[run index] seed=${seed}\n`);
    const s = await publishedSale(redis, db.pool, { rows: 6, seatsPerRow: 8, shardCount: 1, perFanLimit: 6 });
    const sale = s.sale.saleId;
    const section = s.sale.sectionIds['Block A']!;
    const live: Hold[] = [];
    let together = 0;
    for (let step = 0; step < 300; step++) {
      const r = rnd();
      if (r < 0.55 || live.length === 0) {
        const q = 1 + Math.floor(rnd() * 6);
        const kind = rnd();
        const want = kind < 0.5 ? await fullScanPick(sale, 0, q) : null;
        try {
          const h = kind < 0.5
            ? await s.inventory.hold(sale, randomUUID(), { kind: 'best', sectionId: section, quantity: q, together: true })
            : kind < 0.75
              ? await s.inventory.hold(sale, randomUUID(), { kind: 'best', sectionId: section, quantity: q })
              : await s.inventory.hold(sale, randomUUID(), { kind: 'seats', seatIds: [s.seatIds[Math.floor(rnd() * s.seatIds.length)]!] });
          if (kind < 0.5) {
            expect(seatsOf(h), `step ${step}: together ${q}`).toEqual(want);
            together++;
          }
          live.push(h);
        } catch (err) {
          if (!(err instanceof InventoryError)) throw err;
          if (kind < 0.5) expect(want, `step ${step}: together ${q} refused (${err.code}) though a full scan finds a run`).toBeNull();
        }
      } else {
        const h = live.splice(Math.floor(rnd() * live.length), 1)[0]!;
        const fate = rnd();
        const expected = { items: h.items, passJti: h.passJti, amountMinor: h.amountMinor, currency: h.currency };
        if (fate < 0.35) await s.inventory.release(h.holdId);
        else if (fate < 0.6) await s.inventory.sweep(h.deadlineMs + 1, [sale]);
        else if (fate < 0.8) {
          await s.inventory.claim(h.holdId, expected);
          await s.inventory.unclaim(h.holdId);
        } else {
          await s.inventory.claim(h.holdId, expected);
          await s.inventory.finalize(h.holdId);
          await insertLiveTickets(db.pool, s.sale, h.holdId, h.items);
          if (rnd() < 0.5) {
            await s.inventory.restock(h.holdId, h.items);
            await db.pool.query(`UPDATE tickets SET status = 'void', voided_at = now() WHERE order_id = $1`, [h.holdId]);
          }
        }
        // a sweep may also have expired other live holds: keep only those still HELD
        for (let j = live.length - 1; j >= 0; j--) if ((await s.inventory.getHold(live[j]!.holdId))?.state !== 'HELD') live.splice(j, 1);
      }
      const audit = await s.inventory.audit(sale);
      expect(audit.violations, `step ${step}`).toEqual([]);
    }
    expect(together).toBeGreaterThan(20);
  }, 120_000);

  it('drops a full row from the index once a search meets it, and finds runs past it', async () => {
    const s = await publishedSale(redis, db.pool, { rows: 3, seatsPerRow: 4, shardCount: 1 });
    const sale = s.sale.saleId;
    const section = s.sale.sectionIds['Block A']!;
    const runs = shardKeys(sale, 0).runs;
    expect(await redis.zcard(runs)).toBe(3 * 3); // t = 2, 3, 4 for each row of 4
    // best available fills row 1 and leaves the index as it was (holds write nothing to it)
    await s.inventory.hold(sale, randomUUID(), { kind: 'best', sectionId: section, quantity: 4 });
    expect(await redis.zcard(runs)).toBe(9);
    const h = await s.inventory.hold(sale, randomUUID(), { kind: 'best', sectionId: section, quantity: 3, together: true });
    expect(h.items.map((i) => i.label)).toEqual(['Block A, row B, seat 1', 'Block A, row B, seat 2', 'Block A, row B, seat 3']);
    expect(await redis.zcard(runs)).toBe(6); // row A's entries were stale and are gone
    expect((await s.inventory.audit(sale)).violations).toEqual([]);
  });

  it('takes more seats together than the index covers by reading the section', async () => {
    const s = await publishedSale(redis, db.pool, { rows: 2, seatsPerRow: 14, shardCount: 1, perFanLimit: 12 });
    const h = await s.inventory.hold(s.sale.saleId, randomUUID(), { kind: 'best', sectionId: s.sale.sectionIds['Block A']!, quantity: 12, together: true });
    expect(h.items).toHaveLength(12);
    const positions = h.items.map((i) => Number(i.label.split('seat ')[1]));
    expect(positions).toEqual(Array.from({ length: 12 }, (_, j) => positions[0]! + j));
    expect((await s.inventory.audit(s.sale.saleId)).violations).toEqual([]);
  });
});
