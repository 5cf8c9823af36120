import { describe, it, expect, afterAll } from 'vitest';
import { createHash } from 'node:crypto';
import { newRedis } from '../test/support/databases.js';
import { queueKeys } from '../admission/queue-keys.js';
import { seededPermutation, hashedVisitorId, drawCommitment, drawSeed } from './fair-draw.js';
import { startTestEdge, createSale, newVisitor, Fan } from '../test/support/edge-test-harness.js';

const seedOf = (i: number): string => createHash('sha256').update(`seed-${i}`).digest('hex');

describe('the pre-queue permutation', () => {
  it('is reproducible from its seed and ignores arrival order', () => {
    const fans = ['d', 'a', 'c', 'b', 'e', 'f'];
    const seed = seedOf(1);
    expect(seededPermutation(fans, seed)).toEqual(seededPermutation([...fans].reverse(), seed));
    expect(seededPermutation(fans, seed).sort()).toEqual([...fans].sort());
    expect(seededPermutation(fans, seedOf(2))).not.toEqual(seededPermutation(fans, seed));
  });

  it('is uniform: all 24 orders of 4 fans over 24,000 seeds pass a chi-square test at p = 0.001', () => {
    const counts = new Map<string, number>();
    const n = 24_000;
    for (let i = 0; i < n; i++) {
      const key = seededPermutation(['a', 'b', 'c', 'd'], seedOf(i)).join('');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(counts.size).toBe(24);
    const expected = n / 24;
    const chi2 = [...counts.values()].reduce((acc, c) => acc + (c - expected) ** 2 / expected, 0);
    // Stated tolerance: 23 degrees of freedom, critical value 49.73 at p = 0.001 (a fair shuffle fails 1 run in 1000).
    expect(chi2).toBeLessThan(49.73);
  });

  it('gives everyone in a 12-fan pre-queue every position about equally often (first place: chi-square at p = 0.001)', () => {
    const fans = Array.from({ length: 12 }, (_, i) => `fan-${String(i).padStart(2, '0')}`);
    const firsts = new Map<string, number>();
    const n = 12_000;
    for (let i = 0; i < n; i++) {
      const first = seededPermutation(fans, seedOf(i))[0]!;
      firsts.set(first, (firsts.get(first) ?? 0) + 1);
    }
    const chi2 = fans.reduce((acc, f) => acc + ((firsts.get(f) ?? 0) - n / 12) ** 2 / (n / 12), 0);
    expect(chi2).toBeLessThan(31.26); // 11 degrees of freedom, p = 0.001
  });
});

describe('the opening shuffle', () => {
  const redis = newRedis();
  afterAll(() => redis.disconnect());

  it('queues pre-queue arrivals in the seeded order at opening, publishes the seed, then serves first in first out', async () => {
    const edge = await startTestEdge();
    try {
      const saleId = await createSale(redis, { opensAtMs: Date.now() + 1500, ratePerMin: 1, maxActive: 1 });
      await redis.hset(queueKeys(saleId).settings, 'paused', '1');
      const early = await Promise.all([0, 1, 2, 3, 4].map(async () => {
        const v = await newVisitor(edge.url);
        const fan = await Fan.open(edge.wsUrl(saleId));
        expect(await fan.join(v.token)).toMatchObject({ type: 'queued', state: 'prequeue' });
        return { v, fan };
      }));
      const tickets = await Promise.all(early.map(async ({ fan }) => Number((await fan.next('queued', 5000)).ticket)));
      const seed = await redis.hget(queueKeys(saleId).settings, 'prequeue_seed');
      expect(seed).toMatch(/^[0-9a-f]{64}$/);
      // the permutation is of the sorted hashed ids; the seed comes from their commitment and the beacon value
      const hashedOf = new Map(early.map((e) => [hashedVisitorId(saleId, e.v.visitorId), e.v.visitorId]));
      const settings = await redis.hgetall(queueKeys(saleId).settings);
      expect(settings.draw_commitment).toBe(drawCommitment([...hashedOf.keys()].sort()));
      expect(seed).toBe(drawSeed(settings.draw_commitment!, (JSON.parse(settings.draw_reveal!) as { randomness: string }).randomness));
      const order = seededPermutation([...hashedOf.keys()], seed!).map((h) => hashedOf.get(h)!);
      const byTicket = early.map((e, i) => ({ id: e.v.visitorId, t: tickets[i]! })).sort((a, b) => a.t - b.t).map((x) => x.id);
      expect(byTicket).toEqual(order);
      const position = await early[0]!.fan.next('position');
      expect(early[0]!.fan.messages.some((m) => m.type === 'position' && m.seed === seed)).toBe(true);
      expect(position.type).toBe('position');
      const late = await Fan.open(edge.wsUrl(saleId));
      expect(await late.join((await newVisitor(edge.url)).token)).toMatchObject({ state: 'waiting', ticket: 6 });
      await Promise.all([...early.map((e) => e.fan.close()), late.close()]);
    } finally {
      await edge.close();
    }
  });
});
