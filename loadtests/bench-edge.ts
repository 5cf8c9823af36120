/**
 * `npm run bench:edge [-- --fans 10000,25000,50000 --processes 3 --window-s 20]`
 *
 * For each fan count: the edge as N processes sharing one port (SO_REUSEPORT) on a private Redis,
 * load-generator processes each on its own 127.0.0.x source address, then the same measurements
 * for a minimal `ws` server with the same process count, in the same run. Prints a table and
 * writes loadtests/results/edge.json. Measured: time to connect and join everyone, server RSS
 * added per fan, server CPU while updates flow (every 2 s), p99 lag from tick to delivery, and
 * the admission rate's error against the setting (slope of the admitted total over Redis time).
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { startRedis, freePort } from '../scripts/services.js';
import { initSaleSettings } from '../common/sale-controls.js';
import { queueKeys } from '../common/queue-keys.js';
import { queueStore } from '../queue-edge/queue-store.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const { values } = parseArgs({ options: { fans: { type: 'string', default: '10000,25000,50000' }, processes: { type: 'string', default: '3' }, 'window-s': { type: 'string', default: '20' } } });
const FAN_COUNTS = values.fans.split(',').map(Number);
const PROCESSES = Number(values.processes);
const WINDOW_S = Number(values['window-s']);
const RATE_PER_MIN = 6000;
const PERIOD_MS = 2000;
const FANS_PER_CLIENT = 12_500;
const SECRET = randomBytes(32).toString('hex');
/** Both servers run with a small young generation: V8's default (16 MB semi-spaces) is RSS that grows with any garbage, not with fans. */
const SERVER_FLAGS = ['--max-semi-space-size=2'];
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const rssKb = (pid: number): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
const cpuTicks = (pid: number): number => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(f[11]) + Number(f[12]); // utime + stime, in clock ticks (USER_HZ = 100)
};
const p99 = (xs: number[]): number => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * 0.99))]!;
};

function waitFor<T>(child: ChildProcess, event: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMsg = (m: { event?: string } & T): void => {
      if (m.event === event) {
        child.off('message', onMsg);
        resolve(m);
      }
    };
    child.on('message', onMsg);
    child.once('exit', (code) => reject(new Error(`process exited (${code}) before ${event}`)));
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const kill = setTimeout(() => child.kill('SIGKILL'), 8000);
    child.once('exit', () => (clearTimeout(kill), resolve()));
    child.kill('SIGTERM');
  });
}

interface Load { connectS: number; joined: number; failed: number; clients: ChildProcess[] }

async function connectFans(port: number, fans: number, wsPath: string): Promise<Load> {
  const n = Math.ceil(fans / FANS_PER_CLIENT);
  const started = Date.now();
  const clients = Array.from({ length: n }, (_, k) => fork(path.join(here, 'edge-bench-client.ts'), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, BENCH_HOST: '127.0.0.1', BENCH_PORT: String(port), BENCH_LOCAL_ADDRESS: `127.0.0.${k + 2}`, BENCH_FANS: String(Math.floor(fans / n) + (k < fans % n ? 1 : 0)), BENCH_PATH: wsPath, BENCH_VISITOR_SECRET: SECRET },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  }));
  const results = await Promise.all(clients.map((c) => waitFor<{ joined: number; failed: number }>(c, 'joined')));
  return { connectS: (Date.now() - started) / 1000, joined: results.reduce((a, r) => a + r.joined, 0), failed: results.reduce((a, r) => a + r.failed, 0), clients };
}

async function steadyState(pids: number[], load: Load, sample?: () => Promise<void>): Promise<{ cpuPct: number; p99Ms: number }> {
  const t0 = Date.now();
  const c0 = pids.reduce((a, p) => a + cpuTicks(p), 0);
  for (const c of load.clients) c.send({ cmd: 'measure' });
  while (Date.now() - t0 < WINDOW_S * 1000) {
    await sample?.();
    await sleep(250);
  }
  const cpuPct = ((pids.reduce((a, p) => a + cpuTicks(p), 0) - c0) / 100 / ((Date.now() - t0) / 1000)) * 100;
  const reports = await Promise.all(load.clients.map((c) => {
    const r = waitFor<{ lags: number[] }>(c, 'report');
    c.send({ cmd: 'report' });
    return r;
  }));
  return { cpuPct, p99Ms: p99(reports.flatMap((r) => r.lags)) };
}

async function runEdge(redisUrl: string, fans: number): Promise<Record<string, number>> {
  const redis = new Redis(redisUrl);
  const saleId = `bench-${randomBytes(4).toString('hex')}`;
  await initSaleSettings(redis, saleId, { ratePerMin: RATE_PER_MIN, maxActive: 10_000_000, opensAtMs: 0, closesAtMs: Date.now() + 86_400_000, prequeueOpensAtMs: 0 });
  await redis.hset(queueKeys(saleId).settings, 'paused', '1'); // admission starts once everyone is in
  await queueStore(redis).shuffle(saleId, '00', []);
  const port = await freePort();
  const env = {
    ...process.env, NODE_ENV: 'development', REDIS_URL: redisUrl, HOST: '127.0.0.1', EDGE_PORT: String(port), EDGE_TICK_MS: String(PERIOD_MS),
    EDGE_CONNECTS_PER_IP_PER_MIN: '10000000', EDGE_JOINS_PER_IP_PER_MIN: '10000000', QUEUE_OFFER_TTL_S: '3600', LOG_LEVEL: 'warn',
    VISITOR_TOKEN_SECRET: SECRET, DATABASE_URL: 'postgres://bench@127.0.0.1:1/none', USHER_EDGE_CHILD: '0',
  };
  const edges = Array.from({ length: PROCESSES }, () => spawn(process.execPath, [...SERVER_FLAGS, '--import', 'tsx', 'queue-edge/edge-process-main.ts'], { cwd: root, env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  await Promise.all(edges.map((e) => new Promise<void>((resolve, reject) => {
    e.once('message', (m) => (m === 'ready' ? resolve() : reject(new Error(String(m)))));
    e.once('exit', (code) => reject(new Error(`edge exited ${code}`)));
  })));
  const pids = edges.map((e) => e.pid!);
  await sleep(1000);
  const rss0 = pids.reduce((a, p) => a + rssKb(p), 0);
  const load = await connectFans(port, fans, `/v1/sales/${saleId}/ws`);
  await sleep(3000);
  const rss1 = pids.reduce((a, p) => a + rssKb(p), 0);
  await redis.hset(queueKeys(saleId).settings, 'paused', '0');
  await sleep(PERIOD_MS * 2);
  const samples: [number, number][] = [];
  const sample = async (): Promise<void> => {
    const r = (await redis.multi().time().hget(queueKeys(saleId).stats, 'admitted').exec()) ?? [];
    const [sec, usec] = r[0]?.[1] as [string, string];
    samples.push([Number(sec) * 1000 + Number(usec) / 1000, Number(r[1]?.[1] ?? 0)]);
  };
  const steady = await steadyState(pids, load, sample);
  // least-squares slope of admitted over time: robust to the tick-sized steps of the total
  const n = samples.length;
  const mx = samples.reduce((a, s) => a + s[0], 0) / n;
  const my = samples.reduce((a, s) => a + s[1], 0) / n;
  const slope = samples.reduce((a, s) => a + (s[0] - mx) * (s[1] - my), 0) / samples.reduce((a, s) => a + (s[0] - mx) ** 2, 0);
  const measuredPerMin = slope * 60_000;
  for (const c of load.clients) c.send({ cmd: 'stop' });
  await Promise.all(edges.map(stop));
  await Promise.all(load.clients.map(stop));
  redis.disconnect();
  return {
    fans, joined: load.joined, failed: load.failed, edge_processes: PROCESSES, connect_s: load.connectS, rss_kb_per_fan: (rss1 - rss0) / load.joined,
    cpu_pct: steady.cpuPct, update_p99_ms: steady.p99Ms, admission_rate_per_min: measuredPerMin, admission_rate_error: Math.abs(measuredPerMin - RATE_PER_MIN) / RATE_PER_MIN,
  };
}

async function runBaseline(fans: number): Promise<Record<string, number>> {
  const port = await freePort();
  const server = spawn(process.execPath, [...SERVER_FLAGS, '--import', 'tsx', path.join(here, 'edge-ws-baseline.ts')], {
    env: { ...process.env, BENCH_PORT: String(port), BENCH_WORKERS: String(PROCESSES), BENCH_PERIOD_MS: String(PERIOD_MS) }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const { pids } = await waitFor<{ pids: number[] }>(server, 'ready');
  await sleep(1000);
  const rss0 = pids.reduce((a, p) => a + rssKb(p), 0);
  const load = await connectFans(port, fans, '/v1/sales/baseline/ws');
  await sleep(3000);
  const rss1 = pids.reduce((a, p) => a + rssKb(p), 0);
  const steady = await steadyState(pids, load);
  for (const c of load.clients) c.send({ cmd: 'stop' });
  await Promise.all(load.clients.map(stop));
  await stop(server);
  return { ws_joined: load.joined, ws_connect_s: load.connectS, ws_rss_kb_per_fan: (rss1 - rss0) / load.joined, ws_cpu_pct: steady.cpuPct, ws_update_p99_ms: steady.p99Ms };
}

const fmt = (v: number | undefined, d = 2): string => (v === undefined || Number.isNaN(v) ? '—' : v.toFixed(d));

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'usher-bench-edge-'));
  const redisService = await startRedis({ dataDir: path.join(dataDir, 'redis') });
  const runs: Record<string, number>[] = [];
  try {
    for (const fans of FAN_COUNTS) {
      process.stderr.write(`bench:edge ${fans} fans on ${PROCESSES} edge processes…\n`);
      const edge = await runEdge(redisService.url, fans);
      process.stderr.write(`bench:edge ${fans} fans on ${PROCESSES} ws baseline processes…\n`);
      const base = await runBaseline(fans);
      runs.push({ ...edge, ...base, rss_ratio_ws_over_edge: base.ws_rss_kb_per_fan! / edge.rss_kb_per_fan! });
    }
  } finally {
    await redisService.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  const head = ['fans', 'joined', 'procs', 'connect s', 'RSS KB/fan', 'CPU %', 'p99 ms', 'rate err', 'ws connect s', 'ws RSS KB/fan', 'ws CPU %', 'ws p99 ms', 'ws/edge RSS'];
  const rows = runs.map((r) => [String(r.fans), String(r.joined), String(r.edge_processes), fmt(r.connect_s), fmt(r.rss_kb_per_fan), fmt(r.cpu_pct, 1), fmt(r.update_p99_ms, 0), fmt((r.admission_rate_error ?? 0) * 100, 3) + '%', fmt(r.ws_connect_s), fmt(r.ws_rss_kb_per_fan), fmt(r.ws_cpu_pct, 1), fmt(r.ws_update_p99_ms, 0), fmt(r.rss_ratio_ws_over_edge, 1) + '×']);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padStart(widths[i]!)).join(' | ');
  process.stdout.write(`${line(head)}\n${widths.map((w) => '-'.repeat(w)).join('-|-')}\n${rows.map(line).join('\n')}\n`);
  process.stdout.write(`targets: update_p99_ms < 1000, rss_kb_per_fan < 3, admission_rate_error < 0.01, ws/edge RSS >= 3×\n`);
  mkdirSync(path.join(here, 'results'), { recursive: true });
  writeFileSync(path.join(here, 'results', 'edge.json'), JSON.stringify({
    benchmark: 'edge', date: new Date().toISOString(), cores: cpus().length, node: process.version, rate_per_min: RATE_PER_MIN,
    update_period_ms: PERIOD_MS, window_s: WINDOW_S, runs,
  }, null, 2));
}

void main().catch((err: unknown) => {
  process.stderr.write(`bench:edge failed: ${String(err instanceof Error ? err.stack : err)}\n`);
  process.exit(1);
});
