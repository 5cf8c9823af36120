import { afterAll, describe, expect, it } from 'vitest';
import { Hono } from 'hono';
import { newRedis, uniqueId } from '../../test/support/databases.js';
import { Problem } from '../../common/problem.js';
import { rateLimit } from './rate-limit.js';

const redis = newRedis();
afterAll(() => redis.disconnect());

function limitedApp(name: string, limit: number, syncMs?: number): Hono {
  const app = new Hono();
  app.use('*', rateLimit({ name, redis, limit, windowS: 60, key: () => 'client-a', ...(syncMs === undefined ? {} : { syncMs }) }));
  app.get('/', (c) => c.text('ok'));
  app.onError((err, c) => (err instanceof Problem ? c.json(err.body, err.status as 429) : c.text('boom', 500)));
  return app;
}
const statusesOf = async (app: Hono, n: number): Promise<number[]> => {
  const statuses = [];
  for (let i = 0; i < n; i++) statuses.push((await app.request('/')).status);
  return statuses;
};

describe('rateLimit', () => {
  it.each([['one call per hit', undefined], ['counted locally, synced every 20 ms', 20]])('answers 429 with Retry-After past the limit, and every counter carries an expiry (%s)', async (_, syncMs) => {
    const name = uniqueId('rl');
    const app = new Hono();
    app.use('*', rateLimit({ name, redis, limit: 3, windowS: 60, key: () => 'client-a', ...(syncMs === undefined ? {} : { syncMs }) }));
    app.get('/', (c) => c.text('ok'));
    app.onError((err, c) => (err instanceof Problem ? c.json(err.body, err.status as 429) : c.text('boom', 500)));
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await app.request('/')).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect(Number((await app.request('/')).headers.get('retry-after'))).toBeGreaterThan(0);
    const keys = await redis.keys(`usher:rl:${name}:*`);
    expect(keys).toHaveLength(1);
    const ttl = await redis.ttl(keys[0]!);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(61);
  });

  it('counted locally: every hit reaches Redis, and each process sees the others\' hits after a sync', async () => {
    const name = uniqueId('rl');
    // two API processes: two limiters on one Redis
    const [a, b] = [limitedApp(name, 10, 20), limitedApp(name, 10, 20)];
    expect(await statusesOf(a, 6)).toEqual(Array(6).fill(200));
    await new Promise((r) => setTimeout(r, 80));
    const [key] = await redis.keys(`usher:rl:${name}:*`);
    expect(await redis.get(key!)).toBe('6');
    // b's first hit asks Redis (7), its next ones add to that: the 11th hit overall is refused
    expect(await statusesOf(b, 5)).toEqual([200, 200, 200, 200, 429]);
    await new Promise((r) => setTimeout(r, 80));
    expect(await redis.get(key!)).toBe('11');
    // and a sees b's hits at its next sync
    await statusesOf(a, 1);
    await new Promise((r) => setTimeout(r, 80));
    expect((await a.request('/')).status).toBe(429);
  });
});
