/**
 * Redis stops under a running API (a private redis-server): a route that needs Redis answers 503
 * with a `dependency_down` problem, never a 500, and within about a second all through the outage
 * (not after the client's reconnect attempts have backed off to seconds); probes say live but not
 * ready; once Redis is back on its port, so is the route.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkoutWorld, type CheckoutWorld } from '../../test/support/checkout-harness.js';
import { startPrivateRedis, type PrivateRedis } from '../../test/support/private-redis.js';

const OUTAGE_MS = 4000;
const ANSWER_WITHIN_MS = 1500;
let redis: PrivateRedis;
let w: CheckoutWorld;
beforeAll(async () => {
  redis = await startPrivateRedis('api-redis-down');
  w = await checkoutWorld({ gateway: 'demo', env: { REDIS_URL: redis.url } });
}, 60_000);
afterAll(async () => {
  await w?.close();
  await redis?.close();
});

describe('the API while Redis is down', () => {
  it('answers 503 dependency_down within about a second all through the outage, and recovers', async () => {
    const hold = (pass: { token: string }) =>
      w.json('POST', `/v1/sales/${w.sale.saleId}/holds`, { token: pass.token, body: { kind: 'best', sectionId: w.sale.sectionIds['Block A'], quantity: 1 } });
    const pass = await w.admit();
    expect((await hold(await w.admit())).status).toBe(201);

    await redis.stop();
    const stoppedAt = Date.now();
    const answers: { status: number; code: unknown; type: string | null; ms: number }[] = [];
    // the whole first seconds of the outage: the client's reconnect backoff grows meanwhile
    while (Date.now() - stoppedAt < OUTAGE_MS) {
      const started = Date.now();
      const res = await hold(pass);
      answers.push({ status: res.status, code: res.body.code, type: res.headers.get('content-type'), ms: Date.now() - started });
    }
    expect(answers.length).toBeGreaterThan(2);
    for (const a of answers) expect(a).toMatchObject({ status: 503, code: 'dependency_down', type: 'application/problem+json' });
    expect(Math.max(...answers.map((a) => a.ms))).toBeLessThan(ANSWER_WITHIN_MS);
    expect((await w.app.request('/livez')).status).toBe(200);
    expect((await w.app.request('/readyz')).status).toBe(503);

    await redis.restart();
    const deadline = Date.now() + 20_000;
    let after = await hold(pass);
    while (after.status === 503 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      after = await hold(pass);
    }
    expect(after.status).toBe(201);
    expect((await w.app.request('/readyz')).status).toBe(200);
  }, 60_000);
});
