import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { freshDatabase, newRedis, type FreshDatabase } from '../test/support/databases.js';
import { publishedSale } from '../test/support/inventory-fixture.js';
import { createSeatInventory } from './seat-inventory.js';

let db: FreshDatabase;
let a: Redis;
let b: Redis;
let c: Redis;
beforeAll(async () => {
  db = await freshDatabase();
  [a, b, c] = [newRedis(), newRedis(), newRedis()];
});
afterAll(async () => {
  for (const r of [a, b, c]) r.disconnect();
  await db.drop();
});

describe('sweeper', () => {
  it('races claim at the deadline: exactly one of them wins, every time', async () => {
    const s = await publishedSale(a, db.pool, { rows: 1, seatsPerRow: 4, shardCount: 1 });
    const payer = createSeatInventory({ redis: a, pg: db.pool, availabilityCacheMs: 0 });
    const sweeper = createSeatInventory({ redis: b, pg: db.pool, availabilityCacheMs: 0 });
    const rival = createSeatInventory({ redis: c, pg: db.pool, availabilityCacheMs: 0 });
    const seatIds = s.seatIds.slice(0, 2);
    const tally = { claim: 0, sweep: 0, reacquired: 0, lost: 0 };
    for (let round = 0; round < 40; round++) {
      const hold = await payer.hold(s.sale.saleId, randomUUID(), { kind: 'seats', seatIds });
      const expected = { items: hold.items, passJti: hold.passJti, amountMinor: hold.amountMinor, currency: hold.currency };
      const claimIt = (): ReturnType<typeof payer.claim> => payer.claim(hold.holdId, expected);
      const sweepIt = (): ReturnType<typeof sweeper.sweep> => sweeper.sweep(hold.deadlineMs, [s.sale.saleId]);
      // a rival fan wants the same seats the moment they are free
      const grabIt = (): Promise<Awaited<ReturnType<typeof rival.hold>> | null> => rival.hold(s.sale.saleId, randomUUID(), { kind: 'seats', seatIds }).catch(() => null);
      // both fixed orders, then true races (whichever Redis runs first decides)
      let claim, sweep, grab;
      if (round % 3 === 0) {
        sweep = await sweepIt();
        grab = await grabIt();
        claim = await claimIt();
      } else if (round % 3 === 1) {
        claim = await claimIt();
        [sweep, grab] = await Promise.all([sweepIt(), grabIt()]);
      } else {
        [claim, sweep, grab] = await Promise.all([claimIt(), sweepIt(), grabIt()]);
      }
      if (claim.outcome === 'claimed') {
        expect(sweep.expired, `round ${round}`).toBe(0);
        expect(grab).toBeNull();
        tally.claim++;
      } else {
        expect(sweep.expired, `round ${round}`).toBe(1);
        tally.sweep++;
        // after the sweep, the seats went either back to the payer (reacquired) or to the rival
        if (claim.outcome === 'reacquired') {
          expect(grab).toBeNull();
          tally.reacquired++;
        } else {
          expect(claim.outcome).toBe('lost');
          expect(grab?.state).toBe('HELD');
          tally.lost++;
        }
      }
      // exactly one owner of the seats now
      const avail = await payer.availability(s.sale.saleId);
      expect(avail.sections[0]!.held + avail.sections[0]!.claimed).toBe(2);
      expect((await payer.audit(s.sale.saleId)).violations).toEqual([]);
      // clean up for the next round
      if (claim.outcome !== 'lost') await payer.unclaim(hold.holdId);
      if (grab) await rival.release(grab.holdId);
    }
    process.stderr.write(`[sweeper race] ${JSON.stringify(tally)}\n`);
    expect(tally.claim + tally.sweep).toBe(40);
    expect(tally.claim).toBeGreaterThan(0);
    expect(tally.sweep).toBeGreaterThan(0);
  });

  it('sweeps in bounded batches, from many sweepers at once, and reports stale claims without freeing them', async () => {
    const s = await publishedSale(a, db.pool, { rows: 6, seatsPerRow: 5, shardCount: 3 });
    const inv = createSeatInventory({ redis: a, pg: db.pool, availabilityCacheMs: 0, sweepBatch: 2, claimTimeoutS: 1 });
    const holds = [];
    for (let j = 0; j < 12; j++) holds.push(await inv.hold(s.sale.saleId, randomUUID(), { kind: 'best', tierCode: 'P1', quantity: 2 }));
    const claimed = holds.pop()!;
    await inv.claim(claimed.holdId, { items: claimed.items, passJti: claimed.passJti, amountMinor: claimed.amountMinor, currency: 'EUR' });
    const later = Math.max(...holds.map((h) => h.deadlineMs)) + 1;
    const others = [b, c].map((redis) => createSeatInventory({ redis, pg: db.pool, sweepBatch: 2 }));
    const first = await Promise.all([inv.sweep(later, [s.sale.saleId]), ...others.map((o) => o.sweep(later, [s.sale.saleId]))]);
    const firstTotal = first.reduce((n, r) => n + r.expired, 0);
    expect(firstTotal).toBeLessThanOrEqual(3 * 3 * 2); // 3 sweepers × 3 shards × batch 2
    let total = firstTotal;
    for (let j = 0; j < 10 && total < 11; j++) total += (await inv.sweep(later, [s.sale.saleId])).expired;
    expect(total).toBe(11);
    const report = await inv.sweep(Date.now() + 5_000, [s.sale.saleId]);
    expect(report.staleClaims.map((x) => x.holdId)).toContain(claimed.holdId);
    expect((await inv.getHold(claimed.holdId))!.state).toBe('CLAIMED');
    expect((await inv.audit(s.sale.saleId)).ok).toBe(true);
  });
});
