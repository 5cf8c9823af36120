/**
 * Three edge processes on one Redis: first-in first-out across edges, the total admission rate
 * within 1% of the setting, and live controls reaching every edge's fans.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Redis } from 'ioredis';
import { newRedis } from '../test/support/databases.js';
import { freePort } from '../scripts/services.js';
import { queueKeys } from '../admission/queue-keys.js';
import { storedPlaceJson } from '../admission/visitor-place.js';
import { createSale, newVisitor, Fan, spawnEdge, sleep, eventually } from '../test/support/edge-test-harness.js';

let redis: Redis;
let edges: Awaited<ReturnType<typeof spawnEdge>>[] = [];
const ADMIN = 'test-admin-token-0123456789';

beforeAll(async () => {
  redis = newRedis();
  const ports = [await freePort(), await freePort(), await freePort()];
  edges = await Promise.all(ports.map((p) => spawnEdge({ EDGE_PORT: String(p), EDGE_TICK_MS: '20', ADMIN_API_TOKEN: ADMIN })));
}, 60_000);
afterAll(async () => {
  await Promise.all(edges.map((e) => e.stop()));
  redis.disconnect();
});

const ws = (i: number, saleId: string): string => `${edges[i % edges.length]!.url.replace('http', 'ws')}/v1/sales/${saleId}/ws`;

/** Redis time and the admitted total read atomically: no tick runs between the two. */
async function admittedAt(saleId: string): Promise<{ ms: number; admitted: number }> {
  const r = (await redis.multi().time().hget(queueKeys(saleId).stats, 'admitted').exec()) ?? [];
  const [sec, usec] = r[0]?.[1] as [string, string];
  return { ms: Number(sec) * 1000 + Number(usec) / 1000, admitted: Number(r[1]?.[1] ?? 0) };
}

describe('several edges on one queue', () => {
  it('admits first-in first-out whichever edge a fan is on, and each fan gets its offer on its own socket', async () => {
    const saleId = await createSale(redis, { ratePerMin: 1200, maxActive: 100_000 });
    await redis.hset(queueKeys(saleId).settings, 'paused', '1'); // everyone joins, then the sale runs
    const fans: Fan[] = [];
    const joined: string[] = [];
    for (let i = 0; i < 24; i++) {
      const v = await newVisitor(edges[i % 3]!.url);
      const fan = await Fan.open(ws(i, saleId));
      expect(await fan.join(v.token)).toMatchObject({ state: 'waiting', ticket: i + 1 });
      fans.push(fan);
      joined.push(v.visitorId);
    }
    const sub = redis.duplicate();
    const offered: string[] = [];
    sub.on('message', (_c: string, text: string) => {
      const e = JSON.parse(text) as { type: string; offers?: { visitor: string }[] };
      if (e.type === 'offers') offered.push(...(e.offers ?? []).map((o) => o.visitor));
    });
    await sub.subscribe(queueKeys(saleId).channel);
    await redis.hset(queueKeys(saleId).settings, 'paused', '0');
    await Promise.all(fans.map((f) => f.next('offer', 10_000)));
    expect(offered).toEqual(joined);
    sub.disconnect();
    await Promise.all(fans.map((f) => f.close()));
  });

  it('holds the total admission rate within 1% of the setting while three edges tick concurrently', async () => {
    const rate = 3000; // per minute: 50 a second, spread over three edges ticking every 20 ms
    const saleId = await createSale(redis, { ratePerMin: rate, maxActive: 1_000_000 });
    const k = queueKeys(saleId);
    // One fan per edge so each edge ticks the sale; the rest of the queue waits without sockets.
    const fans = await Promise.all([0, 1, 2].map(async (i) => {
      const fan = await Fan.open(ws(i, saleId));
      await fan.join((await newVisitor(edges[i]!.url)).token);
      return fan;
    }));
    const pipe = redis.pipeline();
    for (let t = 4; t < 1500; t++) pipe.zadd(k.waiting, t, `ghost-${t}`).hset(k.visitors, `ghost-${t}`, storedPlaceJson({ state: 'waiting', ticket: t }));
    pipe.set(k.seq, 1500);
    await pipe.exec();
    await sleep(1500); // past the initial bucket fill
    const start = await admittedAt(saleId);
    await sleep(10_000);
    const end = await admittedAt(saleId);
    const measured = ((end.admitted - start.admitted) * 60_000) / (end.ms - start.ms);
    expect(Math.abs(measured - rate) / rate).toBeLessThan(0.01);
    // every edge took part in admitting
    const stats = await redis.hgetall(k.stats);
    expect(Object.keys(stats).filter((f) => f.startsWith('seen:'))).toHaveLength(3);
    await Promise.all(fans.map((f) => f.close()));
  }, 30_000);

  it('pause, resume and a rate change reach the fans of every edge at the next tick', async () => {
    const saleId = await createSale(redis, { ratePerMin: 60, maxActive: 1 });
    const fans = await Promise.all([0, 1, 2].map(async (i) => {
      const fan = await Fan.open(ws(i, saleId));
      await fan.join((await newVisitor(edges[i]!.url)).token);
      return fan;
    }));
    const control = async (body: unknown, token = ADMIN): Promise<Response> =>
      fetch(`${edges[0]!.url}/v1/sales/${saleId}/controls`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

    expect((await control({ action: 'pause' }, 'wrong-token-0123456789')).status).toBe(403);
    expect((await control({ action: 'set_rate', ratePerMin: -5 })).status).toBe(422);
    expect(await redis.hget(queueKeys(saleId).settings, 'rate_per_min')).toBe('60');

    expect((await control({ action: 'pause' })).status).toBe(200);
    await Promise.all(fans.map((f) => f.next('paused', 3000)));
    const admitted = await redis.hget(queueKeys(saleId).stats, 'admitted');
    await sleep(200);
    expect(await redis.hget(queueKeys(saleId).stats, 'admitted')).toBe(admitted);

    expect((await control({ action: 'set_rate', ratePerMin: 777 })).status).toBe(200);
    expect((await control({ action: 'message', text: 'Doors at 7' })).status).toBe(200);
    expect((await control({ action: 'resume' })).status).toBe(200);
    for (const fan of fans) {
      await fan.next('resumed', 3000);
      const m = await fan.next('message', 3000);
      expect(m.text).toBe('Doors at 7');
      await eventually(() => fan.messages.some((x) => x.type === 'position' && x.ratePerMin === 777 && x.state === 'open'), 3000);
    }
    await Promise.all(fans.map((f) => f.close()));
  });
});
