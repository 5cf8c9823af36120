import { describe, it, expect } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import { freePort } from './services.js';
import { freshDatabase, redisUrl } from '../test/support/databases.js';

async function status(url: string): Promise<number> {
  try {
    return (await fetch(url)).status;
  } catch {
    return 0;
  }
}

async function eventually(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('the all-in-one process', () => {
  it('serves probes on every role, metrics only on the internal ports, and drains on SIGTERM with exit 0', async () => {
    const db = await freshDatabase();
    const [api, edge, worker, apiMetrics, edgeMetrics] = [await freePort(), await freePort(), await freePort(), await freePort(), await freePort()];
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts', 'all'], {
      env: {
        ...process.env,
        REDIS_URL: redisUrl(),
        DATABASE_URL: db.url,
        HOST: '127.0.0.1',
        API_PORT: String(api),
        EDGE_PORT: String(edge),
        WORKER_PORT: String(worker),
        API_METRICS_PORT: String(apiMetrics),
        EDGE_METRICS_PORT: String(edgeMetrics),
        PUBLIC_EDGE_URL: `http://127.0.0.1:${edge}`,
        PUBLIC_API_URL: `http://127.0.0.1:${api}`,
        LOG_LEVEL: 'warn',
        SHUTDOWN_GRACE_MS: '8000',
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const urls = [api, edge, worker].map((p) => `http://127.0.0.1:${p}`);
      await eventually(async () => (await Promise.all(urls.map((u) => status(`${u}/readyz`)))).every((s) => s === 200), 60_000);
      for (const u of urls) expect(await status(`${u}/livez`)).toBe(200);
      // the public ports (what the HTTPRoutes reach) serve no metrics
      for (const p of [api, edge]) expect(await status(`http://127.0.0.1:${p}/metrics`), `public port ${p}`).toBe(404);
      for (const p of [apiMetrics, edgeMetrics, worker]) {
        const metrics = await fetch(`http://127.0.0.1:${p}/metrics`);
        expect(metrics.status, `metrics port ${p}`).toBe(200);
        expect(metrics.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
        expect(await metrics.text()).toMatch(/^# TYPE process_cpu_seconds_total counter$/m);
      }
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(await status(`${urls[0]}/livez`)).toBe(0);
    } finally {
      child.kill('SIGKILL');
      await db.drop();
    }
  });

  it('runs API_PROCESSES api processes on one port, and stops them all on SIGTERM', async () => {
    const db = await freshDatabase();
    const [api, apiMetrics] = [await freePort(), await freePort()];
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts', 'api'], {
      env: { ...process.env, REDIS_URL: redisUrl(), DATABASE_URL: db.url, HOST: '127.0.0.1', API_PORT: String(api), API_METRICS_PORT: String(apiMetrics), API_PROCESSES: '2', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const children = (): number[] => {
      try {
        // only the forked API processes (tsx may also run an esbuild service child)
        return execFileSync('pgrep', ['-P', String(child.pid), '-f', 'scripts/start.ts'], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map(Number);
      } catch {
        return [];
      }
    };
    try {
      await eventually(async () => (await status(`http://127.0.0.1:${api}/readyz`)) === 200, 60_000);
      const pids = children();
      expect(pids).toHaveLength(2);
      // every request is answered, whichever process takes the connection
      const answers = await Promise.all(Array.from({ length: 20 }, () => status(`http://127.0.0.1:${api}/livez`)));
      expect(answers.every((s) => s === 200)).toBe(true);
      // the parent answers the scrapes for both: 20 API requests on fresh connections (so both
      // processes take some), then every scrape sums to 20
      for (let i = 0; i < 20; i++) await (await fetch(`http://127.0.0.1:${api}/v1/no-such-route`, { headers: { connection: 'close' } })).text();
      for (let i = 0; i < 4; i++) {
        const scrape = await (await fetch(`http://127.0.0.1:${apiMetrics}/metrics`, { headers: { connection: 'close' } })).text();
        const counted = [...scrape.matchAll(/^usher_http_requests_total\{[^}]*\} (\d+)$/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
        expect(counted, `scrape ${i}`).toBe(20);
      }
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      const gone = (pid: number): boolean => {
        try {
          process.kill(pid, 0);
          return false;
        } catch {
          return true;
        }
      };
      await eventually(async () => pids.every(gone), 5_000);
    } finally {
      child.kill('SIGKILL');
      await db.drop();
    }
  });

  it('refuses an unknown role with a usage line', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts', 'bogus'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(64);
    expect(stderr).toMatch(/usage: start <edge\|api\|worker\|all>/);
  });
});
