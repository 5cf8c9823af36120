/**
 * Redis stops under a running edge: every HTTP route that needs Redis, the socket upgrade and every
 * socket message answer 503 / `dependency_down` (never 500 `internal`); what needs no Redis (JWKS,
 * page, probes) keeps answering; once Redis is back on its port, so is the edge.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { Redis } from 'ioredis';
import WebSocket from 'ws';
import { startPrivateRedis, type PrivateRedis } from '../test/support/private-redis.js';
import { redisAnswers } from '../common/redis-connection.js';
import { startTestEdge, createSale, newVisitor, Fan, eventually, type TestEdge } from '../test/support/edge-test-harness.js';

const ADMIN = 'test-admin-token-0123456789';
let redisServer: PrivateRedis;
let redis: Redis;
let edge: TestEdge;

beforeAll(async () => {
  redisServer = await startPrivateRedis('edge-redis-down');
  redis = new Redis(redisServer.url, { maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  edge = await startTestEdge({ REDIS_URL: redisServer.url }, { readiness: async () => ({ ok: await redisAnswers(redis, 300) }) });
}, 60_000);
afterAll(async () => {
  await edge?.close();
  redis?.disconnect();
  await redisServer?.close();
});

/** What a refused upgrade answers: its status and problem body. */
function upgradeRefusal(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('open', () => reject(new Error('the upgrade was accepted')));
    ws.once('error', () => undefined);
    ws.once('unexpected-response', (_req, res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }));
    });
  });
}

const problemOf = async (res: Response): Promise<{ status: number; type: string | null; code: unknown }> =>
  ({ status: res.status, type: res.headers.get('content-type'), code: ((await res.json()) as { code?: unknown }).code });

describe('the edge while Redis is down', () => {
  it('answers 503 dependency_down on every route and socket message that needs Redis, and recovers when Redis is back', async () => {
    const saleId = await createSale(redis, { ratePerMin: 60 });
    const v = await newVisitor(edge.url);
    const joined = await Fan.open(edge.wsUrl(saleId));
    expect(await joined.join(v.token)).toMatchObject({ type: 'queued', state: 'waiting' });
    const notJoined = await Fan.open(edge.wsUrl(saleId));
    await notJoined.next('hello');
    const other = await newVisitor(edge.url);

    await redisServer.stop();
    const auth = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });
    const down = { status: 503, type: 'application/problem+json', code: 'dependency_down' };
    const sale = `${edge.url}/v1/sales/${saleId}`;
    // in parallel: each waits for the Redis client to give up on its command
    const [visitors, status, join, take, controls, unknownSale, upgrade] = await Promise.all([
      fetch(`${edge.url}/v1/visitors`, { method: 'POST' }).then(problemOf),
      fetch(`${sale}/status`, { headers: auth(v.token) }).then(problemOf),
      fetch(`${sale}/join`, { method: 'POST', headers: auth(other.token), body: '{}' }).then(problemOf),
      fetch(`${sale}/take`, { method: 'POST', headers: auth(v.token) }).then(problemOf),
      fetch(`${sale}/controls`, { method: 'POST', headers: auth(ADMIN), body: '{"action":"pause"}' }).then(problemOf),
      fetch(`${edge.url}/v1/sales/not-seen-before/join`, { method: 'POST', headers: auth(other.token), body: '{}' }).then(problemOf),
      upgradeRefusal(edge.wsUrl(saleId)),
    ]);
    expect({ visitors, status, join, take, controls, unknownSale }).toEqual({ visitors: down, status: down, join: down, take: down, controls: down, unknownSale: down });
    expect(upgrade).toMatchObject({ status: 503, body: { status: 503, code: 'dependency_down' } });

    // the socket: join (a socket opened before the outage), take and rank (a joined socket)
    notJoined.send({ v: 1, type: 'join', token: other.token });
    joined.send({ v: 1, type: 'take' });
    joined.send({ v: 1, type: 'rank' });
    const errors = [await notJoined.next('error', 20_000), await joined.next('error', 20_000), await joined.next('error', 20_000)];
    for (const e of errors) expect(e).toMatchObject({ code: 'dependency_down', detail: expect.stringMatching(/retry/) });
    expect(notJoined.closed).toBeNull(); // it may send join again

    // what needs no Redis still answers; readiness says the edge should get no traffic
    expect((await fetch(`${edge.url}/.well-known/jwks.json`)).status).toBe(200);
    expect((await fetch(`${edge.url}/sales/${saleId}`)).status).toBe(200);
    expect((await fetch(`${edge.url}/livez`)).status).toBe(200);
    expect((await fetch(`${edge.url}/readyz`)).status).toBe(503);

    await redisServer.restart();
    await eventually(async () => (await fetch(`${edge.url}/v1/visitors`, { method: 'POST' })).status === 201, 20_000);
    notJoined.send({ v: 1, type: 'join', token: other.token });
    expect(await notJoined.nextOf(['queued', 'error'], 10_000)).toMatchObject({ type: 'queued', state: 'waiting' });
    await Promise.all([joined.close(), notJoined.close()]);
  }, 90_000);
});
