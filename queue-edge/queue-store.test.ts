/**
 * The queue scripts' refusals through their typed wrappers, on a real Redis: each is a QueueError
 * with its documented code, and a refused call writes nothing.
 */
import { describe, it, expect, afterAll } from 'vitest';
import { newRedis, uniqueId } from '../test/support/databases.js';
import { queueKeys } from '../admission/queue-keys.js';
import { createSale } from '../test/support/edge-test-harness.js';
import { queueStore } from './queue-store.js';
import { QueueError } from './queue-errors.js';
import { storedPlaceJson } from '../admission/visitor-place.js';

const redis = newRedis();
const store = queueStore(redis);
afterAll(() => redis.disconnect());

const tick = { seats: 'on_sale', offerTtlMs: 1000, graceMs: 1000, maxBatch: 10, edgeId: 'test', connected: 0, burstS: 2 } as const;

/** The QueueError code a call is refused with ('accepted' if it is not; any other error as is). */
async function refusal(call: Promise<unknown>): Promise<unknown> {
  return call.then(() => 'accepted', (err: unknown) => (err instanceof QueueError ? err.code : err));
}

/** Every key of the sale with its content: a refused call must leave this unchanged. */
async function snapshot(saleId: string): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [name, key] of Object.entries(queueKeys(saleId))) {
    const type = await redis.type(key);
    out[name] = type === 'hash' ? await redis.hgetall(key) : type === 'zset' ? await redis.zrange(key, 0, -1, 'WITHSCORES') : type === 'string' ? await redis.get(key) : type;
  }
  return out;
}

describe('queue script refusals', () => {
  it('unknown_sale from join and the tick, nothing written', async () => {
    const saleId = uniqueId('sale');
    expect(await refusal(store.join(saleId, 'v1', true))).toBe('unknown_sale');
    expect(await refusal(store.tick(saleId, tick))).toBe('unknown_sale');
    expect(await redis.keys(`usher:q:{${saleId}}:*`)).toEqual([]);
  });

  it('sale_closed and queue_not_open for a newcomer, nothing written', async () => {
    const closed = await createSale(redis);
    await redis.hset(queueKeys(closed).settings, 'closed', '1');
    const before = await snapshot(closed);
    expect(await refusal(store.join(closed, 'v1', true))).toBe('sale_closed');
    expect(await snapshot(closed)).toEqual(before);

    const early = await createSale(redis, { opensAtMs: Date.now() + 3600_000, prequeueOpensAtMs: Date.now() + 1800_000 });
    const beforeEarly = await snapshot(early);
    expect(await refusal(store.join(early, 'v1', true))).toBe('queue_not_open');
    expect(await snapshot(early)).toEqual(beforeEarly);
  });

  it('no_offer and offer_expired from take, nothing written', async () => {
    const saleId = await createSale(redis);
    const pass = { jti: 'jti-1', leaseDeadlineMs: Date.now() + 600_000, token: 'a.b.c' };
    expect(await refusal(store.take(saleId, 'nobody', pass))).toBe('no_offer');
    await store.join(saleId, 'v1', true);
    const waiting = await snapshot(saleId);
    expect(await refusal(store.take(saleId, 'v1', pass))).toBe('no_offer');
    expect(await snapshot(saleId)).toEqual(waiting);
    const k = queueKeys(saleId);
    await redis.multi().zrem(k.waiting, 'v1').zadd(k.offers, Date.now() - 1, 'v1').hset(k.visitors, 'v1', storedPlaceJson({ state: 'offer', ticket: 1, deadline: Date.now() - 1 })).exec();
    const lapsed = await snapshot(saleId);
    expect(await refusal(store.take(saleId, 'v1', pass))).toBe('offer_expired');
    expect(await snapshot(saleId)).toEqual(lapsed);
  });

  it('already_committed, not_yet_open and prequeue_changed from the commit; not_committed, draw_mismatch and already_shuffled from the reveal; nothing written', async () => {
    const commit = (members: string[], hashed = members.map((m) => `h-${m}`)) => ({ commitment: 'c0', beaconPlan: '{"kind":"none"}', members, hashed });
    const shuffled = await createSale(redis); // open: its empty draw has run
    expect(await refusal(store.commitDraw(shuffled, commit([])))).toBe('already_committed');
    expect(await refusal(store.shuffle(shuffled, '00', '{}', []))).toBe('already_shuffled');

    const early = await createSale(redis, { opensAtMs: Date.now() + 3600_000 });
    await store.join(early, 'v1', true);
    const before = await snapshot(early);
    expect(await refusal(store.commitDraw(early, commit(['v1'])))).toBe('not_yet_open');
    expect(await refusal(store.shuffle(early, '00', '{}', ['v1']))).toBe('not_committed');
    expect(await snapshot(early)).toEqual(before);
    await redis.hset(queueKeys(early).settings, 'opens_at_ms', String(Date.now() - 1));
    const opened = await snapshot(early);
    expect(await refusal(store.commitDraw(early, commit(['v1', 'v2'])))).toBe('prequeue_changed');
    expect(await refusal(store.commitDraw(early, commit(['v2'])))).toBe('prequeue_changed');
    expect(await refusal(store.commitDraw(early, commit(['v1'], [])))).toBe('prequeue_changed');
    expect(await snapshot(early)).toEqual(opened);
    expect(await store.commitDraw(early, commit(['v1']))).toBe(1);
    const committed = await snapshot(early);
    for (const order of [[], ['v2'], ['v1', 'v1']]) expect(await refusal(store.shuffle(early, '00', '{}', order))).toBe('draw_mismatch');
    expect(await snapshot(early)).toEqual(committed);
    expect(await store.shuffle(early, '00', '{}', ['v1'])).toEqual({ count: 1, firstTicket: 1 });
  });
});
