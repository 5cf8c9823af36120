/**
 * Scheduled changes on a real Redis: the tick applies every change due by its time, once, before it
 * admits anyone (so that tick already runs on them), leaves the others, and logs what it applied; on
 * a running edge the fans see each change at its time.
 */
import { describe, it, expect, afterAll } from 'vitest';
import { newRedis } from '../test/support/databases.js';
import { queueKeys } from '../admission/queue-keys.js';
import { changeSaleSchedule, readSaleSchedule } from '../admission/sale-schedule.js';
import { createSale, startTestEdge, newVisitor, eventually, Fan } from '../test/support/edge-test-harness.js';
import { queueStore, type TickOptions } from './queue-store.js';

const redis = newRedis();
const store = queueStore(redis);
afterAll(() => redis.disconnect());
const tick: TickOptions = { seats: 'on_sale', offerTtlMs: 30_000, graceMs: 60_000, maxBatch: 100, edgeId: 'test', connected: 0, burstS: 2 };
const iso = (ms: number): string => new Date(ms).toISOString();

describe('scheduled changes', () => {
  it('the tick applies the changes due, once, before admitting; later ones wait; each is logged', async () => {
    const saleId = await createSale(redis, { ratePerMin: 60, maxActive: 10 });
    const k = queueKeys(saleId);
    const now = Date.now();
    const { pending } = await changeSaleSchedule(redis, saleId, { add: [
      { at: iso(now - 1000), control: { action: 'set_rate', ratePerMin: 900 } },
      { at: iso(now - 500), control: { action: 'pause' } },
      { at: iso(now + 3600_000), control: { action: 'set_mode', mode: 'random' } },
    ] });
    expect(pending.map((p) => p.control.action)).toEqual(['set_rate', 'pause', 'set_mode']);
    await store.join(saleId, 'v1', true);
    await redis.hset(k.bucket, 'tokens', '5', 'ts', String(now));

    const r = await store.tick(saleId, tick);
    expect({ scheduled: r.scheduled, rate: r.ratePerMin, state: r.state, made: r.made }).toEqual({ scheduled: 2, rate: 900, state: 'paused', made: 0 });
    expect((await store.tick(saleId, tick)).scheduled).toBe(0);
    const after = await readSaleSchedule(redis, saleId);
    expect(after.pending.map((p) => p.control.action)).toEqual(['set_mode']);
    expect(after.applied.map((a) => a.control.action)).toEqual(['pause', 'set_rate']); // latest first
    expect(after.applied.every((a) => a.appliedAt >= a.at)).toBe(true);
    expect(await redis.hget(k.settings, 'mode')).toBeNull();

    const removed = await changeSaleSchedule(redis, saleId, { remove: [after.pending[0]!.id] });
    expect(removed.pending).toEqual([]);
  });

  it('refuses a scheduled close and a bad time, writing nothing', async () => {
    const saleId = await createSale(redis);
    await expect(changeSaleSchedule(redis, saleId, { add: [{ at: iso(Date.now() + 1000), control: { action: 'close' } }] })).rejects.toThrow(/close cannot be scheduled/);
    await expect(changeSaleSchedule(redis, saleId, { add: [{ at: 'soon', control: { action: 'pause' } }] })).rejects.toThrow();
    expect(await redis.exists(queueKeys(saleId).schedule)).toBe(0);
  });

  it('on a running edge, fans see each change at its time, in order', async () => {
    const edge = await startTestEdge();
    const saleId = await createSale(redis, { ratePerMin: 60, maxActive: 1 });
    const fan = await Fan.open(edge.wsUrl(saleId));
    try {
      await redis.hset(queueKeys(saleId).settings, 'paused', '1');
      await fan.join((await newVisitor(edge.url)).token);
      const start = Date.now();
      await changeSaleSchedule(redis, saleId, { add: [
        { at: iso(start + 400), control: { action: 'set_rate', ratePerMin: 900 } },
        { at: iso(start + 800), control: { action: 'set_mode', mode: 'passthrough' } },
        { at: iso(start + 800), control: { action: 'message', text: 'General sale now open' } },
      ] });
      const positions = () => fan.messages.filter((m) => m.type === 'position');
      const rated = await eventually(() => positions().find((m) => m.ratePerMin === 900), 5000);
      expect(Number(rated.at)).toBeGreaterThanOrEqual(start + 400);
      const switched = await eventually(() => positions().find((m) => m.mode === 'passthrough'), 5000);
      expect(Number(switched.at)).toBeGreaterThanOrEqual(start + 800);
      expect(switched.message).toBe('General sale now open');
      expect(positions().filter((m) => m.ratePerMin === 900 && m.mode === 'fifo').length).toBeGreaterThan(0); // the rate came first
      expect((await readSaleSchedule(redis, saleId)).pending).toEqual([]);
    } finally {
      await fan.close();
      await edge.close();
    }
  });
});
