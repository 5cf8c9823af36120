/**
 * The end of a sale, where each (section, shard) cell has a seat or two left: a best-available
 * hold spills across the tier's sections of one shard instead of failing, and a hold that no shard
 * can serve costs a few plain reads and no script at all (it used to run the whole tier walk of
 * holdSeats on every shard). Redis commands are counted by MONITOR on this sale's keys.
 */
import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { useFreshDatabaseAndRedis, newRedis, redisUrl, type FreshDatabase } from '../test/support/databases.js';
import { smallSaleSpec } from '../test/support/inventory-fixture.js';
import { seedSale, type SeededSale } from '../scripts/seed-sale.js';
import { createSeatInventory, type UsherSeatInventory } from './seat-inventory.js';
import { InventoryError } from './inventory-errors.js';
import { monitorArgs, monitorSource, monitorWindow } from '../test/support/redis-monitor.js';
import type { Hold } from './inventory-api.js';

let db: FreshDatabase;
let redis: Redis;
useFreshDatabaseAndRedis((fresh, client) => ([db, redis] = [fresh, client]));

const SHARDS = 4;
const BLOCKS = ['Block A', 'Block B', 'Block C'];

/**
 * Three P1 blocks of 4 rows × 4 seats on 4 shards: planSale gives each shard one row of each
 * block. Then the first 3 seats of every row are held, leaving one free seat per (block, shard):
 * 3 free seats on each shard, no section with 2 anywhere.
 */
async function fragmentedSale(tuning: { placementHintsMs?: number } = {}): Promise<{ inventory: UsherSeatInventory; sale: SeededSale; held: Hold[] }> {
  const spec = smallSaleSpec({ rows: 0, shardCount: SHARDS, perFanLimit: 6 });
  spec.sections = BLOCKS.map((name) => ({ name, kind: 'reserved' as const, rows: 4, seatsPerRow: 4, tierCode: 'P1' }));
  const sale = await seedSale(db.pool, spec);
  const inventory = createSeatInventory({ redis, pg: db.pool, availabilityCacheMs: 0, ...tuning });
  await inventory.publish(sale.saleId);
  const { rows } = await db.pool.query<{ id: string; section_id: string; row_label: string }>(
    'SELECT id, section_id, row_label FROM seats WHERE section_id = ANY($1) ORDER BY section_id, row_label, position',
    [Object.values(sale.sectionIds)],
  );
  const byRow = new Map<string, number[]>();
  for (const r of rows) byRow.set(`${r.section_id}|${r.row_label}`, [...(byRow.get(`${r.section_id}|${r.row_label}`) ?? []), Number(r.id)]);
  const held: Hold[] = [];
  for (const ids of byRow.values()) held.push(await inventory.hold(sale.saleId, randomUUID(), { kind: 'seats', seatIds: ids.slice(0, 3) }));
  return { inventory, sale, held };
}

/** Redis commands naming this sale's keys while `fn` runs: script calls, commands run inside scripts, plain commands (and each top-level name). */
async function commandsOf(saleId: string, fn: () => Promise<unknown>): Promise<{ scripts: number; inLua: number; plain: number; names: Record<string, number> }> {
  const tally = { scripts: 0, inLua: 0, plain: 0, names: {} as Record<string, number> };
  const endMark = `tail-end ${randomUUID()}`;
  let sawStart: () => void = () => undefined;
  const started = new Promise<void>((resolve) => (sawStart = resolve));
  // a plain socket (ioredis's monitor() can mistake lines that arrive with its OK for replies)
  const window = monitorWindow(redisUrl(), 60_000, sawStart, (line) => {
    const args = monitorArgs(line);
    // MONITOR lines trail the replies: a marker sent after fn's last reply comes after its commands
    if (args[1] === endMark) return true;
    if (!args.some((a) => a.includes(saleId))) return;
    const name = args[0]!.toLowerCase();
    const source = monitorSource(line);
    // a script call is one EVALSHA; an EVAL after it is the same call resent on NOSCRIPT (other
    // test files flush the scripts of this shared Redis)
    if (source === 'lua') tally.inLua++;
    else if (name === 'evalsha') tally.scripts++;
    else if (name !== 'eval') tally.plain++;
    if (source !== 'lua') tally.names[name] = (tally.names[name] ?? 0) + 1;
  });
  await started;
  try {
    await fn().catch((err: unknown) => {
      if (!(err instanceof InventoryError)) throw err;
    });
  } finally {
    await redis.echo(endMark);
    await window;
  }
  return tally;
}

describe('best available at the end of a sale', () => {
  it('spills across the sections of one shard when no section has the quantity', async () => {
    const { inventory, sale } = await fragmentedSale();
    const before = await inventory.availability(sale.saleId);
    expect(before.sections.map((s) => s.free)).toEqual([4, 4, 4]);
    const h = await inventory.hold(sale.saleId, randomUUID(), { kind: 'best', tierCode: 'P1', quantity: 3 });
    expect(h.items).toHaveLength(3);
    expect(new Set(h.items.map((i) => i.sectionId)).size).toBe(3);
    expect(h.amountMinor).toBe(3 * 12000);
    // every shard has 3 left but one: 9 places, no 4 on any shard
    await expect(inventory.hold(sale.saleId, randomUUID(), { kind: 'best', tierCode: 'P1', quantity: 4 })).rejects.toMatchObject({ code: 'all_held' });
    // the tail sells to the last seat
    for (let j = 0; j < 3; j++) expect((await inventory.hold(sale.saleId, randomUUID(), { kind: 'best', tierCode: 'P1', quantity: 3 })).items).toHaveLength(3);
    const after = await inventory.availability(sale.saleId);
    expect(after.sections.reduce((a, s) => a + s.free, 0)).toBe(0);
    expect((await inventory.audit(sale.saleId)).violations).toEqual([]);
  });

  it('refuses a hold no shard can serve with no script call and a few reads per shard', async () => {
    const { inventory, sale } = await fragmentedSale();
    const calls = await commandsOf(sale.saleId, () => inventory.hold(sale.saleId, randomUUID(), { kind: 'best', tierCode: 'P1', quantity: 4 }));
    // the shared counters (HGETALL, at most once per 100 ms), this request's fresh counters (HMGET), the pass's hold records (HGETALL), the home shard's meta (is the sale open?)
    expect(calls.scripts, JSON.stringify(calls)).toBe(0);
    expect(calls.inLua).toBe(0);
    expect(calls.plain).toBeLessThanOrEqual(3 * SHARDS + 1);
  });

  it('goes straight to the one shard that can serve it, probing the others', async () => {
    const { inventory, sale, held } = await fragmentedSale();
    // one shard gets a row of three back: a section mode hold of 3 fits there only
    const freed = held[0]!;
    await inventory.release(freed.holdId);
    const pass = randomUUID();
    let hold: Hold | undefined;
    const calls = await commandsOf(sale.saleId, async () => {
      hold = await inventory.hold(sale.saleId, pass, { kind: 'best', tierCode: 'P1', quantity: 4 });
    });
    expect(hold?.shard).toBe(freed.shard);
    expect(hold?.items.map((i) => i.sectionId)).toEqual(Array(4).fill(freed.items[0]!.sectionId));
    // at most one probe per other shard and one hold: the tier walk (4 Lua calls per section per shard) is gone
    expect(calls.scripts, JSON.stringify(calls)).toBeLessThanOrEqual(SHARDS);
    expect(calls.inLua).toBeLessThanOrEqual(3 * (SHARDS - 1) + 20);
    // the same request again answers the same hold, even now that nothing fits anywhere
    expect((await inventory.hold(sale.saleId, pass, { kind: 'best', tierCode: 'P1', quantity: 4 })).holdId).toBe(hold!.holdId);
    await inventory.release(hold!.holdId);
    await expect(inventory.hold(sale.saleId, pass, { kind: 'best', tierCode: 'P1', quantity: 1 })).rejects.toMatchObject({ code: 'hold_expired' });
    expect((await inventory.audit(sale.saleId)).violations).toEqual([]);
  });

  it('sees a release at once, though it plans with shared counters', async () => {
    const { inventory, sale, held } = await fragmentedSale({ placementHintsMs: 60_000 });
    await expect(inventory.hold(sale.saleId, randomUUID(), { kind: 'best', tierCode: 'P1', quantity: 4 })).rejects.toBeInstanceOf(InventoryError);
    await inventory.release(held[5]!.holdId);
    expect((await inventory.hold(sale.saleId, randomUUID(), { kind: 'best', tierCode: 'P1', quantity: 4 })).shard).toBe(held[5]!.shard);
  });

  it('gives a pass one hold when its copies plan from different counters', async () => {
    const { sale } = await fragmentedSale();
    // two processes: one plans from counters a minute old, the other reads them for every hold
    const stale = createSeatInventory({ redis, pg: db.pool, placementHintsMs: 60_000 });
    const exact = createSeatInventory({ redis, pg: db.pool, placementHintsMs: 0 });
    const other = newRedis();
    const third = createSeatInventory({ redis: other, pg: db.pool, placementHintsMs: 0 });
    try {
      for (let round = 0; round < 4; round++) {
        const pass = randomUUID();
        const answers = await Promise.allSettled(Array.from({ length: 12 }, (_, j) => [stale, exact, third][j % 3]!.hold(sale.saleId, pass, { kind: 'best', tierCode: 'P1', quantity: 2 })));
        const ids = new Set(answers.flatMap((a) => (a.status === 'fulfilled' ? [a.value.holdId] : [])));
        for (const a of answers) if (a.status === 'rejected' && !(a.reason instanceof InventoryError)) throw a.reason;
        expect(ids.size, `round ${round}`).toBeLessThanOrEqual(1);
        expect(ids.size, `round ${round}: 12 places left in pairs across sections`).toBe(1);
      }
      expect((await exact.audit(sale.saleId)).violations).toEqual([]);
    } finally {
      other.disconnect();
    }
  });
});
