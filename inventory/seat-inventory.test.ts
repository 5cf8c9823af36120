import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { useFreshDatabaseAndRedis, newRedis, type FreshDatabase } from '../test/support/databases.js';
import { publishedSale, type InventorySale } from '../test/support/inventory-fixture.js';
import { InventoryError } from './inventory-errors.js';
import { shardKeys } from './inventory-keys.js';
import { createSeatInventory } from './seat-inventory.js';
import type { HoldRequest } from './inventory-api.js';

let db: FreshDatabase;
let redis: Redis;
useFreshDatabaseAndRedis((fresh, client) => ([db, redis] = [fresh, client]));

/** Everything a script could change on every shard of a sale. */
async function snapshot(s: InventorySale): Promise<string> {
  const parts: unknown[] = [];
  for (let k = 0; k < 8; k++) {
    const keys = shardKeys(s.sale.saleId, k);
    parts.push(await redis.hgetall(keys.counts), await redis.hgetall(keys.state), await redis.zrange(keys.free, 0, -1), (await redis.smembers(keys.holds)).sort());
  }
  return JSON.stringify(parts);
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    if (err instanceof InventoryError) return err.code;
    throw err;
  }
}

describe('seat inventory on one Redis', () => {
  it('publishes idempotently: a second publish adds nothing', async () => {
    const s = await publishedSale(redis, db.pool, { rows: 3, seatsPerRow: 4, gaCapacity: 10, shardCount: 3 });
    const again = await s.inventory.publish(s.sale.saleId);
    expect(again).toEqual({ shards: 3, capacity: 22, alreadyPublished: true });
    const a = await s.inventory.availability(s.sale.saleId);
    expect(a.sections.map((x) => [x.capacity, x.free])).toEqual([[12, 12], [10, 10]]);
    expect(a.status).toBe('on_sale');
    expect((await s.inventory.audit(s.sale.saleId)).ok).toBe(true);
  });

  it('holds best seats together, by section and by tier, with prices and a Redis-time deadline', async () => {
    const s = await publishedSale(redis, db.pool, { rows: 2, seatsPerRow: 5, gaCapacity: 6, shardCount: 2 });
    const before = Date.now();
    const h = await s.inventory.hold(s.sale.saleId, randomUUID(), { kind: 'best', sectionId: s.sale.sectionIds['Block A'], quantity: 3, together: true });
    expect(h.state).toBe('HELD');
    expect(h.items).toHaveLength(3);
    expect(h.amountMinor).toBe(3 * 12000);
    expect(h.currency).toBe('EUR');
    expect(h.deadlineMs).toBeGreaterThanOrEqual(before + 299_000);
    const rows = new Set(h.items.map((i) => i.label.split(', ')[1]));
    expect(rows.size).toBe(1);
    const nums = h.items.map((i) => Number(i.label.split('seat ')[1])).sort((a, b) => a - b);
    expect(nums[2]! - nums[0]!).toBe(2);
    const ga = await s.inventory.hold(s.sale.saleId, randomUUID(), { kind: 'best', tierCode: 'GA', quantity: 2 });
    expect(ga.items.map((i) => [i.seatId, i.priceMinor, i.label])).toEqual([[null, 4500, 'Floor'], [null, 4500, 'Floor']]);
    const a = await s.inventory.availability(s.sale.saleId);
    expect(a.sections.map((x) => [x.free, x.held])).toEqual([[7, 3], [4, 2]]);
    expect(await s.inventory.getHold(h.holdId)).toEqual(h);
  });

  it('answers not_together, then sold_out vs all_held, and lets the same pass retry once seats come back', async () => {
    const s = await publishedSale(redis, db.pool, { rows: 1, seatsPerRow: 4, shardCount: 1 });
    const section = s.sale.sectionIds['Block A']!;
    const [s1, , s3] = s.seatIds;
    const split = await s.inventory.hold(s.sale.saleId, randomUUID(), { kind: 'seats', seatIds: [s1!, s3!] });
    const pass = randomUUID();
    const want: HoldRequest = { kind: 'best', sectionId: section, quantity: 2, together: true };
    expect(await codeOf(s.inventory.hold(s.sale.saleId, pass, want))).toBe('not_together');
    const other = await s.inventory.hold(s.sale.saleId, randomUUID(), { kind: 'best', sectionId: section, quantity: 2 });
    expect(await codeOf(s.inventory.hold(s.sale.saleId, pass, want))).toBe('all_held');
    expect((await s.inventory.availability(s.sale.saleId)).status).toBe('all_held');
    await s.inventory.release(split.holdId);
    const got = await s.inventory.hold(s.sale.saleId, pass, { kind: 'best', sectionId: section, quantity: 1 });
    expect(got.state).toBe('HELD');
    expect(await s.inventory.release(got.holdId)).toBe('released');
    // a finished sale: everything sold
    const all = await s.inventory.hold(s.sale.saleId, randomUUID(), { kind: 'best', sectionId: section, quantity: 2 });
    await s.inventory.claim(all.holdId, { items: all.items, passJti: all.passJti, amountMinor: all.amountMinor, currency: 'EUR' });
    await s.inventory.finalize(all.holdId);
    await s.inventory.claim(other.holdId, { items: other.items, passJti: other.passJti, amountMinor: other.amountMinor, currency: 'EUR' });
    await s.inventory.finalize(other.holdId);
    expect(await codeOf(s.inventory.hold(s.sale.saleId, randomUUID(), want))).toBe('sold_out');
    expect((await s.inventory.availability(s.sale.saleId)).status).toBe('sold_out');
  });

  it('returns the same hold to 20 concurrent identical requests of one pass', async () => {
    for (const shardCount of [1, 3, 8]) {
      const s = await publishedSale(redis, db.pool, { rows: 4, seatsPerRow: 6, gaCapacity: 8, shardCount });
      const pass = randomUUID();
      const clients = Array.from({ length: 5 }, () => newRedis());
      const invs = clients.map((c) => publishedInventory(c, s));
      const req: HoldRequest = { kind: 'best', tierCode: 'P1', quantity: 2 };
      const holds = await Promise.all(Array.from({ length: 20 }, (_, j) => invs[j % 5]!.hold(s.sale.saleId, pass, req)));
      expect(new Set(holds.map((h) => h.holdId)).size).toBe(1);
      const a = await s.inventory.availability(s.sale.saleId);
      expect(a.sections[0]!.held).toBe(2);
      // mixed request kinds of one pass still converge on one hold
      const pass2 = randomUUID();
      const mixed = await Promise.all([
        ...Array.from({ length: 6 }, () => s.inventory.hold(s.sale.saleId, pass2, { kind: 'best', tierCode: 'GA', quantity: 1 })),
        ...Array.from({ length: 6 }, () => s.inventory.hold(s.sale.saleId, pass2, { kind: 'seats', seatIds: [s.seatIds[20]!] }).catch(() => null)),
      ]);
      expect(new Set(mixed.filter((h) => h).map((h) => h!.holdId)).size).toBe(1);
      expect((await s.inventory.audit(s.sale.saleId)).ok).toBe(true);
      for (const c of clients) c.disconnect();
    }
  });

  it('rejects bad input with a typed error and changes nothing', async () => {
    const s = await publishedSale(redis, db.pool, { rows: 2, seatsPerRow: 4, gaCapacity: 4, shardCount: 2, perFanLimit: 4 });
    const section = s.sale.sectionIds['Block A']!;
    const sale = s.sale.saleId;
    const held = await s.inventory.hold(sale, randomUUID(), { kind: 'best', sectionId: section, quantity: 1 });
    const released = await s.inventory.hold(sale, randomUUID(), { kind: 'best', sectionId: section, quantity: 1 });
    await s.inventory.release(released.holdId);
    const before = await snapshot(s);
    const cases: [string, () => Promise<unknown>][] = [
      ['bad_quantity', () => s.inventory.hold(sale, randomUUID(), { kind: 'best', sectionId: section, quantity: 0 })],
      ['bad_quantity', () => s.inventory.hold(sale, randomUUID(), { kind: 'best', sectionId: section, quantity: -2 })],
      ['bad_quantity', () => s.inventory.hold(sale, randomUUID(), { kind: 'best', sectionId: section, quantity: 1.5 })],
      ['over_limit', () => s.inventory.hold(sale, randomUUID(), { kind: 'best', sectionId: section, quantity: 5 })],
      ['over_limit', () => s.inventory.hold(sale, randomUUID(), { kind: 'seats', seatIds: s.seatIds.slice(0, 5) })],
      ['unknown_sale', () => s.inventory.hold(randomUUID(), randomUUID(), { kind: 'best', sectionId: section, quantity: 1 })],
      ['unknown_sale', () => s.inventory.hold('no such sale!', randomUUID(), { kind: 'best', sectionId: section, quantity: 1 })],
      ['unknown_section', () => s.inventory.hold(sale, randomUUID(), { kind: 'best', sectionId: randomUUID(), quantity: 1 })],
      ['unknown_section', () => s.inventory.hold(sale, randomUUID(), { kind: 'best', tierCode: 'NOPE', quantity: 1 })],
      ['unknown_seat', () => s.inventory.hold(sale, randomUUID(), { kind: 'seats', seatIds: [999_999_999] })],
      ['unknown_seat', () => s.inventory.hold(sale, randomUUID(), { kind: 'seats', seatIds: [-1] })],
      ['duplicate_seat', () => s.inventory.hold(sale, randomUUID(), { kind: 'seats', seatIds: [s.seatIds[3]!, s.seatIds[3]!] })],
      ['seat_taken', () => s.inventory.hold(sale, randomUUID(), { kind: 'seats', seatIds: [held.items[0]!.seatId!] })],
      ['hold_expired', () => s.inventory.hold(sale, released.passJti, { kind: 'best', sectionId: section, quantity: 1 })],
      ['hold_not_found', () => s.inventory.release(`${sale}.0.nosuchhold`)],
      ['hold_not_found', () => s.inventory.extend('garbage')],
      ['hold_expired', () => s.inventory.extend(released.holdId)],
      ['wrong_state', () => s.inventory.finalize(held.holdId)],
      ['wrong_state', () => s.inventory.restock(held.holdId, [{ sectionId: section, seatId: held.items[0]!.seatId }])],
      ['wrong_state', () => s.inventory.unclaim(held.holdId)],
    ];
    for (const [code, call] of cases) expect(await codeOf(call()), code).toBe(code);
    expect(await s.inventory.release(released.holdId)).toBe('already');
    expect(await snapshot(s)).toBe(before);
  });

  it('refuses holds when the sale is closed and again accepts them when reopened', async () => {
    const s = await publishedSale(redis, db.pool, { rows: 1, seatsPerRow: 4, shardCount: 2 });
    await s.inventory.setOnSale(s.sale.saleId, false);
    expect(await codeOf(s.inventory.hold(s.sale.saleId, randomUUID(), { kind: 'best', tierCode: 'P1', quantity: 1 }))).toBe('sale_not_open');
    await s.inventory.setOnSale(s.sale.saleId, true);
    expect(await codeOf(s.inventory.hold(s.sale.saleId, randomUUID(), { kind: 'best', tierCode: 'P1', quantity: 1 }))).toBe('ok');
  });

  it('answers sale_not_open, not sold_out, on a closed sale where nothing is left (no script decides that refusal)', async () => {
    const s = await publishedSale(redis, db.pool, { rows: 1, seatsPerRow: 2, shardCount: 2 });
    const sale = s.sale.saleId;
    for (const jti of [randomUUID(), randomUUID()]) await s.inventory.hold(sale, jti, { kind: 'best', tierCode: 'P1', quantity: 1 });
    expect(await codeOf(s.inventory.hold(sale, randomUUID(), { kind: 'best', tierCode: 'P1', quantity: 1 }))).toBe('all_held');
    await s.inventory.setOnSale(sale, false);
    expect(await codeOf(s.inventory.hold(sale, randomUUID(), { kind: 'best', tierCode: 'P1', quantity: 1 }))).toBe('sale_not_open');
  });

  it('runs the state machine: extend once, claim, finalize, restock, unclaim — each idempotent', async () => {
    const s = await publishedSale(redis, db.pool, { rows: 2, seatsPerRow: 4, gaCapacity: 8, shardCount: 2, paymentGraceSeconds: 90 });
    const sale = s.sale.saleId;
    const h = await s.inventory.hold(sale, randomUUID(), { kind: 'best', tierCode: 'P1', quantity: 2 });
    const e1 = await s.inventory.extend(h.holdId);
    const e2 = await s.inventory.extend(h.holdId);
    expect(e1.deadlineMs).toBe(h.deadlineMs + 90_000);
    expect(e2).toEqual(e1);
    const expected = { items: h.items, passJti: h.passJti, amountMinor: h.amountMinor, currency: 'EUR' };
    const c1 = await s.inventory.claim(h.holdId, expected);
    const c2 = await s.inventory.claim(h.holdId, expected);
    expect([c1.outcome, c2.outcome]).toEqual(['claimed', 'claimed']);
    expect(await s.inventory.release(h.holdId)).toBe('already');
    await s.inventory.finalize(h.holdId);
    await s.inventory.finalize(h.holdId);
    expect((await s.inventory.claim(h.holdId, expected)).outcome).toBe('already_sold');
    expect((await s.inventory.getHold(h.holdId))!.state).toBe('SOLD');
    let a = await s.inventory.availability(sale);
    expect(a.sections[0]).toMatchObject({ free: 6, sold: 2 });
    await s.inventory.restock(h.holdId, h.items);
    await s.inventory.restock(h.holdId, h.items);
    a = await s.inventory.availability(sale);
    expect(a.sections[0]).toMatchObject({ free: 8, sold: 0 });
    const g = await s.inventory.hold(sale, randomUUID(), { kind: 'best', tierCode: 'GA', quantity: 3 });
    await s.inventory.claim(g.holdId, { items: g.items, passJti: g.passJti, amountMinor: g.amountMinor, currency: 'EUR' });
    await s.inventory.unclaim(g.holdId);
    await s.inventory.unclaim(g.holdId);
    expect((await s.inventory.getHold(g.holdId))!.state).toBe('RELEASED');
    a = await s.inventory.availability(sale);
    expect(a.sections[1]).toMatchObject({ free: 8, held: 0, claimed: 0 });
    expect((await s.inventory.audit(sale)).ok).toBe(true);
  });

  it('claim after expiry reacquires the same free seats, or reports the hold lost', async () => {
    const s = await publishedSale(redis, db.pool, { rows: 1, seatsPerRow: 4, gaCapacity: 2, shardCount: 1 });
    const sale = s.sale.saleId;
    const a = await s.inventory.hold(sale, randomUUID(), { kind: 'best', tierCode: 'P1', quantity: 2 });
    const b = await s.inventory.hold(sale, randomUUID(), { kind: 'best', tierCode: 'GA', quantity: 2 });
    // b was taken a few ms after a: sweep past both deadlines
    const report = await s.inventory.sweep(Math.max(a.deadlineMs, b.deadlineMs) + 1, [s.sale.saleId]);
    expect(report.expired).toBeGreaterThanOrEqual(2);
    expect(report.expiredPasses).toEqual(expect.arrayContaining([{ saleId: sale, passJti: a.passJti }, { saleId: sale, passJti: b.passJti }]));
    expect((await s.inventory.getHold(a.holdId))!.state).toBe('EXPIRED');
    expect(await codeOf(s.inventory.claim(a.holdId, { items: [a.items[0]!, a.items[0]!], passJti: a.passJti, amountMinor: 1, currency: 'EUR' }))).toBe('duplicate_seat');
    const again = await s.inventory.claim(a.holdId, { items: a.items, passJti: a.passJti, amountMinor: a.amountMinor, currency: 'EUR' });
    expect(again.outcome).toBe('reacquired');
    // b's GA places go to someone else first: b is lost
    await s.inventory.hold(sale, randomUUID(), { kind: 'best', tierCode: 'GA', quantity: 1 });
    const lost = await s.inventory.claim(b.holdId, { items: b.items, passJti: b.passJti, amountMinor: b.amountMinor, currency: 'EUR' });
    expect(lost.outcome).toBe('lost');
    expect((await s.inventory.audit(sale)).ok).toBe(true);
  });

  it('survives SCRIPT FLUSH between calls (NOSCRIPT path)', async () => {
    const s = await publishedSale(redis, db.pool, { rows: 2, seatsPerRow: 4, shardCount: 2 });
    const h = await s.inventory.hold(s.sale.saleId, randomUUID(), { kind: 'best', tierCode: 'P1', quantity: 1 });
    await redis.script('FLUSH');
    expect((await s.inventory.extend(h.holdId)).extended).toBe(true);
    await redis.script('FLUSH');
    expect(await s.inventory.release(h.holdId)).toBe('released');
    await redis.script('FLUSH');
    expect((await s.inventory.hold(s.sale.saleId, randomUUID(), { kind: 'best', tierCode: 'P1', quantity: 1 })).state).toBe('HELD');
  });
});

/** Another process's view of the same sale: its own connection and script cache. */
function publishedInventory(client: Redis, _s: InventorySale): InventorySale['inventory'] {
  return createSeatInventory({ redis: client, pg: db.pool, availabilityCacheMs: 0 });
}
