import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Redis } from 'ioredis';
import { newRedis } from '../test/support/databases.js';
import { queueKeys } from '../admission/queue-keys.js';
import { startTestEdge, createSale, newVisitor, Fan, eventually, type TestEdge } from '../test/support/edge-test-harness.js';

let redis: Redis;
let edge: TestEdge;

beforeAll(async () => {
  redis = newRedis();
  edge = await startTestEdge();
});
afterAll(async () => {
  await edge.close();
  redis.disconnect();
});

const call = (path: string, token?: string, method = 'GET', body?: string): Promise<Response> =>
  fetch(`${edge.url}${path}`, { method, headers: token ? { authorization: `Bearer ${token}` } : {}, ...(body !== undefined ? { body } : {}) });

describe('the HTTP status fallback', () => {
  it('joins, reports the same place and counters as the socket, and hands over the pass', async () => {
    const saleId = await createSale(redis, { ratePerMin: 6000, maxActive: 5 });
    await redis.hset(queueKeys(saleId).settings, 'paused', '1');
    const v = await newVisitor(edge.url);
    const joined = await call(`/v1/sales/${saleId}/join`, v.token, 'POST', '{}');
    expect(joined.status).toBe(200);
    expect(await joined.json()).toMatchObject({ place: 'waiting', ticket: 1 });
    // the counters come from the edge's last tick: the first one after opening runs the shuffle
    await eventually(async () => ((await (await call(`/v1/sales/${saleId}/status`, v.token)).json()) as { state: string }).state === 'paused');
    const status = await call(`/v1/sales/${saleId}/status`, v.token);
    expect(status.headers.get('cache-control')).toMatch(/^private, max-age=\d+$/);
    expect(await status.json()).toMatchObject({ saleId, state: 'paused', place: 'waiting', ticket: 1, ahead: 0, waiting: 1 });
    await redis.hset(queueKeys(saleId).settings, 'paused', '0');
    await eventually(async () => ((await (await call(`/v1/sales/${saleId}/status`, v.token)).json()) as { place: string }).place === 'offer');
    const took = (await (await call(`/v1/sales/${saleId}/take`, v.token, 'POST')).json()) as { place: string; pass: string; checkoutUrl: string };
    expect(took.place).toBe('admitted');
    expect(took.checkoutUrl).toContain(`#pass=${encodeURIComponent(took.pass)}`);
    expect(await (await call(`/v1/sales/${saleId}/status`, v.token)).json()).toMatchObject({ place: 'admitted', pass: took.pass });
  });

  it('answers bad requests with problem+json and changes nothing', async () => {
    const saleId = await createSale(redis);
    const v = await newVisitor(edge.url);
    const noToken = await call(`/v1/sales/${saleId}/status`);
    expect(noToken.status).toBe(401);
    expect(noToken.headers.get('content-type')).toBe('application/problem+json');
    expect(await noToken.json()).toMatchObject({ status: 401, code: 'visitor_token_missing' });
    expect((await call(`/v1/sales/${saleId}/join`, v.token, 'POST', '{"nonce":5}')).status).toBe(422);
    expect((await call(`/v1/sales/${saleId}/join`, v.token, 'POST', 'nope')).status).toBe(400);
    expect((await call('/v1/sales/unknown-sale/join', v.token, 'POST', '{}')).status).toBe(404);
    expect((await call(`/v1/sales/${saleId}/take`, v.token, 'POST')).status).toBe(409);
    expect((await call(`/v1/sales/${saleId}/controls`, undefined, 'POST', '{"action":"pause"}')).status).toBe(401);
    expect((await call(`/v1/sales/${saleId}/controls`, 'test-admin-token-0123456789', 'POST', 'x'.repeat(10_000))).status).toBe(413);
    expect((await call('/nowhere')).status).toBe(404);
    expect(await redis.exists(queueKeys(saleId).visitors)).toBe(0);
    expect(await redis.hget(queueKeys(saleId).settings, 'paused')).toBe('0');
  });
});

describe('drain', () => {
  it('tells fans to reconnect, closes their sockets, and keeps their place for the next edge', async () => {
    const mine = await startTestEdge({ QUEUE_RECONNECT_GRACE_S: '30' });
    const saleId = await createSale(redis, { ratePerMin: 1, maxActive: 1 });
    await redis.hset(queueKeys(saleId).settings, 'paused', '1');
    const v = await newVisitor(mine.url);
    const fan = await Fan.open(mine.wsUrl(saleId));
    const queued = await fan.join(v.token);
    const notJoined = await Fan.open(mine.wsUrl(saleId)); // on no topic yet: closed by the drain itself
    await notJoined.next('hello');
    await mine.stop(2000);
    expect(await fan.next('reconnect')).toMatchObject({ retryAfterMs: expect.any(Number) });
    await eventually(() => fan.closed);
    await eventually(() => notJoined.closed);
    expect(notJoined.closed?.code).toBe(1012);
    expect(await redis.zscore(queueKeys(saleId).disconnected, v.visitorId)).not.toBeNull();
    const again = await Fan.open(edge.wsUrl(saleId));
    expect(await again.join(v.token)).toMatchObject({ state: 'waiting', ticket: queued.ticket });
    await again.close();
    await mine.close();
  });
});
