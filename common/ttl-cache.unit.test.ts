import { describe, expect, it } from 'vitest';
import { createTtlCache } from './ttl-cache.js';

describe('createTtlCache', () => {
  const clock = () => {
    let t = 0;
    return { now: () => t, advance: (ms: number) => (t += ms) };
  };

  it('one load for concurrent callers, kept for the TTL', async () => {
    const c = clock();
    const cache = createTtlCache<string, number>({ ttlMs: 100, now: c.now });
    let loads = 0;
    const load = async () => ++loads;
    expect(await Promise.all([cache.get('k', load), cache.get('k', load)])).toEqual([1, 1]);
    c.advance(99);
    expect(await cache.get('k', load)).toBe(1);
    c.advance(2);
    expect(await cache.get('k', load)).toBe(2);
  });

  it('remembers an outage for the error TTL: a down dependency is not hammered', async () => {
    const c = clock();
    const cache = createTtlCache<string, number>({ ttlMs: 5000, errorTtlMs: 1000, now: c.now });
    let loads = 0;
    const down = async (): Promise<number> => {
      loads++;
      throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    };
    await expect(cache.get('k', down)).rejects.toThrow('ECONNREFUSED');
    await expect(cache.get('k', down)).rejects.toThrow('ECONNREFUSED');
    expect(loads).toBe(1);
  });

  it('forgets a saturated pool\'s failure at once: the next caller loads again', async () => {
    const c = clock();
    const cache = createTtlCache<string, number>({ ttlMs: 5000, errorTtlMs: 1000, now: c.now });
    let loads = 0;
    const busyOnce = async (): Promise<number> => {
      if (++loads === 1) throw new Error('timeout exceeded when trying to connect');
      return 7;
    };
    // the callers of the one flight share its failure…
    const both = await Promise.allSettled([cache.get('k', busyOnce), cache.get('k', busyOnce)]);
    expect(both.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    // …the next one, at the same instant, is not refused by a remembered failure
    expect(await cache.get('k', busyOnce)).toBe(7);
    expect(loads).toBe(2);
  });
});
