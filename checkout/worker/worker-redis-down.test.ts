/**
 * Redis stops under a running worker role (a private redis-server): its /readyz says not ready
 * (503, redis false) while /livez stays 200, so Kubernetes takes it out of rotation without
 * restarting it; once Redis is back on its port the worker is ready again by itself. A worker told
 * to stop during an outage (a pod rolled meanwhile) stops promptly instead of waiting on Redis.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningRole } from '../../common/role.js';
import { freePort } from '../../scripts/services.js';
import { checkoutWorld, type CheckoutWorld } from '../../test/support/checkout-harness.js';
import { startPrivateRedis, type PrivateRedis } from '../../test/support/private-redis.js';
import { startWorkerRole } from './worker-role.js';

let redis: PrivateRedis;
let w: CheckoutWorld;
let worker: RunningRole | undefined;
let probes: string;
beforeAll(async () => {
  redis = await startPrivateRedis('worker-redis-down');
  const port = await freePort();
  w = await checkoutWorld({ gateway: 'demo', env: { REDIS_URL: redis.url, WORKER_PORT: String(port), HOST: '127.0.0.1' } });
  worker = await startWorkerRole(w.deps);
  probes = `http://127.0.0.1:${port}`;
}, 60_000);
afterAll(async () => {
  await worker?.stop();
  await w?.close();
  await redis?.close();
});

async function readiness(): Promise<{ status: number; body: { ok: boolean; checks: Record<string, boolean> } }> {
  const res = await fetch(`${probes}/readyz`);
  return { status: res.status, body: (await res.json()) as { ok: boolean; checks: Record<string, boolean> } };
}

async function readinessBecomes(status: number): Promise<{ status: number; body: { ok: boolean; checks: Record<string, boolean> } }> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const r = await readiness();
    if (r.status === status || Date.now() > deadline) return r;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('the worker while Redis is down', () => {
  it('reports not ready with 503 while Redis is down, stays live, and is ready again once Redis is back', async () => {
    expect(await readinessBecomes(200)).toMatchObject({ status: 200, body: { ok: true, checks: { redis: true, postgres: true } } });

    await redis.stop();
    expect(await readinessBecomes(503)).toMatchObject({ status: 503, body: { ok: false, checks: { redis: false, postgres: true } } });
    expect((await fetch(`${probes}/livez`)).status).toBe(200);
    expect((await fetch(`${probes}/metrics`)).status).toBe(200);
    const unknown = await fetch(`${probes}/nope`);
    expect([unknown.status, ((await unknown.json()) as { code: string }).code]).toEqual([404, 'not_found']);

    await redis.restart();
    expect(await readinessBecomes(200)).toMatchObject({ status: 200, body: { ok: true, checks: { redis: true } } });
  }, 60_000);

  it('stops promptly when told to during an outage', async () => {
    await redis.stop();
    expect(await readinessBecomes(503)).toMatchObject({ status: 503 });
    const started = Date.now();
    const stopping = worker!.stop().then(() => Date.now() - started);
    worker = undefined;
    expect(await Promise.race([stopping, new Promise((r) => setTimeout(r, 10_000, 'still stopping after 10 s'))])).toBeLessThan(5000);
    await redis.restart();
  }, 60_000);
});
