/**
 * The queueing modes (fifo, random, passthrough, reject) on a real Redis: each through the scripts'
 * typed wrappers, and a live change of mode on a running edge with real sockets.
 */
import { describe, it, expect, afterAll } from 'vitest';
import { newRedis } from '../test/support/databases.js';
import { queueKeys } from '../admission/queue-keys.js';
import { applySaleControl, type QueueMode } from '../admission/sale-controls.js';
import { createSale, startTestEdge, newVisitor, eventually, Fan, type Msg } from '../test/support/edge-test-harness.js';
import { queueStore, type TickOptions } from './queue-store.js';
import { QueueError } from './queue-errors.js';
import { drawDueAt, runWindowDraw } from './window-draw.js';
import { seededPermutation } from './fair-draw.js';

const redis = newRedis();
const store = queueStore(redis, { offerTtlMs: 30_000, burstS: 2 });
afterAll(() => redis.disconnect());

const tick: TickOptions = { seats: 'on_sale', offerTtlMs: 30_000, graceMs: 60_000, maxBatch: 100, edgeId: 'test', connected: 0, burstS: 2 };
const ADMIN = 'test-admin-token-0123456789';

async function saleIn(mode: QueueMode, init: Parameters<typeof createSale>[1] = {}): Promise<string> {
  const saleId = await createSale(redis, init);
  await applySaleControl(redis, saleId, { action: 'set_mode', mode });
  return saleId;
}

async function redisNow(): Promise<number> {
  const [s, us] = await redis.time();
  return Number(s) * 1000 + Math.floor(Number(us) / 1000);
}

/** Gives the sale's shared bucket exactly `tokens` now (the tick and passthrough joins spend from it). */
async function fillBucket(saleId: string, tokens: number): Promise<void> {
  await redis.hset(queueKeys(saleId).bucket, 'tokens', String(tokens), 'ts', String(await redisNow()));
}

async function refusal(call: Promise<unknown>): Promise<unknown> {
  return call.then(() => 'accepted', (err: unknown) => (err instanceof QueueError ? err.code : err));
}

async function snapshot(saleId: string): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [name, key] of Object.entries(queueKeys(saleId))) {
    const type = await redis.type(key);
    out[name] = type === 'hash' ? await redis.hgetall(key) : type === 'zset' ? await redis.zrange(key, 0, -1, 'WITHSCORES') : type === 'string' ? await redis.get(key) : type;
  }
  return out;
}

describe('fifo', () => {
  it('tickets in arrival order, admitted in ticket order', async () => {
    const saleId = await saleIn('fifo', { ratePerMin: 60 });
    const places = [];
    for (const v of ['c', 'a', 'b']) places.push(await store.join(saleId, v, true));
    expect(places).toEqual([{ state: 'waiting', ticket: 1, rank: 0 }, { state: 'waiting', ticket: 2, rank: 1 }, { state: 'waiting', ticket: 3, rank: 2 }]);
    await fillBucket(saleId, 2);
    expect((await store.tick(saleId, tick)).made).toBe(2);
    expect((await redis.zrange(queueKeys(saleId).offers, 0, -1)).sort()).toEqual(['a', 'c']);
    expect(await redis.zrange(queueKeys(saleId).waiting, 0, -1)).toEqual(['b']);
  });
});

describe('passthrough', () => {
  it('offers at the join while under max shoppers, then queues by itself', async () => {
    // 600/min: the bucket holds up to 20 tokens and refills 10/s, nothing within the test's milliseconds
    const saleId = await saleIn('passthrough', { ratePerMin: 600, maxActive: 2 });
    await fillBucket(saleId, 10);
    expect(await store.join(saleId, 'v1', true)).toMatchObject({ state: 'offer', ticket: 1 });
    expect(await store.join(saleId, 'v2', true)).toMatchObject({ state: 'offer', ticket: 2 });
    expect(await store.join(saleId, 'v3', true)).toEqual({ state: 'waiting', ticket: 3, rank: 0 });
    const k = queueKeys(saleId);
    expect(await redis.get(k.serving)).toBe('2');
    expect(await redis.hget(k.stats, 'admitted')).toBe('2');
  });

  it('queues once arrivals outrun the rate, nobody overtakes the queue, and it drains back to passthrough', async () => {
    const saleId = await saleIn('passthrough', { ratePerMin: 600, maxActive: 1000 });
    await fillBucket(saleId, 2);
    expect((await store.join(saleId, 'v1', true)).state).toBe('offer');
    expect((await store.join(saleId, 'v2', true)).state).toBe('offer');
    expect(await store.join(saleId, 'v3', true)).toMatchObject({ state: 'waiting', ticket: 3 }); // the bucket is spent
    await fillBucket(saleId, 5);
    expect(await store.join(saleId, 'v4', true)).toMatchObject({ state: 'waiting', ticket: 4 }); // tokens, but v3 waits
    expect((await store.tick(saleId, tick)).made).toBe(2);
    expect((await redis.zrange(queueKeys(saleId).offers, 0, -1)).sort()).toEqual(['v1', 'v2', 'v3', 'v4']);
    expect(await store.join(saleId, 'v5', true)).toMatchObject({ state: 'offer', ticket: 5 }); // the queue is empty again
  });

  it('does not pass fans through to a sold-out shop or a paused sale', async () => {
    const saleId = await saleIn('passthrough', { ratePerMin: 60 });
    await store.tick(saleId, { ...tick, seats: 'sold_out' });
    await fillBucket(saleId, 5);
    expect((await store.join(saleId, 'v1', true)).state).toBe('waiting');
    const paused = await saleIn('passthrough', { ratePerMin: 60 });
    await applySaleControl(redis, paused, { action: 'pause' });
    await fillBucket(paused, 5);
    expect((await store.join(paused, 'v1', true)).state).toBe('waiting');
  });

  it('fills the pre-queue before opening like every mode', async () => {
    const saleId = await saleIn('passthrough', { opensAtMs: Date.now() + 3600_000 });
    await fillBucket(saleId, 5);
    expect(await store.join(saleId, 'v1', true)).toEqual({ state: 'prequeue' });
  });
});

describe('reject', () => {
  it('refuses newcomers (room_closed, nothing written), keeps the places it has, admits nobody', async () => {
    const saleId = await saleIn('fifo', { ratePerMin: 60 });
    await store.join(saleId, 'v1', true);
    await applySaleControl(redis, saleId, { action: 'set_mode', mode: 'reject' });
    const before = await snapshot(saleId);
    expect(await refusal(store.join(saleId, 'v2', true))).toBe('room_closed');
    expect(await snapshot(saleId)).toEqual(before);
    expect(await store.join(saleId, 'v1', true)).toEqual({ state: 'waiting', ticket: 1, rank: 0 });
    await fillBucket(saleId, 5);
    const r = await store.tick(saleId, tick);
    expect({ state: r.state, made: r.made, waiting: r.waiting }).toEqual({ state: 'rejecting', made: 0, waiting: 1 });
  });
});

describe('random', () => {
  it('draws everyone who arrived in a window at its end; later arrivals wait for the next window', async () => {
    const saleId = await saleIn('random', { ratePerMin: 60 });
    await applySaleControl(redis, saleId, { action: 'set_mode', mode: 'random', drawWindowS: 2 });
    await eventually(async () => (await redisNow()) % 2000 < 500, 3000); // all 20 arrive in one window
    const early = Array.from({ length: 20 }, (_, i) => `early-${String(i).padStart(2, '0')}`);
    for (const v of early) expect(await store.join(saleId, v, true)).toEqual({ state: 'prequeue' });
    const due = await eventually(async () => drawDueAt(await store.tick(saleId, tick)) ?? false, 4000);
    const late = ['late-1', 'late-2'];
    for (const v of late) expect(await store.join(saleId, v, true)).toEqual({ state: 'prequeue' }); // Redis time is past `due`

    const drawn = await runWindowDraw(redis, store, saleId, due);
    expect(drawn).toEqual({ count: 20, draw: 1 });
    const k = queueKeys(saleId);
    const record = JSON.parse((await redis.hget(k.draws, '1'))!) as { seed: string; count: number; windowEnd: number; firstTicket: number };
    expect(record).toMatchObject({ count: 20, windowEnd: due, firstTicket: 1 });
    expect(await redis.zrange(k.waiting, 0, -1)).toEqual(seededPermutation(early, record.seed));
    expect(await redis.zrange(k.prequeue, 0, -1)).toEqual(late);
    expect(await runWindowDraw(redis, store, saleId, due)).toBeNull(); // nothing left in that window
  });

  it('draw refusals: not_yet_open, draw_not_due, prequeue_changed, nothing written', async () => {
    const early = await saleIn('random', { opensAtMs: Date.now() + 3600_000 });
    await store.join(early, 'v1', true);
    expect(await refusal(store.draw(early, '00', Date.now() - 1, ['v1']))).toBe('not_yet_open');

    const saleId = await saleIn('random');
    await store.join(saleId, 'v1', true);
    await store.join(saleId, 'v2', true);
    const before = await snapshot(saleId);
    expect(await refusal(store.draw(saleId, '00', Date.now() + 3600_000, ['v1', 'v2']))).toBe('draw_not_due');
    const end = Date.now() + 1;
    await eventually(async () => (await redisNow()) > end);
    expect(await refusal(store.draw(saleId, '00', end, ['v1']))).toBe('prequeue_changed');
    expect(await refusal(store.draw(saleId, '00', end, ['v1', 'v3']))).toBe('prequeue_changed');
    expect(await snapshot(saleId)).toEqual(before);
    expect(await store.draw(saleId, '00', end, ['v2', 'v1'])).toEqual({ count: 2, draw: 1 });
  });
});

describe('a live change of mode on a running edge', () => {
  it('fifo → random → reject → passthrough: each newcomer placed by the mode of the moment, nobody stranded', async () => {
    const edge = await startTestEdge();
    const fans: Fan[] = [];
    const control = (body: unknown): Promise<Response> => fetch(`${edge.url}/v1/sales/${saleId}/controls`, {
      method: 'POST', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
    });
    const fan = async (): Promise<{ fan: Fan; joined: Msg }> => {
      const f = await Fan.open(edge.wsUrl(saleId));
      fans.push(f);
      return { fan: f, joined: await f.join((await newVisitor(edge.url)).token) };
    };
    const positionWith = (f: Fan, check: (m: Msg) => boolean): Promise<Msg> => eventually(() => f.messages.find((m) => m.type === 'position' && check(m)), 3000);
    const saleId = await createSale(redis, { ratePerMin: 6000, maxActive: 1000 });
    try {
      await redis.hset(queueKeys(saleId).settings, 'paused', '1'); // nobody admitted until the passthrough step

      const a = await fan();
      expect(a.joined).toMatchObject({ type: 'queued', state: 'waiting', ticket: 1 });

      expect((await control({ action: 'set_mode', mode: 'random', drawWindowS: 3600 })).status).toBe(200);
      await positionWith(a.fan, (m) => m.mode === 'random' && typeof m.nextDrawAt === 'number');
      const b = await fan();
      expect(b.joined).toMatchObject({ type: 'queued', state: 'prequeue' });

      // Away from random, the pool is drawn at once: b is not left waiting for the hour's window.
      expect((await control({ action: 'set_mode', mode: 'reject' })).status).toBe(200);
      expect(await b.fan.next('queued', 3000)).toMatchObject({ state: 'waiting', ticket: 2 });
      await positionWith(a.fan, (m) => m.state === 'rejecting' && m.mode === 'reject');
      expect(a.fan.messages.some((m) => m.type === 'rejecting')).toBe(true);
      const c = await fan();
      expect(c.joined).toMatchObject({ type: 'error', code: 'room_closed' });

      expect((await control({ action: 'set_mode', mode: 'passthrough' })).status).toBe(200);
      expect((await control({ action: 'resume' })).status).toBe(200);
      await a.fan.next('offer', 3000);
      await b.fan.next('offer', 3000);
      await eventually(async () => (await redis.zcard(queueKeys(saleId).waiting)) === 0);
      await eventually(async () => Number(await redis.hget(queueKeys(saleId).bucket, 'tokens')) >= 1);
      const d = await newVisitor(edge.url);
      const res = await fetch(`${edge.url}/v1/sales/${saleId}/join`, { method: 'POST', headers: { authorization: `Bearer ${d.token}` } });
      expect(await res.json()).toMatchObject({ place: 'offer', ticket: 3 });
    } finally {
      await Promise.all(fans.map((f) => f.close()));
      await edge.close();
    }
  });
});
