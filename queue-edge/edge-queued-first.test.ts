/**
 * On every socket, `queued` with the fan's ticket comes before `offer`: also for pre-queue fans
 * offered by the tick right after the opening shuffle (before this edge has read their tickets
 * back), for a socket joining while its visitor holds an offer, and after a lost shuffle message.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Redis } from 'ioredis';
import { newRedis } from '../test/support/databases.js';
import { queueKeys } from '../admission/queue-keys.js';
import { startTestEdge, createSale, newVisitor, Fan, type Msg, type TestEdge } from '../test/support/edge-test-harness.js';
import { OFFER_CATCH_UP_MS } from './edge-events.js';
import { storedPlaceJson } from '../admission/visitor-place.js';

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

/** The fan's queue messages in the order received: `queued:prequeue`, `queued:<ticket>`, `offer`. */
const queueMessages = (fan: Fan): string[] =>
  fan.messages.filter((m) => m.type === 'queued' || m.type === 'offer').map((m: Msg) => (m.type === 'offer' ? 'offer' : `queued:${String(m.ticket ?? m.state)}`));

async function prequeueFan(saleId: string): Promise<{ fan: Fan; visitorId: string }> {
  const v = await newVisitor(edge.url);
  const fan = await Fan.open(edge.wsUrl(saleId));
  expect(await fan.join(v.token)).toMatchObject({ type: 'queued', state: 'prequeue' });
  return { fan, visitorId: v.visitorId };
}

describe('queued before offer', () => {
  it('tells a pre-queue fan offered right after the shuffle its ticket first, even before the edge has read the tickets back', async () => {
    const saleId = await createSale(redis, { opensAtMs: Date.now() + 3600_000 });
    const [first, second] = [await prequeueFan(saleId), await prequeueFan(saleId)];
    // What the opening shuffle and the tick after it write and publish, back to back: the offer
    // reaches the edge while it is still reading the pre-queue's tickets.
    const k = queueKeys(saleId);
    const deadline = Date.now() + 30_000;
    await redis.multi()
      .del(k.prequeue)
      .zadd(k.waiting, 2, second.visitorId)
      .hset(k.visitors, first.visitorId, storedPlaceJson({ state: 'offer', ticket: 1, deadline }), second.visitorId, storedPlaceJson({ state: 'waiting', ticket: 2 }))
      .zadd(k.offers, deadline, first.visitorId)
      .publish(k.channel, JSON.stringify({ type: 'shuffled', seed: '00', count: 2 }))
      .publish(k.channel, JSON.stringify({ type: 'offers', offers: [{ visitor: first.visitorId, ticket: 1, deadline }] }))
      .exec();
    await first.fan.next('offer');
    await second.fan.next('queued');
    expect(queueMessages(first.fan)).toEqual(['queued:prequeue', 'queued:1', 'offer']);
    expect(queueMessages(second.fan)).toEqual(['queued:prequeue', 'queued:2']);

    // a second socket of the fan holding the offer: its ticket, then the offer
    const tab = await Fan.open(edge.wsUrl(saleId));
    expect(await tab.join((await edge.core.visitors.issue(first.visitorId)).token)).toMatchObject({ type: 'queued', state: 'waiting', ticket: 1 });
    expect(await tab.next('offer')).toMatchObject({ deadline });
    expect(queueMessages(tab)).toEqual(['queued:1', 'offer']);
    await Promise.all([first.fan.close(), second.fan.close(), tab.close()]);
  });

  it('holds at a real opening whose first ticks offer every pre-queue fan at once', async () => {
    const saleId = await createSale(redis, { opensAtMs: Date.now() + 1500, ratePerMin: 600_000, maxActive: 1000 });
    const fans = await Promise.all(Array.from({ length: 20 }, () => prequeueFan(saleId)));
    await Promise.all(fans.map(({ fan }) => fan.next('offer', 10_000)));
    for (const { fan } of fans) expect(queueMessages(fan)).toEqual(['queued:prequeue', expect.stringMatching(/^queued:\d+$/), 'offer']);
    await Promise.all(fans.map(({ fan }) => fan.close()));
  });

  it('tells pre-queue fans their ticket when the shuffle message was lost', async () => {
    const saleId = await createSale(redis, { opensAtMs: Date.now() + 3600_000 });
    const { fan, visitorId } = await prequeueFan(saleId);
    const k = queueKeys(saleId);
    // the shuffle's writes without its PUBLISH, as if the edge's subscriber was reconnecting
    await redis.multi().del(k.prequeue).zadd(k.waiting, 1, visitorId).hset(k.visitors, visitorId, storedPlaceJson({ state: 'waiting', ticket: 1 }))
      .hset(k.settings, 'shuffled', '1', 'prequeue_seed', 'ab').exec();
    expect(await fan.next('queued', OFFER_CATCH_UP_MS * 2 + 1000)).toMatchObject({ state: 'waiting', ticket: 1 });
    await fan.close();
  });
});
