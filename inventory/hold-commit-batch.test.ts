/**
 * A group commit's claims and finalizes, one script call per shard (hold-commit-batch.ts,
 * lua/claimHolds-N.lua, lua/finalizeHolds-N.lua): each hold gets what claim / finalize alone would
 * answer it, and a hold that is lost, refused, unknown or listed twice does not change the others'
 * answers. Real Redis and Postgres.
 */
import { describe, expect, it, vi } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { useFreshDatabaseAndRedis, type FreshDatabase } from '../test/support/databases.js';
import { publishedSale } from '../test/support/inventory-fixture.js';
import type { ExpectedHold, Hold, PerHold } from './inventory-api.js';
import { InventoryError } from './inventory-errors.js';
import { shardKeys } from './inventory-keys.js';
import { parseHoldId } from './hold-id.js';

let db: FreshDatabase;
let redis: Redis;
useFreshDatabaseAndRedis((fresh, client) => ([db, redis] = [fresh, client]));

const expectedOf = (h: Hold): ExpectedHold => ({ items: h.items, passJti: h.passJti, amountMinor: h.amountMinor, currency: h.currency });
const codeOf = (r: PerHold<unknown> | undefined): string => (r && !r.ok && r.error instanceof InventoryError ? r.error.code : JSON.stringify(r));

describe('claims and finalizes of a batch, one call per shard', () => {
  it('claims: a lost hold, a refused one, an unknown id and a duplicate each answered alone; the others claimed as claim would', async () => {
    const s = await publishedSale(redis, db.pool, { rows: 2, seatsPerRow: 6, gaCapacity: 2, shardCount: 1 });
    const sale = s.sale.saleId;
    // lost: its GA places expire and go to another fan before the payment arrives
    const lost = await s.inventory.hold(sale, randomUUID(), { kind: 'best', tierCode: 'GA', quantity: 2 });
    await s.inventory.sweep(lost.deadlineMs + 1, [sale]);
    await s.inventory.hold(sale, randomUUID(), { kind: 'best', tierCode: 'GA', quantity: 1 });
    const good = await Promise.all([0, 1, 2].map(() => s.inventory.hold(sale, randomUUID(), { kind: 'best', tierCode: 'P1', quantity: 2 })));
    // refused: the shard's seat states disagree with the hold (what the audit reports)
    const refused = await s.inventory.hold(sale, randomUUID(), { kind: 'best', tierCode: 'P1', quantity: 1 });
    const k = shardKeys(sale, 0);
    const seat = String(refused.items[0]!.seatId);
    await redis.hset(k.state, seat, 'F');
    const before = await redis.hgetall(k.state);

    const spy = vi.spyOn(redis, 'usherInvClaimHolds');
    const claims = [...good, lost, refused, good[0]!].map((h) => ({ holdId: h.holdId, expected: expectedOf(h) }));
    const unknown = `${sale}.0.nosuchpass`;
    const results = await s.inventory.claimMany([...claims, { holdId: unknown, expected: expectedOf(good[1]!) }, { holdId: 'not a hold id', expected: expectedOf(good[1]!) }]);
    expect(spy).toHaveBeenCalledTimes(1);
    spy.mockRestore();

    for (const g of good) {
      const r = results.get(g.holdId);
      expect(r?.ok && r.value.outcome, g.holdId).toBe('claimed');
      expect((await s.inventory.getHold(g.holdId))?.state).toBe('CLAIMED');
    }
    const ok0 = results.get(good[0]!.holdId);
    expect(ok0?.ok && ok0.value.outcome !== 'lost' && ok0.value.hold.items).toEqual(good[0]!.items);
    expect(results.get(lost.holdId)).toEqual({ ok: true, value: { outcome: 'lost' } });
    expect(codeOf(results.get(refused.holdId))).toBe('wrong_state');
    // the refused hold wrote nothing: its seat as it was, the hold still HELD
    expect((await redis.hgetall(k.state))[seat]).toBe(before[seat]);
    expect((await s.inventory.getHold(refused.holdId))?.state).toBe('HELD');
    // a pass without a hold whose expected seats are taken: lost, as claim answers it
    expect(results.get(unknown)).toEqual({ ok: true, value: { outcome: 'lost' } });
    expect(codeOf(results.get('not a hold id'))).toBe('hold_not_found');

    // the same batch again answers each hold as claim would answer a repeat
    await redis.hset(k.state, seat, `H:${refused.passJti}`);
    const again = await s.inventory.claimMany(claims);
    for (const h of [...good, refused]) {
      const r = again.get(h.holdId);
      expect(r?.ok && r.value.outcome, h.holdId).toBe('claimed');
      expect(r, h.holdId).toEqual({ ok: true, value: await s.inventory.claim(h.holdId, expectedOf(h)) });
    }
    expect((await s.inventory.audit(sale)).violations).toEqual([]);
  });

  it('groups holds by shard (one call each) and finalizes each alone: an unclaimed hold and an unknown one refused, a duplicate and a repeat a no-op', async () => {
    const s = await publishedSale(redis, db.pool, { rows: 4, seatsPerRow: 8, shardCount: 2 });
    const sale = s.sale.saleId;
    const holds: Hold[] = [];
    while (new Set(holds.map((h) => parseHoldId(h.holdId).shard)).size < 2 || holds.length < 6) {
      holds.push(await s.inventory.hold(sale, randomUUID(), { kind: 'best', tierCode: 'P1', quantity: 2 }));
    }
    const [unclaimed, ...paid] = holds as [Hold, ...Hold[]];
    const claimSpy = vi.spyOn(redis, 'usherInvClaimHolds');
    const claimed = await s.inventory.claimMany(paid.map((h) => ({ holdId: h.holdId, expected: expectedOf(h) })));
    const shardsOf = (hs: Hold[]) => new Set(hs.map((h) => parseHoldId(h.holdId).shard)).size;
    expect(claimSpy).toHaveBeenCalledTimes(shardsOf(paid));
    claimSpy.mockRestore();
    for (const h of paid) expect(claimed.get(h.holdId)?.ok).toBe(true);

    const spy = vi.spyOn(redis, 'usherInvFinalizeHolds');
    const unknown = parseHoldId(paid[0]!.holdId);
    const unknownId = `${sale}.${unknown.shard}.nosuchpass`;
    const ids = [...paid.map((h) => h.holdId), paid[1]!.holdId, unclaimed.holdId, unknownId];
    const results = await s.inventory.finalizeMany(ids);
    expect(spy).toHaveBeenCalledTimes(shardsOf([...paid, unclaimed]));
    spy.mockRestore();
    for (const h of paid) {
      expect(results.get(h.holdId), h.holdId).toEqual({ ok: true, value: undefined });
      expect((await s.inventory.getHold(h.holdId))?.state).toBe('SOLD');
    }
    expect(codeOf(results.get(unclaimed.holdId))).toBe('wrong_state');
    expect((await s.inventory.getHold(unclaimed.holdId))?.state).toBe('HELD');
    expect(codeOf(results.get(unknownId))).toBe('hold_not_found');
    // a repeat (a crash after the finalize): every hold answers finalized again, nothing moves
    const a = await s.inventory.availability(sale);
    const again = await s.inventory.finalizeMany(paid.map((h) => h.holdId));
    for (const h of paid) expect(again.get(h.holdId)).toEqual({ ok: true, value: undefined });
    expect(await s.inventory.availability(sale)).toEqual(a);
    expect(a.sections[0]).toMatchObject({ sold: 2 * paid.length, held: 2 });
  });
});
