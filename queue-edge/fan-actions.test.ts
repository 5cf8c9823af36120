/**
 * Operator actions on one fan (admission/fan-actions.ts) as three edge processes on one Redis see
 * them: a ban taken during a storm of concurrent joins leaves the banned visitor without a place
 * for good; remove, ban and revoke close every socket of the fan on every process with an end
 * state; an edge with PostgreSQL records its controls in the audit log.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Redis } from 'ioredis';
import { freshDatabase, newRedis, type FreshDatabase } from '../test/support/databases.js';
import { freePort } from '../scripts/services.js';
import { queueKeys } from '../admission/queue-keys.js';
import { applyFanAction, type FanActionRecord } from '../admission/fan-actions.js';
import { readOperatorAudit } from '../admission/operator-audit.js';
import { createSale, newVisitor, Fan, spawnEdge, sleep, eventually, startTestEdge } from '../test/support/edge-test-harness.js';
import { REMOVED_CLOSE_CODE } from './edge-protocol.js';
import { randomUUID } from 'node:crypto';
import { initSaleSettings } from '../admission/sale-controls.js';
import { shardKeys } from '../inventory/inventory-keys.js';
import { publishedSale } from '../test/support/inventory-fixture.js';

let redis: Redis;
let edges: Awaited<ReturnType<typeof spawnEdge>>[] = [];
const ADMIN = 'test-admin-token-0123456789';
const record: FanActionRecord = { by: 'test-admin', byEmail: 'admin@usher.local', reason: 'test', at: Date.now() };

beforeAll(async () => {
  redis = newRedis();
  const ports = [await freePort(), await freePort(), await freePort()];
  edges = await Promise.all(ports.map((p) => spawnEdge({ EDGE_PORT: String(p), EDGE_TICK_MS: '20', ADMIN_API_TOKEN: ADMIN })));
}, 60_000);
afterAll(async () => {
  await Promise.all(edges.map((e) => e.stop()));
  redis.disconnect();
});

const wsUrl = (i: number, saleId: string): string => `${edges[i % edges.length]!.url.replace('http', 'ws')}/v1/sales/${saleId}/ws`;

async function httpJoin(i: number, saleId: string, token: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${edges[i % edges.length]!.url}/v1/sales/${saleId}/join`, {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{}',
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Every socket of the fan, one per edge process, joined with the same visitor token. */
async function fanOnEveryEdge(saleId: string, token: string): Promise<Fan[]> {
  return Promise.all(edges.map(async (_e, i) => {
    const fan = await Fan.open(wsUrl(i, saleId));
    await fan.join(token);
    return fan;
  }));
}

async function placeOf(saleId: string, visitorId: string) {
  const k = queueKeys(saleId);
  const [waiting, prequeue, offer, stored] = await Promise.all([
    redis.zscore(k.waiting, visitorId), redis.zscore(k.prequeue, visitorId), redis.zscore(k.offers, visitorId), redis.hget(k.visitors, visitorId),
  ]);
  return { waiting, prequeue, offer, stored };
}

describe('operator actions on one fan, across edge processes', () => {
  it('a ban during a concurrent join storm: no join after it gives the banned visitor a place, and no offer reaches them', async () => {
    const saleId = await createSale(redis, { ratePerMin: 6000, maxActive: 100_000 });
    const k = queueKeys(saleId);
    const target = await newVisitor(edges[0]!.url);
    const crowd = await Promise.all(Array.from({ length: 60 }, (_, i) => newVisitor(edges[i % 3]!.url)));
    // every event on the sale channel, in order: offers to the target after the ban's event would break the ban
    const sub = redis.duplicate();
    const events: { type: string; visitor?: string; offers?: { visitor: string }[] }[] = [];
    sub.on('message', (_c: string, text: string) => events.push(JSON.parse(text) as (typeof events)[number]));
    await sub.subscribe(k.channel);

    let banned = false;
    const afterBan: { status: number; code: unknown; place: unknown }[] = [];
    const beforeBan: unknown[] = [];
    // the storm runs by counts, not by time (a loaded machine is slow): the ban lands once 24 joins
    // have been answered, and the lanes go on until 60 joins sent after it have been answered
    const storm = async (lane: number): Promise<void> => {
      for (let i = 0; afterBan.length < 60 && Date.now() < giveUpAt; i++) {
        const sentAfterBan = banned;
        const r = await httpJoin(lane + i, saleId, target.token);
        (sentAfterBan ? afterBan : beforeBan).push({ status: r.status, code: r.body.code, place: r.body.place });
      }
    };
    const giveUpAt = Date.now() + 30_000;
    const lanes = [...Array.from({ length: 12 }, (_, l) => storm(l)), ...crowd.map((v, i) => httpJoin(i, saleId, v.token))];
    await eventually(() => beforeBan.length >= 24, 15_000);
    const answer = await applyFanAction(redis, saleId, target.visitorId, 'ban', record);
    banned = true;
    await Promise.all(lanes);
    await sleep(300); // a few more ticks of admission

    expect(beforeBan.length).toBeGreaterThanOrEqual(24);
    expect(afterBan.length).toBeGreaterThanOrEqual(60);
    expect(['waiting', 'offer', 'admitted', 'none']).toContain(answer.before);
    // every join sent after the ban returned is refused, whichever process it reached
    expect(afterBan.every((r) => r.status === 403 && r.code === 'visitor_banned'), JSON.stringify(afterBan.slice(0, 5))).toBe(true);
    // and the visitor holds nothing in the queue
    expect(await placeOf(saleId, target.visitorId)).toEqual({ waiting: null, prequeue: null, offer: null, stored: null });
    expect(await redis.hexists(k.banned, target.visitorId)).toBe(1);
    // no offer for them after the ban's own event (pub/sub keeps the order of one channel)
    const banEvent = events.findIndex((e) => e.type === 'fan' && e.visitor === target.visitorId);
    expect(banEvent).toBeGreaterThanOrEqual(0);
    const offeredAfter = events.slice(banEvent + 1).filter((e) => e.type === 'offers' && e.offers!.some((o) => o.visitor === target.visitorId));
    expect(offeredAfter).toEqual([]);
    // the crowd was served meanwhile
    expect(Number(await redis.hget(k.stats, 'admitted'))).toBeGreaterThan(0);
    sub.disconnect();
  }, 60_000);

  it('remove: every socket of the fan on every process hears the end state and closes; others stay; the fan may come back at the end', async () => {
    const saleId = await createSale(redis, { ratePerMin: 60, maxActive: 1 });
    await redis.hset(queueKeys(saleId).settings, 'paused', '1');
    const target = await newVisitor(edges[0]!.url);
    const other = await newVisitor(edges[1]!.url);
    const mine = await fanOnEveryEdge(saleId, target.token);
    const theirs = await fanOnEveryEdge(saleId, other.token);

    const answer = await applyFanAction(redis, saleId, target.visitorId, 'remove', record);
    expect(answer).toMatchObject({ action: 'remove', before: 'waiting', changed: true });
    for (const fan of mine) {
      const m = await fan.next('removed', 3000);
      expect(m).toMatchObject({ reason: 'removed', detail: expect.stringMatching(/^You have been removed from this queue/) });
      await eventually(() => fan.closed, 3000);
      expect(fan.closed?.code).toBe(REMOVED_CLOSE_CODE);
    }
    await sleep(200);
    expect(theirs.map((f) => f.closed)).toEqual([null, null, null]);
    expect(await placeOf(saleId, target.visitorId)).toMatchObject({ waiting: null, stored: null });
    expect(await redis.hget(queueKeys(saleId).presence, target.visitorId)).toBeNull();
    // removal is not a ban: a new join is a new place, behind everyone
    const back = await httpJoin(2, saleId, target.token);
    expect(back).toMatchObject({ status: 200, body: { place: 'waiting', ticket: 3 } });
    await Promise.all(theirs.map((f) => f.close()));
  });

  it('ban: the sockets close on every process, and a new socket is refused at join with the same end state', async () => {
    const saleId = await createSale(redis, { ratePerMin: 60, maxActive: 1 });
    const target = await newVisitor(edges[0]!.url);
    const mine = await fanOnEveryEdge(saleId, target.token);
    await applyFanAction(redis, saleId, target.visitorId, 'ban', record);
    for (const fan of mine) {
      expect(await fan.next('removed', 3000)).toMatchObject({ reason: 'banned' });
      await eventually(() => fan.closed, 3000);
    }
    for (let i = 0; i < 3; i++) {
      const again = await Fan.open(wsUrl(i, saleId));
      expect(await again.join(target.token)).toMatchObject({ type: 'error', code: 'visitor_banned' });
      expect(await again.next('removed', 3000)).toMatchObject({ reason: 'banned', detail: expect.stringMatching(/^You have been removed from this queue/) });
      await eventually(() => again.closed?.code === REMOVED_CLOSE_CODE, 3000);
    }
    // unban lifts the bar (the place does not come back: a new join queues at the end)
    expect((await applyFanAction(redis, saleId, target.visitorId, 'unban', record)).changed).toBe(true);
    expect((await httpJoin(0, saleId, target.token)).body).toMatchObject({ place: 'waiting' });
  });

  it('revoke: the admitted fan\'s lease ends at once (a shopper slot frees), the sockets close, and a join answers done', async () => {
    const saleId = await createSale(redis, { ratePerMin: 6000, maxActive: 1 });
    const target = await newVisitor(edges[0]!.url);
    const mine = await fanOnEveryEdge(saleId, target.token);
    await mine[0]!.next('offer', 5000);
    mine[0]!.send({ v: 1, type: 'take' });
    await mine[0]!.next('admitted', 5000);
    const k = queueKeys(saleId);
    expect(await redis.zcard(k.active)).toBe(1);
    const answer = await applyFanAction(redis, saleId, target.visitorId, 'revoke_pass', record);
    expect(answer).toMatchObject({ before: 'admitted', revokedJti: expect.any(String) });
    expect(await redis.zcard(k.active)).toBe(0);
    expect(await redis.hexists(k.revokedPasses, answer.revokedJti!)).toBe(1);
    for (const fan of mine) {
      expect(await fan.next('removed', 3000)).toMatchObject({ reason: 'pass_revoked' });
      await eventually(() => fan.closed, 3000);
    }
    expect((await httpJoin(1, saleId, target.token)).body).toMatchObject({ place: 'done' });
    // revoking twice is refused with a precise code
    await expect(applyFanAction(redis, saleId, target.visitorId, 'revoke_pass', record)).rejects.toMatchObject({ status: 409, code: 'pass_not_active' });
  });
});

describe('an edge with PostgreSQL', () => {
  let db: FreshDatabase;
  beforeAll(async () => {
    db = await freshDatabase();
  });
  afterAll(() => db?.drop());

  it('records each of its controls in the audit log, with the operator and the X-Usher-Reason', async () => {
    const edge = await startTestEdge({ ADMIN_API_TOKEN: ADMIN }, { pg: db.pool });
    try {
      const saleId = await createSale(redis);
      const control = (body: unknown, headers: Record<string, string> = {}) => fetch(`${edge.url}/v1/sales/${saleId}/controls`, {
        method: 'POST', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json', ...headers }, body: JSON.stringify(body),
      });
      expect((await control({ action: 'pause' }, { 'x-usher-reason': 'stage delay' })).status).toBe(200);
      expect((await control({ action: 'set_rate', ratePerMin: 90 })).status).toBe(200);
      expect((await control({ action: 'pause' }, { authorization: 'Bearer wrong-token-0123456789' })).status).toBe(403);
      const { entries } = await readOperatorAudit(db.pool, saleId, { limit: 10 });
      expect(entries.map((e) => [e.action, e.via, e.actor.id, e.reason])).toEqual([
        ['control.set_rate', 'edge', 'operator', null],
        ['control.pause', 'edge', 'operator', 'stage delay'],
      ]);
      expect(entries[0]!.detail).toEqual({ control: { action: 'set_rate', ratePerMin: 90 } });
    } finally {
      await edge.close();
    }
  });

  it('a close stops selling as the API\'s does: every shard refuses holds and the sale\'s row says closed', async () => {
    const edge = await startTestEdge({ ADMIN_API_TOKEN: ADMIN }, { pg: db.pool });
    try {
      const s = await publishedSale(redis, db.pool, { rows: 1, seatsPerRow: 4, shardCount: 2 });
      const saleId = s.sale.saleId;
      await initSaleSettings(redis, saleId, { ratePerMin: 60, maxActive: 100, opensAtMs: 0, closesAtMs: Date.now() + 3600_000, prequeueOpensAtMs: 0 });
      await db.pool.query(`UPDATE sales SET status = 'open' WHERE id = $1`, [saleId]);
      const control = (action: string) => fetch(`${edge.url}/v1/sales/${saleId}/controls`, {
        method: 'POST', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: JSON.stringify({ action }),
      });
      const statusOf = async () => (await db.pool.query('SELECT status FROM sales WHERE id = $1', [saleId])).rows[0]?.status;
      expect((await control('pause')).status).toBe(200);
      expect(await statusOf()).toBe('paused');
      expect((await control('resume')).status).toBe(200);
      expect(await statusOf()).toBe('open');
      expect(await s.inventory.hold(saleId, randomUUID(), { kind: 'best', tierCode: 'P1', quantity: 1 })).toMatchObject({ holdId: expect.any(String) });

      expect((await control('close')).status).toBe(200);
      expect(await statusOf()).toBe('closed');
      expect(await Promise.all([0, 1].map((k) => redis.hget(shardKeys(saleId, k).meta, 'on_sale')))).toEqual(['0', '0']);
      await expect(s.inventory.hold(saleId, randomUUID(), { kind: 'best', tierCode: 'P1', quantity: 1 })).rejects.toMatchObject({ code: 'sale_not_open' });
    } finally {
      await edge.close();
    }
  });
});
