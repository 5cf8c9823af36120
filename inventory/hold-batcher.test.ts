/**
 * The per-shard coalescer (hold-batcher.ts, lua/holdBatch-N.lua): a batch answers each pass what
 * the same steps one after the other would answer (checked against a twin sale driven step by
 * step), never hands one pass's answer to another, fails a refused pass alone, and under real
 * concurrency over several shards and connections holds exactly the capacity, each seat once.
 */
import { describe, expect, it, vi } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { useFreshDatabaseAndRedis, newRedis, type FreshDatabase } from '../test/support/databases.js';
import { publishedSale, type InventorySale } from '../test/support/inventory-fixture.js';
import { seededRandom } from '../loadtests/lib/seeded-random.js';
import { HoldBatcher, type HoldStep } from './hold-batcher.js';
import { InventoryError, fromScriptError } from './inventory-errors.js';
import { fieldsOf } from './hold-record.js';
import { shardKeys } from './inventory-keys.js';
import { createSeatInventory } from './seat-inventory.js';
import type { Hold } from './inventory-api.js';

let db: FreshDatabase;
let redis: Redis;
useFreshDatabaseAndRedis((fresh, client) => ([db, redis] = [fresh, client]));

const TTL = 7200;
const saleOptions = { rows: 4, seatsPerRow: 6, gaCapacity: 10, shardCount: 1, perFanLimit: 4, secondBlock: true };

/** A reply or an error, with what differs between twin sales (seat ids, times) taken out. */
function normalise(s: InventorySale, settled: PromiseSettledResult<string[]>): unknown {
  if (settled.status === 'rejected') {
    try {
      fromScriptError(settled.reason);
    } catch (err) {
      return err instanceof InventoryError ? `error ${err.code}` : `other ${String(err)}`;
    }
  }
  const reply = (settled as PromiseFulfilledResult<string[]>).value;
  if (reply[0] !== 'hold') return reply;
  const f = fieldsOf(reply, 2);
  const items = (JSON.parse(f.items!) as { i: string; s: string }[]).map((it) => ({
    ...it,
    i: it.i === '' ? '' : s.seatIds.indexOf(Number(it.i)),
    s: Object.entries(s.sale.sectionIds).find(([, id]) => id === it.s)![0],
  }));
  return { tag: 'hold', round: reply[1], state: f.state, amount: f.amount, currency: f.currency, items };
}

/** A random mix of steps over both blocks, the GA floor and explicit seats; some refused in the script. */
function mixedSteps(seatCount: number, seed: number, n: number): HoldStep[] {
  const rnd = seededRandom(seed);
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  return Array.from({ length: n }, (_, j) => {
    const jti = `p${seed}-${j}`;
    const quantity = pick([1, 2, 2, 3, 4]);
    const r = rnd();
    if (r < 0.05) return { jti, round: '', mode: 'section', target: 'Block A', quantity: 9, together: false, seatIds: [] }; // over the limit
    if (r < 0.08) return { jti, round: '', mode: 'probe', target: '', quantity: 0, together: false, seatIds: [] };
    if (r < 0.35) return { jti, round: '', mode: 'section', target: 'Block A', quantity, together: rnd() < 0.5, seatIds: [] };
    if (r < 0.5) return { jti, round: '', mode: 'tier', target: pick(['P1', 'P2', 'GA']), quantity, together: rnd() < 0.3, seatIds: [] };
    if (r < 0.6) return { jti, round: '', mode: 'section', target: 'Floor', quantity, together: false, seatIds: [] };
    const first = Math.floor(rnd() * (seatCount - 2));
    // explicit seats by index, mapped to each twin's ids; a repeated index is a duplicate seat
    const idx = rnd() < 0.05 ? [first, first] : [first, first + 1].slice(0, 1 + Math.floor(rnd() * 2));
    return { jti, round: '', mode: 'seats', target: '', quantity: idx.length, together: false, seatIds: idx.map(String) };
  });
}

/** A step of `mixedSteps` for one twin: section names and seat indexes become its ids. */
function forSale(s: InventorySale, step: HoldStep): HoldStep {
  if (step.mode === 'seats') return { ...step, seatIds: step.seatIds.map((i) => String(s.seatIds[Number(i)])) };
  return step.mode === 'section' ? { ...step, target: s.sale.sectionIds[step.target]! } : step;
}

async function stateOf(s: InventorySale): Promise<unknown> {
  const a = await s.inventory.availability(s.sale.saleId);
  return a.sections.map((x) => [x.name, x.free, x.held]);
}

describe('hold batches', () => {
  it('answer every pass as the same steps one after the other would, in one script call', async () => {
    for (const seed of [11, 12, 13]) {
      const one = await publishedSale(redis, db.pool, saleOptions);
      const many = await publishedSale(redis, db.pool, saleOptions);
      const steps = mixedSteps(one.seatIds.length, seed, 40);
      const alone = new HoldBatcher(redis, TTL, { maxBatch: 1 });
      const expected: PromiseSettledResult<string[]>[] = [];
      for (const st of steps) expected.push(...(await Promise.allSettled([alone.step(one.sale.saleId, 0, forSale(one, st))])));

      const batcher = new HoldBatcher(redis, TTL, { maxBatch: 64 });
      const spy = vi.spyOn(redis, 'usherInvHoldBatch');
      const got = await Promise.allSettled(steps.map((st) => batcher.step(many.sale.saleId, 0, forSale(many, st))));
      expect(spy).toHaveBeenCalledTimes(1);
      spy.mockRestore();

      const gotN = got.map((g) => normalise(many, g));
      const expN = expected.map((e) => normalise(one, e));
      expect(gotN, `seed ${seed}`).toEqual(expN);
      expect(got.some((g) => g.status === 'rejected'), 'the mix has refused passes').toBe(true);
      expect(got.filter((g) => g.status === 'fulfilled' && g.value[0] === 'hold').length).toBeGreaterThan(5);
      expect(await stateOf(many)).toEqual(await stateOf(one));
      expect((await many.inventory.audit(many.sale.saleId)).violations).toEqual([]);
      // a replay answers the recorded decision, batched or not
      const again = await Promise.allSettled(steps.map((st) => batcher.step(many.sale.saleId, 0, forSale(many, st))));
      expect(again.map((g) => normalise(many, g))).toEqual(got.map((g) => normalise(many, g)));
    }
  });

  it('fails a refused pass alone and gives each pass its own hold', async () => {
    const s = await publishedSale(redis, db.pool, saleOptions);
    const sec = s.sale.sectionIds['Block A']!;
    const batcher = new HoldBatcher(redis, TTL, { maxBatch: 64 });
    const step = (jti: string, quantity: number): HoldStep => ({ jti, round: '', mode: 'section', target: sec, quantity, together: false, seatIds: [] });
    const answers = await Promise.allSettled([step('a', 2), step('b', 99), step('c', 0), step('d', 3)].map((st) => batcher.step(s.sale.saleId, 0, st).catch(fromScriptError)));
    expect(answers.map((a) => (a.status === 'fulfilled' ? 'held' : (a.reason as InventoryError).code))).toEqual(['held', 'over_limit', 'bad_quantity', 'held']);
    // each answer is its own pass's record, as written
    const k = shardKeys(s.sale.saleId, 0);
    for (const [j, jti] of ['a', 'b', 'c', 'd'].entries()) {
      const a = answers[j]!;
      expect(await redis.hget(k.hold(jti), 'items')).toBe(a.status === 'fulfilled' ? fieldsOf(a.value, 2).items : null);
      // the answer rebuilt from the batch's flat reply is the record as written, field for field
      if (a.status === 'fulfilled') expect(fieldsOf(a.value, 2)).toEqual(await redis.hgetall(k.hold(jti)));
    }
    const held = answers.flatMap((a) => (a.status === 'fulfilled' ? [JSON.parse(fieldsOf(a.value, 2).items!) as unknown[]] : []));
    expect(held.map((items) => items.length)).toEqual([2, 3]);
  });

  it('holds exactly the capacity under concurrency over shards and connections, each seat once, each fan its own', async () => {
    const clients = Array.from({ length: 4 }, () => newRedis());
    try {
      const s = await publishedSale(redis, db.pool, { rows: 10, seatsPerRow: 10, gaCapacity: 0, shardCount: 3, perFanLimit: 4 });
      const invs = clients.map((c) => createSeatInventory({ redis: c, pg: db.pool, availabilityCacheMs: 0 }));
      const passes = Array.from({ length: 80 }, () => randomUUID());
      const answers = await Promise.allSettled(passes.map((pass, j) =>
        invs[j % invs.length]!.hold(s.sale.saleId, pass, { kind: 'best', sectionId: s.sale.sectionIds['Block A'], quantity: 1 + (j % 3), together: j % 2 === 0 })));
      const holds = answers.flatMap((a, j) => (a.status === 'fulfilled' ? [{ pass: passes[j]!, hold: a.value }] : []));
      for (const a of answers) if (a.status === 'rejected') expect(['sold_out', 'all_held', 'not_together']).toContain((a.reason as InventoryError).code);
      for (const { pass, hold } of holds) expect(hold.passJti).toBe(pass);
      const seats = holds.flatMap(({ hold }) => hold.items.map((it) => it.seatId));
      expect(new Set(seats).size).toBe(seats.length);
      // 80 fans want 160 seats of 100: the pool runs dry (a few "together" misses may leave odd seats)
      expect(seats.length).toBeGreaterThan(90);
      const a = await invs[0]!.availability(s.sale.saleId);
      expect(a.sections[0]!.held).toBe(seats.length);
      expect(a.sections[0]!.free).toBe(100 - seats.length);
      expect((await invs[0]!.audit(s.sale.saleId)).violations).toEqual([]);
      // repeated requests of the same passes get the same holds back
      const again = await Promise.all(holds.map(({ pass, hold }, j) => invs[(j + 1) % invs.length]!.hold(s.sale.saleId, pass, { kind: 'best', sectionId: s.sale.sectionIds['Block A'], quantity: hold.items.length })));
      expect(again.map((h: Hold) => h.holdId)).toEqual(holds.map(({ hold }) => hold.holdId));
    } finally {
      for (const c of clients) c.disconnect();
    }
  });
});
