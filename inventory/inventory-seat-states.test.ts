/**
 * The seat-state view (inventory-seat-states.ts) against real Redis: every script that moves a
 * reserved seat bumps its shard's version, a read re-reads only the shards that changed, and under
 * 300 concurrent holds, releases and reads a read never misses a change that finished before it.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { useFreshDatabaseAndRedis, newRedis, type FreshDatabase } from '../test/support/databases.js';
import { publishedSale } from '../test/support/inventory-fixture.js';
import { shardKeys } from './inventory-keys.js';
import { createSeatInventory } from './seat-inventory.js';
import type { SeatStates } from './inventory-api.js';

let db: FreshDatabase;
let redis: Redis;
useFreshDatabaseAndRedis((fresh, client) => ([db, redis] = [fresh, client]));

const stateOf = (r: SeatStates, id: number): string | undefined => r.shards.map((m) => m.get(id)).find((v) => v !== undefined);

describe('seat states', () => {
  it('each move of a seat bumps its shard\'s version; a GA hold does not; unchanged shards are not re-read', async () => {
    const s = await publishedSale(redis, db.pool, { rows: 4, seatsPerRow: 5, gaCapacity: 10, shardCount: 2 });
    const inv = s.inventory;
    const saleId = s.sale.saleId;
    const first = await inv.seatStates(saleId);
    expect(first.reads).toEqual({ versions: 2, shards: 2 });
    expect(s.seatIds.every((id) => stateOf(first, id) === 'F')).toBe(true);
    expect((await inv.seatStates(saleId)).reads).toEqual({ versions: 2, shards: 0 });

    const ga = await inv.hold(saleId, randomUUID(), { kind: 'best', tierCode: 'GA', quantity: 2 });
    expect(ga.items[0]!.seatId).toBeNull();
    expect((await inv.seatStates(saleId)).version).toBe(first.version);

    const seat = s.seatIds[0]!;
    const h = await inv.hold(saleId, randomUUID(), { kind: 'seats', seatIds: [seat] });
    const held = await inv.seatStates(saleId);
    expect(held.reads).toEqual({ versions: 2, shards: 1 });
    expect(stateOf(held, seat)).toBe('H');
    const versions = [held.version];
    const expect_ = async (state: string) => {
      const r = await inv.seatStates(saleId);
      expect(stateOf(r, seat)).toBe(state);
      expect(versions).not.toContain(r.version);
      versions.push(r.version);
    };
    await inv.claim(h.holdId, { items: h.items, passJti: h.passJti, amountMinor: h.amountMinor, currency: h.currency });
    await expect_('H'); // claimed: still not on offer
    await inv.finalize(h.holdId);
    await expect_('S');
    await inv.restock(h.holdId, h.items);
    await expect_('F');
    const h2 = await inv.hold(saleId, randomUUID(), { kind: 'seats', seatIds: [seat] });
    await expect_('H');
    await inv.release(h2.holdId);
    await expect_('F');
    const h3 = await inv.hold(saleId, randomUUID(), { kind: 'seats', seatIds: [seat] });
    await expect_('H');
    await inv.sweep(h3.deadlineMs + 1, [saleId]);
    await expect_('F');
    expect((await inv.audit(saleId)).ok).toBe(true);
  });

  it('a sale published before versions existed needs no rebuild: its first seat move creates the version', async () => {
    const s = await publishedSale(redis, db.pool, { rows: 2, seatsPerRow: 5, shardCount: 2 });
    const saleId = s.sale.saleId;
    for (let k = 0; k < 2; k++) await redis.hdel(shardKeys(saleId, k).counts, 'ver');
    expect((await s.inventory.seatStates(saleId)).reads).toEqual({ versions: 2, shards: 2 });
    expect((await s.inventory.seatStates(saleId)).reads).toEqual({ versions: 2, shards: 0 });
    const seat = s.seatIds[0]!;
    await s.inventory.hold(saleId, randomUUID(), { kind: 'seats', seatIds: [seat] });
    const after = await s.inventory.seatStates(saleId);
    expect(after.reads).toEqual({ versions: 2, shards: 1 });
    expect(stateOf(after, seat)).toBe('H');
  });

  it('never misses a change that finished before the read began, under 300 concurrent holds, releases and reads', async () => {
    const s = await publishedSale(redis, db.pool, { rows: 10, seatsPerRow: 10, shardCount: 4 });
    const inv = s.inventory;
    const saleId = s.sale.saleId;
    // writes on their own connection, at staggered times, so that holds finish while reads are in flight
    const other = newRedis();
    const writer = createSeatInventory({ redis: other, pg: db.pool });
    await inv.seatStates(saleId);
    const violations: string[] = [];
    await Promise.all(Array.from({ length: 300 }, async (_, k) => {
      const seat = s.seatIds[k % s.seatIds.length]!;
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 200)));
      try {
        const h = await writer.hold(saleId, randomUUID(), { kind: 'seats', seatIds: [seat] });
        const r = await inv.seatStates(saleId);
        if (stateOf(r, seat) !== 'H' && stateOf(r, seat) !== 'F') violations.push(`seat ${seat}: ${stateOf(r, seat)}`);
        // our hold finished before this read began: unless released since (only this task releases it), it shows
        if (stateOf(r, seat) !== 'H') violations.push(`seat ${seat} held by hold ${h.holdId} reads ${stateOf(r, seat)}`);
        await writer.release(h.holdId);
      } catch (err) {
        if ((err as { code?: string }).code !== 'seat_taken') throw err;
      }
    }));
    other.disconnect();
    expect(violations).toEqual([]);
    const final = await inv.seatStates(saleId);
    // and the view equals Redis's own state hashes
    for (let k = 0; k < 4; k++) {
      const truth = await redis.hgetall(shardKeys(saleId, k).state);
      for (const [id, v] of Object.entries(truth)) expect(final.shards[k]!.get(Number(id))).toBe(v[0] === 'C' ? 'H' : v[0]);
    }
  });
});
