import { describe, it, expect } from 'vitest';
import { spawn } from 'node:child_process';
import { newRedis, freshDatabase } from '../test/support/databases.js';
import { freePort } from '../scripts/services.js';
import { queueKeys } from '../admission/queue-keys.js';
import { testEnv, createSale, Fan, eventually } from '../test/support/edge-test-harness.js';

describe('EDGE_PROCESSES', () => {
  it('runs that many edge processes on one port, all serving one queue, and drains them on SIGTERM', async () => {
    const redis = newRedis();
    const db = await freshDatabase();
    const [port, metricsPort] = [await freePort(), await freePort()];
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts', 'edge'], {
      env: { ...process.env, ...testEnv({ EDGE_PORT: String(port), EDGE_METRICS_PORT: String(metricsPort), EDGE_PROCESSES: '3', DATABASE_URL: db.url }) },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    try {
      const saleId = await createSale(redis);
      await redis.hset(queueKeys(saleId).settings, 'paused', '1');
      await eventually(async () => (await fetch(`http://127.0.0.1:${port}/livez`).catch(() => null))?.ok, 30_000);
      const fans: Fan[] = [];
      // The kernel spreads connections over the processes; keep connecting until all three tick the sale.
      const seen = async (): Promise<number> => Object.keys(await redis.hgetall(queueKeys(saleId).stats)).filter((f) => f.startsWith('seen:')).length;
      await eventually(async () => {
        const fan = await Fan.open(`ws://127.0.0.1:${port}/v1/sales/${saleId}/ws`);
        const token = (await (await fetch(`http://127.0.0.1:${port}/v1/visitors`, { method: 'POST' })).json()) as { token: string };
        await fan.join(token.token);
        fans.push(fan);
        return (await seen()) === 3;
      }, 20_000);
      const tickets = await redis.zrange(queueKeys(saleId).waiting, 0, -1, 'WITHSCORES');
      expect(tickets.filter((_, i) => i % 2 === 1)).toEqual(fans.map((_, i) => String(i + 1))); // one queue, one counter
      // the supervisor's metrics port counts the fans of all three; the public port serves none
      expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(404);
      for (let i = 0; i < 6; i++) {
        const scrape = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`, { headers: { connection: 'close' } })).text();
        expect(Number(/^usher_edge_connected_fans (\d+)$/m.exec(scrape)?.[1]), `scrape ${i}`).toBe(fans.length);
      }
      const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exit).toBe(0);
      await Promise.all(fans.map((f) => eventually(() => f.closed)));
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      redis.disconnect();
      await db.drop();
    }
  }, 60_000);
});
