/**
 * /metrics of EDGE_PROCESSES=3 (their supervisor's EDGE_METRICS_PORT) counts each sale once: the
 * sale-wide figures (queue, pre-queue, admitted, lapsed offers, active shoppers) equal the sale's
 * real counts in Redis, while each process's own fans are still summed.
 */
import { describe, it, expect } from 'vitest';
import { spawn } from 'node:child_process';
import { newRedis, freshDatabase } from '../test/support/databases.js';
import { freePort } from '../scripts/services.js';
import { queueKeys } from '../admission/queue-keys.js';
import { testEnv, createSale, Fan, eventually } from '../test/support/edge-test-harness.js';
import { storedPlaceJson } from '../admission/visitor-place.js';

const saleFigures = ['usher_queue_length', 'usher_prequeue_length', 'usher_queue_admitted_total', 'usher_queue_offers_expired_total', 'usher_queue_active_shoppers'] as const;
type Figures = Record<(typeof saleFigures)[number] | 'usher_edge_connected_fans', number | undefined>;

function figuresOf(scrape: string, saleId: string): Figures {
  const value = (line: RegExp): number | undefined => {
    const m = line.exec(scrape);
    return m ? Number(m[1]) : undefined;
  };
  const out = { usher_edge_connected_fans: value(/^usher_edge_connected_fans (\S+)$/m) } as Figures;
  for (const name of saleFigures) out[name] = value(new RegExp(`^${name}\\{sale="${saleId}"\\} (\\S+)$`, 'm'));
  return out;
}

describe('EDGE_PROCESSES metrics', () => {
  it('report sale-wide figures once, as Redis counts them, and sum the fans of every process', async () => {
    const redis = newRedis();
    const db = await freshDatabase();
    const [port, metricsPort] = [await freePort(), await freePort()];
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts', 'edge'], {
      env: { ...process.env, ...testEnv({ EDGE_PORT: String(port), EDGE_METRICS_PORT: String(metricsPort), EDGE_PROCESSES: '3', DATABASE_URL: db.url, QUEUE_OFFER_TTL_S: '1' }) },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const fans: Fan[] = [];
    try {
      const saleId = await createSale(redis, { ratePerMin: 600, maxActive: 6 });
      const k = queueKeys(saleId);
      await redis.hset(k.settings, 'paused', '1');
      await eventually(async () => (await fetch(`http://127.0.0.1:${port}/livez`).catch(() => null))?.ok, 30_000);
      // The kernel spreads connections over the processes: connect until all three tick the sale.
      const ticking = async (): Promise<number> => Object.keys(await redis.hgetall(k.stats)).filter((f) => f.startsWith('seen:')).length;
      await eventually(async () => {
        const fan = await Fan.open(`ws://127.0.0.1:${port}/v1/sales/${saleId}/ws`);
        const { token } = (await (await fetch(`http://127.0.0.1:${port}/v1/visitors`, { method: 'POST' })).json()) as { token: string };
        await fan.join(token);
        fans.push(fan);
        return (await ticking()) === 3;
      }, 20_000);

      // A queue behind the fans, two shoppers with a live pass, a pre-queue: every figure non-zero.
      const seeded = redis.multi();
      for (let t = fans.length + 1; t <= fans.length + 30; t++) seeded.zadd(k.waiting, t, `ghost-${t}`).hset(k.visitors, `ghost-${t}`, storedPlaceJson({ state: 'waiting', ticket: t }));
      seeded.set(k.seq, fans.length + 30).zadd(k.active, Date.now() + 600_000, 'jti-a', Date.now() + 600_000, 'jti-b');
      for (let i = 0; i < 4; i++) seeded.zadd(k.prequeue, Date.now(), `early-${i}`);
      // in an open sale arrivals wait unqueued only for a random-mode draw: one that never comes here
      seeded.hset(k.settings, 'mode', 'random', 'draw_window_ms', String(1e12));
      await seeded.exec();
      // Run: four offers at a time (6 shoppers at most, 2 active), none taken, each lapsing after 1 s.
      await redis.hset(k.settings, 'paused', '0');
      await eventually(async () => Number(await redis.hget(k.stats, 'offers_expired')) >= 8, 20_000);
      await redis.hset(k.settings, 'paused', '1');
      await eventually(async () => (await redis.zcard(k.offers)) === 0, 10_000);

      const stats = await redis.hgetall(k.stats);
      const real = {
        usher_queue_length: await redis.zcard(k.waiting),
        usher_prequeue_length: await redis.zcard(k.prequeue),
        usher_queue_admitted_total: Number(stats.admitted),
        usher_queue_offers_expired_total: Number(stats.offers_expired),
        usher_queue_active_shoppers: await redis.zcard(k.active),
        usher_edge_connected_fans: fans.length,
      };
      expect(real).toMatchObject({ usher_prequeue_length: 4, usher_queue_active_shoppers: 2 });
      expect(real.usher_queue_offers_expired_total).toBe(real.usher_queue_admitted_total);
      const scrape = async (): Promise<Figures> => figuresOf(await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`, { headers: { connection: 'close' } })).text(), saleId);
      // each process copies the paused sale's counters at its next tick
      await eventually(async () => JSON.stringify(await scrape()) === JSON.stringify(real), 10_000).catch(async () => {
        expect(await scrape()).toEqual(real);
      });
      for (let i = 0; i < 6; i++) expect(await scrape(), `scrape ${i}`).toEqual(real);
    } finally {
      await Promise.all(fans.map((f) => f.close()));
      const exit = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exit;
      redis.disconnect();
      await db.drop();
    }
  }, 90_000);
});
