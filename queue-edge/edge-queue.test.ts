import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Redis } from 'ioredis';
import type { JWK } from 'jose';
import { newRedis } from '../test/support/databases.js';
import { passVerifier } from '../admission/admission-pass.js';
import { leaseIsActive } from '../admission/pass-lease.js';
import { queueKeys } from '../admission/queue-keys.js';
import { startTestEdge, createSale, newVisitor, Fan, eventually, sleep, type TestEdge } from '../test/support/edge-test-harness.js';
import { OFFER_CATCH_UP_MS } from './edge-events.js';
import { storedPlaceJson } from '../admission/visitor-place.js';

let redis: Redis;
let edge: TestEdge;

beforeAll(async () => {
  redis = newRedis();
  edge = await startTestEdge({ QUEUE_OFFER_TTL_S: '1', QUEUE_RECONNECT_GRACE_S: '1', PASS_TTL_S: '120' });
});
afterAll(async () => {
  await edge.close();
  redis.disconnect();
});

async function snapshot(saleId: string): Promise<unknown> {
  const k = queueKeys(saleId);
  return Promise.all([redis.zrange(k.waiting, 0, -1, 'WITHSCORES'), redis.hgetall(k.visitors), redis.get(k.seq), redis.zrange(k.offers, 0, -1)]);
}

describe('the queue over WebSocket', () => {
  it('joins, streams positions, admits with an offer, and turns the taken offer into a verifiable pass and lease', async () => {
    const saleId = await createSale(redis, { ratePerMin: 1, maxActive: 10 });
    const v = await newVisitor(edge.url);
    const fan = await Fan.open(edge.wsUrl(saleId));
    const queued = await fan.join(v.token);
    expect(queued).toMatchObject({ type: 'queued', state: 'waiting', ticket: 1, rank: 0 });
    const position = await fan.next('position');
    expect(position).toMatchObject({ state: 'open', waiting: expect.any(Number), ratePerMin: 1 });
    // A bucket starts empty: raise the rate so the first token arrives quickly.
    await redis.hset(queueKeys(saleId).settings, 'rate_per_min', '600');
    const offer = await fan.next('offer', 3000);
    expect(offer.deadline).toBeGreaterThan(Date.now() - 1000);
    fan.send({ v: 1, type: 'take' });
    const admitted = await fan.next('admitted');
    const pass = String(admitted.pass);
    expect(admitted.checkoutUrl).toBe(`http://127.0.0.1:1/checkout/${saleId}#pass=${encodeURIComponent(pass)}`);
    const jwks = (await (await fetch(`${edge.url}/.well-known/jwks.json`)).json()) as { keys: JWK[] };
    const claims = await passVerifier({ jwks }).verify(pass, saleId);
    expect(claims.visitorId).toBe(v.visitorId);
    expect(await leaseIsActive(redis, saleId, claims.jti)).toBe(true);
    await expect(passVerifier({ jwks }).verify(pass, 'another-sale')).rejects.toMatchObject({ reason: 'wrong_sale' });
    expect(await redis.hget(queueKeys(saleId).stats, 'admitted')).toBe('1');
    await fan.close();
  });

  it('gives a second tab and a reconnect within the grace the same place; after the grace the place is gone', async () => {
    const saleId = await createSale(redis, { ratePerMin: 1, maxActive: 0 + 1 });
    await redis.hset(queueKeys(saleId).settings, 'paused', '1');
    const first = await newVisitor(edge.url);
    const me = await newVisitor(edge.url);
    const a = await Fan.open(edge.wsUrl(saleId));
    await a.join(first.token);
    const tab1 = await Fan.open(edge.wsUrl(saleId));
    const mine = await tab1.join(me.token);
    const tab2 = await Fan.open(edge.wsUrl(saleId));
    expect(await tab2.join(me.token)).toMatchObject({ ticket: mine.ticket, rank: 1 });
    await tab1.close();
    await tab2.close();
    await sleep(300);
    const back = await Fan.open(edge.wsUrl(saleId));
    expect(await back.join(me.token)).toMatchObject({ state: 'waiting', ticket: mine.ticket, rank: 1 });
    await back.close();
    await eventually(async () => (await redis.zscore(queueKeys(saleId).waiting, me.visitorId)) === null, 4000);
    const late = await Fan.open(edge.wsUrl(saleId));
    const again = await late.join(me.token);
    expect(again.ticket).toBeGreaterThan(Number(mine.ticket)); // back of the line
    await Promise.all([a.close(), late.close()]);
  });

  it('tells a fan of an offer whose pub/sub message was lost (read back from the offers set), once', async () => {
    const saleId = await createSale(redis, { ratePerMin: 1, maxActive: 10 });
    await redis.hset(queueKeys(saleId).settings, 'paused', '1');
    const v = await newVisitor(edge.url);
    const fan = await Fan.open(edge.wsUrl(saleId));
    const queued = await fan.join(v.token);
    // what admit-14.lua writes for an offer, without the PUBLISH: as if the edge's subscriber was reconnecting
    const k = queueKeys(saleId);
    const deadline = Date.now() + 30_000;
    await redis.multi().zrem(k.waiting, v.visitorId).zadd(k.offers, deadline, v.visitorId)
      .hset(k.visitors, v.visitorId, storedPlaceJson({ state: 'offer', ticket: Number(queued.ticket), deadline })).exec();
    const offer = await fan.next('offer', OFFER_CATCH_UP_MS * 2 + 1000);
    expect(offer.deadline).toBe(deadline);
    await sleep(OFFER_CATCH_UP_MS + 500);
    expect(fan.messages.filter((m) => m.type === 'offer')).toHaveLength(1);
    fan.send({ v: 1, type: 'take' });
    expect(await fan.next('admitted')).toMatchObject({ type: 'admitted', pass: expect.any(String) });
    await fan.close();
  });

  it('passes an untaken offer on: it lapses after its TTL and the next fan is offered the slot', async () => {
    const saleId = await createSale(redis, { ratePerMin: 6000, maxActive: 1 });
    const [x, y] = [await newVisitor(edge.url), await newVisitor(edge.url)];
    const fx = await Fan.open(edge.wsUrl(saleId));
    await fx.join(x.token);
    const fy = await Fan.open(edge.wsUrl(saleId));
    await fy.join(y.token);
    await fx.next('offer', 3000);
    await sleep(300);
    expect(fy.messages.some((m) => m.type === 'offer')).toBe(false); // one shopper at a time
    await fy.next('offer', 4000); // x never took it
    expect(await redis.hget(queueKeys(saleId).stats, 'offers_expired')).toBe('1');
    fx.send({ v: 1, type: 'take' });
    expect(await fx.next('error')).toMatchObject({ code: 'no_offer' });
    await Promise.all([fx.close(), fy.close()]);
  });

  it('refuses forged and expired visitor tokens and writes nothing', async () => {
    const saleId = await createSale(redis);
    const v = await newVisitor(edge.url);
    const [h, p] = v.token.split('.');
    const forged = `${h}.${p}.${'A'.repeat(43)}`;
    const expired = (await edge.core.visitors.issue(undefined, -10)).token;
    for (const [token, code] of [[forged, 'visitor_token_invalid'], [expired, 'visitor_token_expired']] as const) {
      const fan = await Fan.open(edge.wsUrl(saleId));
      expect(await fan.join(token)).toMatchObject({ type: 'error', code });
      await eventually(() => fan.closed);
    }
    expect(await redis.exists(queueKeys(saleId).visitors, queueKeys(saleId).seq)).toBe(0);
  });

  it('answers malformed and oversized messages with errors and changes nothing', async () => {
    const saleId = await createSale(redis);
    const v = await newVisitor(edge.url);
    const fan = await Fan.open(edge.wsUrl(saleId));
    await fan.join(v.token);
    const before = await snapshot(saleId);
    fan.send('not json');
    expect(await fan.next('error')).toMatchObject({ code: 'bad_json' });
    fan.send({ v: 2, type: 'join', token: v.token });
    expect(await fan.next('error')).toMatchObject({ code: 'bad_message' });
    fan.send({ v: 1, type: 'join', token: v.token, extra: 1 });
    expect(await fan.next('error')).toMatchObject({ code: 'bad_message' });
    fan.send({ v: 1, type: 'join', token: v.token });
    expect(await fan.next('error')).toMatchObject({ code: 'already_joined' });
    expect(await snapshot(saleId)).toEqual(before);
    fan.send({ v: 1, type: 'join', token: 'x'.repeat(5000) }); // over EDGE_MAX_PAYLOAD_BYTES: uWS closes the socket
    await eventually(() => fan.closed);
    expect([1006, 1009]).toContain(fan.closed?.code);
    await sleep(100);
    const k = queueKeys(saleId);
    expect(await redis.zcard(k.waiting)).toBe(1);
  });

  it('refuses an unknown sale at the upgrade', async () => {
    await expect(Fan.open(edge.wsUrl('no-such-sale'))).rejects.toThrow(/404/);
    await expect(Fan.open(edge.wsUrl('bad%20id'))).rejects.toThrow(/400/);
  });
});
