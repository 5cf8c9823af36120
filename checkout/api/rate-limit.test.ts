import { afterAll, describe, expect, it } from 'vitest';
import { Hono } from 'hono';
import { newRedis, uniqueId } from '../../test/support/databases.js';
import { Problem } from '../../common/problem.js';
import { rateLimit } from './rate-limit.js';

const redis = newRedis();
afterAll(() => redis.disconnect());

describe('rateLimit', () => {
  it('answers 429 with Retry-After past the limit, and every counter carries an expiry', async () => {
    const name = uniqueId('rl');
    const app = new Hono();
    app.use('*', rateLimit({ name, redis, limit: 3, windowS: 60, key: () => 'client-a' }));
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
});
