import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { generatePassJwks, passSigningKeys } from '../../admission/admission-pass.js';
import { leaseIsActive } from '../../admission/pass-lease.js';
import { queueKeys } from '../../admission/queue-keys.js';
import { createSeatInventory } from '../../inventory/index.js';
import { checkoutWorld, type CheckoutWorld } from '../../test/support/checkout-harness.js';

let w: CheckoutWorld;
beforeAll(async () => {
  w = await checkoutWorld({ gateway: 'demo' });
});
afterAll(() => w.close());

const blockA = () => w.sale.sectionIds['Block A']!;
// read uncached: the API's availability is deliberately up to a second old
const free = async () => {
  const a = await createSeatInventory({ redis: w.ctx.redis, pg: w.ctx.pg, availabilityCacheMs: 0 }).availability(w.sale.saleId);
  return a.sections.reduce((s, x) => s + x.free, 0);
};
const holdBody = () => ({ kind: 'best', sectionId: blockA(), quantity: 2 });
const holdsOf = async (jti: string) => (await w.deps.inventory.getHold(`${w.sale.saleId}.0.${jti}`)) ?? (await w.deps.inventory.getHold(`${w.sale.saleId}.1.${jti}`));

describe('POST /v1/sales/:sale/holds', () => {
  it('holds seats for an admitted fan and answers the hold', async () => {
    const fan = await w.admit();
    const r = await w.json('POST', `/v1/sales/${w.sale.saleId}/holds`, { token: fan.token, body: holdBody() });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ saleId: w.sale.saleId, state: 'HELD', amountMinor: 24000, currency: 'EUR' });
    expect(r.body.items).toHaveLength(2);
    expect(r.body.secondsLeft).toBeGreaterThan(0);
  });

  it('makes one hold of the same request sent 20 times at once (with and without Idempotency-Key)', async () => {
    for (const withKey of [true, false]) {
      const fan = await w.admit();
      const before = await free();
      const answers = await Promise.all(
        Array.from({ length: 20 }, () => w.json('POST', `/v1/sales/${w.sale.saleId}/holds`, { token: fan.token, body: holdBody(), headers: withKey ? { 'idempotency-key': 'k-1' } : {} })),
      );
      expect(answers.map((a) => a.status)).toEqual(Array(20).fill(201));
      expect(new Set(answers.map((a) => a.body.holdId)).size).toBe(1);
      expect(before - (await free())).toBe(2);
    }
  });

  it('replays the answer for a repeated Idempotency-Key and refuses the key with another body (422)', async () => {
    const fan = await w.admit();
    const first = await w.json('POST', `/v1/sales/${w.sale.saleId}/holds`, { token: fan.token, body: holdBody(), headers: { 'idempotency-key': 'same' } });
    const again = await w.json('POST', `/v1/sales/${w.sale.saleId}/holds`, { token: fan.token, body: holdBody(), headers: { 'idempotency-key': 'same' } });
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const other = await w.json('POST', `/v1/sales/${w.sale.saleId}/holds`, { token: fan.token, body: { ...holdBody(), quantity: 1 }, headers: { 'idempotency-key': 'same' } });
    expect(other.status).toBe(422);
    expect(other.body.code).toBe('idempotency_key_reused');
  });

  it('refuses forged, expired, revoked and wrong-sale passes, and holds nothing', async () => {
    const before = await free();
    const otherKey = await passSigningKeys(JSON.stringify(await generatePassJwks()));
    const forged = (await otherKey.sign({ saleId: w.sale.saleId, visitorId: 'v', ttlS: 600 })).token;
    const expired = await w.admit({ ttlS: -60 });
    const revoked = await w.admit({ leaseMs: -1 });
    const otherSale = await w.admit({ saleId: '00000000-0000-4000-8000-000000000000' });
    const cases: [string | undefined, number, string][] = [
      [undefined, 401, 'pass_missing'], ['not-a-jwt', 401, 'pass_malformed'], [forged, 401, 'pass_bad_signature'],
      [expired.token, 401, 'pass_expired'], [revoked.token, 401, 'pass_revoked'], [otherSale.token, 403, 'pass_wrong_sale'],
    ];
    for (const [token, status, code] of cases) {
      const r = await w.json('POST', `/v1/sales/${w.sale.saleId}/holds`, { token, body: holdBody() });
      expect([r.status, r.body.code], code).toEqual([status, code]);
      expect(r.headers.get('content-type')).toBe('application/problem+json');
    }
    expect(await free()).toBe(before);
    expect(await holdsOf(revoked.jti)).toBeNull();
  });

  it('validates path, body and size with precise problems', async () => {
    const fan = await w.admit();
    const post = (path: string, body: unknown, headers?: Record<string, string>) => w.json('POST', path, { token: fan.token, body, headers });
    expect((await post('/v1/sales/not-a-uuid/holds', holdBody())).status).toBe(400);
    expect((await post(`/v1/sales/${w.sale.saleId}/holds`, '{"kind":')).body.code).toBe('malformed_json');
    const invalid = await post(`/v1/sales/${w.sale.saleId}/holds`, { kind: 'best', quantity: 0, sectionId: blockA() });
    expect([invalid.status, invalid.body.code]).toEqual([422, 'validation_failed']);
    expect(invalid.body.errors[0].path).toBe('quantity');
    expect((await post(`/v1/sales/${w.sale.saleId}/holds`, { kind: 'best', quantity: 1 })).status).toBe(422);
    expect((await post(`/v1/sales/${w.sale.saleId}/holds`, holdBody(), { 'content-type': 'text/plain' })).status).toBe(415);
    const huge = await post(`/v1/sales/${w.sale.saleId}/holds`, { kind: 'seats', seatIds: [1], pad: 'x'.repeat(70_000) });
    expect([huge.status, huge.body.code]).toEqual([413, 'body_too_large']);
    const tooMany = await post(`/v1/sales/${w.sale.saleId}/holds`, { kind: 'best', sectionId: blockA(), quantity: 7 });
    expect([tooMany.status, tooMany.body.code]).toEqual([422, 'over_limit']);
  });
});

describe('GET and DELETE /v1/holds/:id', () => {
  it('shows the hold to its pass only; releasing returns the seats and keeps the turn', async () => {
    const fan = await w.admit();
    const stranger = await w.admit();
    const held = await w.json('POST', `/v1/sales/${w.sale.saleId}/holds`, { token: fan.token, body: holdBody() });
    const id = encodeURIComponent(held.body.holdId);
    expect((await w.json('GET', `/v1/holds/${id}`, { token: fan.token })).body.state).toBe('HELD');
    expect((await w.json('GET', `/v1/holds/${id}`, { token: stranger.token })).status).toBe(403);
    expect((await w.json('DELETE', `/v1/holds/${id}`, { token: stranger.token })).status).toBe(403);
    const before = await free();
    // never checked out: no fixed price to read back from Postgres (hold_prices), the HELD view's price stands
    const forHold = vi.spyOn(w.deps.pricing, 'forHold');
    const released = await w.json('DELETE', `/v1/holds/${id}`, { token: fan.token });
    expect(forHold).not.toHaveBeenCalled();
    forHold.mockRestore();
    expect(released.status).toBe(200);
    expect(released.body.state).toBe('RELEASED');
    expect(released.body.breakdown).toEqual(held.body.breakdown);
    expect((await free()) - before).toBe(2);
    // the fan only wanted another section: the pass is still in its shopping window
    expect(await leaseIsActive(w.ctx.redis, w.sale.saleId, fan.jti)).toBe(true);
    expect((await w.json('GET', '/v1/holds/nope.0.abcdefgh', { token: fan.token })).status).toBe(404);
  });

  it('holds again after a release, one live hold at a time even with concurrent requests, and commits it', async () => {
    const fan = await w.admit();
    const first = await w.json('POST', `/v1/sales/${w.sale.saleId}/holds`, { token: fan.token, body: holdBody() });
    expect(first.status).toBe(201);
    expect((await w.json('DELETE', `/v1/holds/${encodeURIComponent(first.body.holdId)}`, { token: fan.token })).body.state).toBe('RELEASED');
    // a repeated DELETE changes nothing (the next hold is still the second one)
    expect((await w.json('DELETE', `/v1/holds/${encodeURIComponent(first.body.holdId)}`, { token: fan.token })).status).toBe(200);
    const again = await Promise.all(Array.from({ length: 10 }, () => w.json('POST', `/v1/sales/${w.sale.saleId}/holds`, { token: fan.token, body: holdBody() })));
    expect(again.map((r) => r.status)).toEqual(Array(10).fill(201));
    const ids = new Set(again.map((r) => r.body.holdId));
    expect(ids.size).toBe(1);
    const second = again[0]!.body;
    expect(second.holdId).not.toBe(first.body.holdId);
    expect(second.state).toBe('HELD');
    // the second hold is the pass's: readable, payable, and a stranger still cannot touch it
    expect((await w.json('GET', `/v1/holds/${encodeURIComponent(second.holdId)}`, { token: fan.token })).body.state).toBe('HELD');
    const stranger = await w.admit();
    expect((await w.json('GET', `/v1/holds/${encodeURIComponent(second.holdId)}`, { token: stranger.token })).status).toBe(403);
    const checkout = await w.json('POST', `/v1/holds/${encodeURIComponent(second.holdId)}/checkout`, { token: fan.token, body: { email: 'again@example.com' } });
    expect(checkout.status, JSON.stringify(checkout.body)).toBe(200);
  });

  it('limits requests per pass (429 with Retry-After)', async () => {
    const fan = await w.admit();
    await w.ctx.redis.zadd(queueKeys(w.sale.saleId).active, Date.now() + 60_000, fan.jti);
    let last;
    for (let i = 0; i < 125; i++) last = await w.json('GET', `/v1/holds/${w.sale.saleId}.0.${fan.jti}`, { token: fan.token });
    expect(last!.status).toBe(429);
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('API surface', () => {
  it('serves availability from the inventory', async () => {
    const r = await w.json('GET', `/v1/sales/${w.sale.saleId}/availability`);
    expect(r.status).toBe(200);
    expect(r.body.sections.map((s: { name: string }) => s.name)).toContain('Block A');
  });

  it('serves an OpenAPI document generated from the route schemas', async () => {
    const r = await w.json('GET', '/openapi.json');
    expect(r.status).toBe(200);
    expect(Object.keys(r.body.paths)).toEqual(expect.arrayContaining(['/v1/sales/{sale}/holds', '/v1/holds/{id}/checkout', '/v1/webhooks/stripe', '/v1/orders/{id}/cancel']));
    expect(r.body.paths['/v1/sales/{sale}/holds'].post.requestBody.content['application/json'].schema).toBeTruthy();
  });
});
