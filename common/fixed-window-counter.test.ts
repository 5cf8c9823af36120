import { afterAll, describe, expect, it } from 'vitest';
import { newRedis, uniqueId } from '../test/support/databases.js';
import { fixedWindowCounter } from './fixed-window-counter.js';

const redis = newRedis();
afterAll(() => redis.disconnect());

describe('fixedWindowCounter', () => {
  it('counts hits per key and gives a new counter its lifetime in the same step', async () => {
    const countHit = fixedWindowCounter(redis);
    const key = `usher:test:hits:{${uniqueId()}}:0`;
    expect(await countHit(key, 60_000)).toBe(1);
    const ttl = await redis.pttl(key);
    expect(ttl).toBeGreaterThan(59_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
    expect(await countHit(key, 1)).toBe(2);
    // the lifetime is set once, by the first hit: later hits do not extend or cut it
    expect(await redis.pttl(key)).toBeGreaterThan(59_000);
    expect(await countHit(`usher:test:hits:{${uniqueId()}}:0`, 60_000)).toBe(1);
  });

  it('adds several hits in one call, and the call that creates the counter sets its lifetime', async () => {
    const countHit = fixedWindowCounter(redis);
    const key = `usher:test:hits:{${uniqueId()}}:0`;
    expect(await countHit(key, 60_000, 5)).toBe(5);
    expect(await redis.pttl(key)).toBeGreaterThan(59_000);
    expect(await countHit(key, 1, 3)).toBe(8);
    expect(await redis.pttl(key)).toBeGreaterThan(59_000);
  });

  it('still counts after Redis forgot the script (NOSCRIPT: ioredis resends it)', async () => {
    const countHit = fixedWindowCounter(redis);
    const key = `usher:test:hits:{${uniqueId()}}:0`;
    await countHit(key, 60_000);
    await redis.script('FLUSH');
    expect(await countHit(key, 60_000)).toBe(2);
  });
});
