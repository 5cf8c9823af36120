/**
 * What live seat states cost Redis at the on-sale peak: 2,000 viewers each polling
 * GET /v1/sales/{sale}/seat-states once a second (with the ETag they last got) while seats are
 * held and released, counted by Redis itself (INFO commandstats on a private redis-server), minus
 * what the same holds and releases cost without any viewer. Logs the figure; asserts only that
 * it does not grow with the number of viewers (a bound per process and interval).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { Redis as IORedis } from 'ioredis';
import { checkoutWorld, type CheckoutWorld } from '../../test/support/checkout-harness.js';
import { startPrivateRedis, type PrivateRedis } from '../../test/support/private-redis.js';
import { SEAT_STATES_CACHE_MS } from './seat-map-routes.js';

const VIEWERS = 2_000;
const SECONDS = 4;
let priv: PrivateRedis;
let w: CheckoutWorld;
let admin: Redis;

beforeAll(async () => {
  priv = await startPrivateRedis('seat-states');
  w = await checkoutWorld({ gateway: 'demo', env: { REDIS_URL: priv.url }, sale: { rows: 400, seatsPerRow: 25, shardCount: 8 } });
  admin = new IORedis(priv.url);
}, 60_000);
afterAll(async () => {
  admin?.disconnect();
  await w?.close();
  await priv?.close();
});

async function commandCalls(): Promise<Record<string, number>> {
  const info = await admin.info('commandstats');
  const out: Record<string, number> = {};
  for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) out[m[1]!] = Number(m[2]);
  return out;
}
async function redisCpuMs(): Promise<number> {
  const info = await admin.info('cpu');
  const v = (k: string): number => Number(new RegExp(`^${k}:([0-9.]+)`, 'm').exec(info)?.[1] ?? 0);
  return (v('used_cpu_user') + v('used_cpu_sys')) * 1000;
}
const total = (c: Record<string, number>): number => Object.entries(c).filter(([k]) => k !== 'info' && k !== 'config|resetstat' && k !== 'config').reduce((a, [, v]) => a + v, 0);

/**
 * SECONDS of the on-sale: `viewers` polls spread over each second (VIEWERS × SECONDS requests in
 * all; when this shared machine cannot send them that fast the run takes longer, and the figure is
 * per second of the run), and a shopper holding and releasing one seat every 250 ms (the same 16
 * pairs in both runs, so their own Redis calls cancel out).
 */
async function run(viewers: number): Promise<{ calls: Record<string, number>; answers: Record<number, number>; seconds: number; cpuMs: number }> {
  const path = `/v1/sales/${w.sale.saleId}/seat-states`;
  const etags: (string | undefined)[] = Array.from({ length: viewers }, () => undefined);
  const answers: Record<number, number> = {};
  const fan = await w.admit();
  await new Promise((r) => setTimeout(r, SEAT_STATES_CACHE_MS + 50));
  await admin.config('RESETSTAT');
  const cpu0 = await redisCpuMs();
  const start = Date.now();
  const shopper = (async () => {
    for (let k = 0; k < SECONDS * 4; k++) {
      const h = await w.json('POST', `/v1/sales/${w.sale.saleId}/holds`, { token: fan.token, body: { kind: 'best', sectionId: w.sale.sectionIds['Block A'], quantity: 1 } });
      await w.json('DELETE', `/v1/holds/${h.body.holdId}`, { token: fan.token });
      await new Promise((r) => setTimeout(r, Math.max(0, start + (k + 1) * 250 - Date.now())));
    }
  })();
  const tick = 20; // ms: each second's viewers in 50 slots
  const perSlot = Math.ceil(viewers / (1000 / tick));
  const slots = viewers === 0 ? 0 : SECONDS * (1000 / tick);
  for (let slot = 0; slot < slots; slot++) {
    const batch = Array.from({ length: perSlot }, (_, j) => (slot * perSlot + j) % viewers);
    await Promise.all(batch.map(async (v) => {
      const res = await w.app.request(path, { headers: etags[v] ? { 'if-none-match': etags[v]! } : {} });
      answers[res.status] = (answers[res.status] ?? 0) + 1;
      if (res.status === 200) etags[v] = res.headers.get('etag') ?? undefined;
      await res.arrayBuffer();
    }));
    await new Promise((r) => setTimeout(r, Math.max(0, start + (slot + 1) * tick - Date.now())));
  }
  await shopper;
  const seconds = Math.max(SECONDS, (Date.now() - start) / 1000);
  return { calls: await commandCalls(), answers, seconds, cpuMs: (await redisCpuMs()) - cpu0 };
}

describe('seat states at the peak', () => {
  it(`${VIEWERS} viewers polling every second cost Redis a bounded number of calls per second`, async () => {
    const alone = await run(0);
    const busy = await run(VIEWERS);
    const requests = Object.values(busy.answers).reduce((a, b) => a + b, 0);
    const viewerCalls = total(busy.calls) - total(alone.calls);
    const perSecond = viewerCalls / busy.seconds;
    const byCommand = Object.fromEntries(Object.keys(busy.calls).map((k) => [k, Number(((busy.calls[k]! - (alone.calls[k] ?? 0)) / busy.seconds).toFixed(1))]).filter(([, v]) => (v as number) > 0));
    console.log(`seat states: ${VIEWERS} viewers polling every second: ${requests} requests in ${busy.seconds.toFixed(1)} s (${Math.round(requests / busy.seconds)}/s; ${busy.answers[200] ?? 0} × 200, ${busy.answers[304] ?? 0} × 304; 10,000 seats on 8 shards, seats changing every 250 ms) cost Redis ${perSecond.toFixed(1)} calls/s and ${((busy.cpuMs - alone.cpuMs) / busy.seconds).toFixed(1)} ms of CPU per second beyond the holds themselves (${(viewerCalls / requests * 1000).toFixed(1)} per 1,000 requests), by command: ${JSON.stringify(byCommand)}`);
    expect(requests).toBe(VIEWERS * SECONDS);
    // one read per SEAT_STATES_CACHE_MS: 8 version HGETs + the changed shards' HGETALLs + the layout GET now and then
    const bound = (1000 / SEAT_STATES_CACHE_MS + 1) * (8 + 8 + 1);
    expect(perSecond).toBeLessThan(bound);
  }, 60_000);
});
