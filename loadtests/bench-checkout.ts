/**
 * `npm run bench:checkout`: the checkout API and the commit worker, each as its own process on a
 * private Redis and PostgreSQL started here.
 *  1. rising fixed rates, evenly paced and open loop (lib/paced-http.ts: latency from the instant
 *     each request was due), against a mixed workload: hold (POST) + release (DELETE) cycles with
 *     pre-admitted passes, and availability reads; p50/p99, errors, achieved rate, API µs per
 *     request and its ratio to the bare route's. The first mixed load after start-up is reported
 *     apart (`warmup`). max_rps = the highest offered rate whose p99 < 100 ms and that was delivered.
 *  2. commit worker throughput (loadtests/bench-commit-phase.ts): N paid holds (demo gateway) →
 *     claim → Postgres → capture → finalize, orders/s from the first job to the last confirmed
 *     order, against the bare order + tickets + payment transaction of the same run; then the
 *     inventory audit (oversell / double sale / lost paid holds must all be zero).
 * Baselines in the same run: GET /livez of the same API process (the framework's ceiling here), autocannon unthrottled, with its API µs per request;
 * the bare commit transaction (PostgreSQL's ceiling here). The worker takes COMMIT_BATCH_MAX,
 * COMMIT_BATCH_WAIT_MS and WORKER_CONCURRENCY from the environment (COMMIT_BATCH_MAX=1: no group commit).
 * Env: BENCH_RATES (1000,2000,4000,6000,8000,10000,12000), BENCH_API_PROCESSES (2: one per core, API_PROCESSES), BENCH_SECONDS (6), BENCH_CONNECTIONS (200: many fans, each on its own connection; too few would cap the rate at connections ÷ latency), BENCH_ORDERS (2000),
 * BENCH_GENERATOR (paced; `autocannon`: its overallRate, the generator before, for comparison),
 * BENCH_NODE_ARGS (extra node flags for the API and worker processes, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"),
 * BENCH_PHASES (api,commit; `commit` alone runs only the worker phase, for quick iterations on it),
 * BENCH_WORKERS (1: worker processes side by side in the commit phase),
 * BENCH_TRACING (off; `otlp`: the API and worker trace every request and export over OTLP/HTTP to a
 * sink started here that accepts and discards, so the figures include span creation and export).
 * The result is written to `checkout-traced` with tracing on, so the untraced run's figures stay.
 * PostgreSQL runs durable (fsync and synchronous_commit on), as order writes need in production.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { Redis } from 'ioredis';
import { generatePassJwks, passSigningKeys } from '../admission/admission-pass.js';
import { migrate } from '../common/db/migrate.js';
import { queueKeys } from '../admission/queue-keys.js';
import { createSeatInventory } from '../inventory/index.js';
import { freePort, startServices } from '../scripts/services.js';
import { seedSale } from '../scripts/seed-sale.js';
import { CpuMeter, processCpuSeconds, processTree } from './lib/cpu-split.js';
import { pacedLoad, type PacedRequest } from './lib/paced-http.js';
import { formatTable, writeResult } from './lib/results.js';
import { runCommitPhase } from './bench-commit-phase.js';

const rates = (process.env.BENCH_RATES ?? '1000,2000,4000,6000,8000,10000,12000').split(',').map(Number);
const seconds = Number(process.env.BENCH_SECONDS ?? 6);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 200);
const orders = Number(process.env.BENCH_ORDERS ?? 2000);
const workerCount = Number(process.env.BENCH_WORKERS ?? 1);
const apiProcesses = Number(process.env.BENCH_API_PROCESSES ?? 2);
const generator = process.env.BENCH_GENERATOR ?? 'paced';
const apiPhase = (process.env.BENCH_PHASES ?? 'api,commit').split(',').map((p) => p.trim()).includes('api');
const round2 = (v: number): number => Math.round(v * 100) / 100;
const say = (line: string): void => void process.stderr.write(`[bench:checkout] ${line}\n`);

const dataDir = mkdtempSync(path.join(tmpdir(), 'usher-bench-co-'));
// durable PostgreSQL (no `fast`): every order commit is flushed to the WAL, as in production
// BENCH_PG_STATEMENTS=1: pg_stat_statements on, and the commit phase lists its statements per order
const pgStatements = process.env.BENCH_PG_STATEMENTS === '1';
const services = await startServices({ dataDir, env: {}, fast: false, log: say, postgresSettings: pgStatements ? ['shared_preload_libraries=pg_stat_statements', 'pg_stat_statements.track=all'] : [] });
await migrate(services.databaseUrl);
const pool = new pg.Pool({ connectionString: services.databaseUrl, max: 20 });
const redis = new Redis(services.redisUrl);
const totalPasses = (apiPhase ? rates.reduce((s, r) => s + r * seconds, 0) + 5000 : 0) + orders;
const sale = await seedSale(pool, {
  key: `bench-checkout-${Date.now()}`,
  sections: [{ name: 'Floor', kind: 'ga', capacity: 200_000, tierCode: 'GA' }, { name: 'Bowl', kind: 'reserved', rows: 100, seatsPerRow: 50, tierCode: 'P1' }],
  tiers: [{ code: 'GA', name: 'Standing', priceMinor: 4500 }, { code: 'P1', name: 'Seated', priceMinor: 9000 }],
  sale: { shardCount: 8, perFanLimit: 6, holdSeconds: 3600, maxActiveShoppers: 1_000_000 },
});
// statistics as autovacuum would have gathered them long before an on-sale opens (not minutes after seeding)
await pool.query('ANALYZE');
const inventory = createSeatInventory({ redis, pg: pool });
await inventory.publish(sale.saleId);
const floor = sale.sectionIds.Floor!;

// the edge's JWKS, served like the edge serves it
const jwks = await generatePassJwks();
const signer = await passSigningKeys(JSON.stringify(jwks));
const jwksServer = createServer((_, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(signer.publicJwks)));
const jwksPort = await freePort();
await new Promise<void>((r) => jwksServer.listen(jwksPort, '127.0.0.1', () => r()));

say(`minting ${totalPasses} passes…`);
const passes: { token: string; jti: string }[] = [];
for (let i = 0; i < totalPasses; i++) {
  const { token, claims } = await signer.sign({ saleId: sale.saleId, visitorId: `v${i}`, ttlS: 7200 });
  passes.push({ token, jti: claims.jti });
}
for (let i = 0; i < passes.length; i += 5000) {
  const args = passes.slice(i, i + 5000).flatMap((p) => [Date.now() + 7_200_000, p.jti]);
  await redis.zadd(queueKeys(sale.saleId).active, ...(args as [number, string]));
}

// BENCH_TRACING=otlp: a collector that takes every export and keeps only counts
const tracing = process.env.BENCH_TRACING === 'otlp';
const otlp = { requests: 0, bytes: 0 };
const otlpSink = createServer((req, res) => {
  req.on('data', (chunk: Buffer) => (otlp.bytes += chunk.length));
  req.on('end', () => {
    otlp.requests++;
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
});
const otlpPort = await freePort();
if (tracing) await new Promise<void>((r) => otlpSink.listen(otlpPort, '127.0.0.1', () => r()));

const apiPort = await freePort();
const env = {
  ...process.env, NODE_ENV: 'development', LOG_LEVEL: 'warn', REDIS_URL: services.redisUrl, DATABASE_URL: services.databaseUrl,
  PAYMENT_GATEWAY: 'demo', RATE_LIMIT_PER_IP_PER_MIN: '100000000', API_PORT: String(apiPort), API_METRICS_PORT: '0', WORKER_PORT: String(await freePort()),
  PASS_JWKS_URL: `http://127.0.0.1:${jwksPort}/`, AUTH_JWT_SECRET: 'b'.repeat(40), PG_POOL_MAX: '20', BULLMQ_PREFIX: '{bench}', HOST: '127.0.0.1',
  ...(tracing ? { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${otlpPort}`, OTEL_TRACES_SAMPLER_RATIO: '1' } : {}),
};
function startRole(role: string, extraEnv: Record<string, string> = {}): ChildProcess {
  // BENCH_NODE_ARGS: extra node flags for the measured roles, e.g. --cpu-prof to see where time goes
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  return spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'scripts/start.ts', role], { env: { ...env, ...extraEnv }, stdio: ['ignore', 'ignore', 'inherit'] });
}
/** Waits until a role answers its probe: start-up (tsx compiling, connecting) is not measured. */
async function ready(url: string, what: string): Promise<void> {
  for (let i = 0; ; i++) {
    try { if ((await fetch(url)).ok) return; } catch { /* not yet */ }
    if (i > 300) throw new Error(`${what} did not start`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
const exited = (proc: ChildProcess): Promise<void> => new Promise((r) => (proc.exitCode !== null || proc.signalCode !== null ? r() : void proc.once('exit', () => r())));
const base = `http://127.0.0.1:${apiPort}`;

let nextPass = 0;
interface Ctx { holdId?: string; pass?: { token: string } }
const holdBody = JSON.stringify({ kind: 'best', sectionId: floor, quantity: 1 });
/** One fan's turn on a connection: hold, release it, read the availability. */
const mixed: PacedRequest<Ctx>[] = [
  {
    method: 'POST',
    build: (c) => {
      c.pass = passes[nextPass++ % passes.length]!;
      return { path: `/v1/sales/${sale.saleId}/holds`, headers: { 'content-type': 'application/json', authorization: `Bearer ${c.pass.token}` }, body: holdBody };
    },
    onResponse: (status, body, c) => { c.holdId = status === 201 ? (JSON.parse(body) as { holdId: string }).holdId : undefined; },
  },
  { method: 'DELETE', build: (c) => ({ path: `/v1/holds/${c.holdId ?? 'missing.0.missinghold'}`, headers: { authorization: `Bearer ${c.pass!.token}` } }) },
  { method: 'GET', build: () => ({ path: `/v1/sales/${sale.saleId}/availability` }) },
];
interface StepLoad { achieved: number; p50: number; p99: number; errors: number; busiest_100ms_share: number; generator_loop_delay_ms?: { p99: number; max: number }; by_request?: Record<string, { p50: number; p99: number; max: number }> }
/** Fixed-rate steps (paced-http.ts: evenly spaced, open loop); BENCH_GENERATOR=autocannon: the generator before, for comparison. */
async function load(rate: number): Promise<StepLoad> {
  if (generator !== 'autocannon') {
    const r = await pacedLoad<Ctx>({ host: '127.0.0.1', port: apiPort, rate, seconds, connections, requests: mixed, context: () => ({}) });
    return { achieved: r.achieved, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors, busiest_100ms_share: r.busiest_100ms_share, generator_loop_delay_ms: r.generator_loop_delay_ms, by_request: r.by_request };
  }
  const sentAt = new Array<number>(10).fill(0);
  const t0 = performance.now();
  const requests: autocannon.Request[] = mixed.map((m) => ({
    method: m.method as autocannon.Request['method'],
    setupRequest: (req, context) => {
      sentAt[Math.floor(((performance.now() - t0) % 1000) / 100)]!++;
      const { path: p, headers, body } = m.build(context as Ctx);
      return { ...req, path: p, headers: headers ?? {}, ...(body === undefined ? {} : { body }) };
    },
    ...(m.onResponse ? { onResponse: (status: number, body: string, context: unknown) => m.onResponse!(status, body, context as Ctx) } : {}),
  }));
  const r = await autocannon({ url: base, connections, duration: seconds, overallRate: rate, requests });
  return { achieved: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.non2xx, busiest_100ms_share: Math.round((Math.max(...sentAt) / Math.max(1, sentAt.reduce((a, b) => a + b, 0))) * 1000) / 1000 };
}

// how the 2 cores were shared in each phase: Redis, and PostgreSQL's whole process tree
const redisPid = Number(/process_id:(\d+)/.exec(await redis.info('server'))![1]);
const { rows: [backend] } = await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
const postmasterPid = Number(readFileSync(`/proc/${backend!.pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
/** Busy and iowait CPU seconds of the whole machine (other sessions on the shared cores show up as the rest). */
const machineCpu = (): { busy: number; iowait: number } => {
  const [user = 0, nice = 0, system = 0, , iowait = 0, irq = 0, softirq = 0, steal = 0] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  return { busy: (user + nice + system + irq + softirq + steal) / 100, iowait: iowait / 100 };
};
/**
 * Redis's own counters: commands run (those a script runs included), and what can stall its one
 * thread in a step: forks (an AOF rewrite: the bench's Redis appends every write, everysec), the
 * last fork's pause, and writes delayed behind a slow fsync.
 */
async function redisTotals(): Promise<{ commands: number; forks: number; latestForkUs: number; delayedFsyncs: number }> {
  const info = `${await redis.info('stats')}\n${await redis.info('persistence')}`;
  const field = (name: string): number => Number(new RegExp(`${name}:(\\d+)`).exec(info)?.[1] ?? 0);
  return { commands: field('total_commands_processed'), forks: field('total_forks'), latestForkUs: field('latest_fork_usec'), delayedFsyncs: field('aof_delayed_fsync') };
}
/** CPU seconds of PostgreSQL's process tree since the call; backends that ended are in the postmaster's reaped-children time. */
function postgresCpuMeter(): () => number {
  const start = new Map(processTree(postmasterPid).map((p) => [p, processCpuSeconds(p)]));
  return () => processTree(postmasterPid).reduce((sum, p) => sum + Math.max(0, processCpuSeconds(p) - (start.get(p) ?? 0)), 0);
}

const rows: Record<string, string | number>[] = [];
interface Step { rate: number; achieved: number; p50: number; p99: number; errors: number; busiest_100ms_share: number; generator_loop_delay_ms?: { p99: number; max: number }; by_request?: Record<string, { p50: number; p99: number; max: number }>; api_us_per_request: number; redis: { commands_per_request: number; forks: number; latest_fork_us: number; delayed_fsyncs: number }; ratio_api_us_to_bare: number | null; cpu: { api: number; redis: number; postgres: number; generator: number; rest_of_machine: number } }
const steps: Step[] = [];
let baseline: { rps: number; api_us_per_request: number } | undefined;
/** The first mixed load after start-up: what the first fans of an on-sale meet. */
let warmup: { rate: number; achieved: number; p50: number; p99: number; errors: number; api_us_per_request: number } | undefined;
const apiUs = (cpuS: number, requests: number): number => (requests > 0 ? Math.round((cpuS * 1e6) / requests) : 0);
if (apiPhase) {
  const api = startRole('api', { API_PROCESSES: String(apiProcesses) });
  await ready(`${base}/livez`, 'api');
  say('baseline: GET /livez, unthrottled');
  const bareMeter = new CpuMeter(processTree(api.pid!));
  const bare = await autocannon({ url: base, connections, duration: seconds, requests: [{ method: 'GET', path: '/livez' }] });
  baseline = { rps: bare.requests.average, api_us_per_request: apiUs(bareMeter.read().servers, bare.requests.total) };
  rows.push({ phase: 'baseline /livez', offered: 'max', achieved: Math.round(bare.requests.average), p50_ms: bare.latency.p50, p99_ms: bare.latency.p99, errors: bare.errors + bare.non2xx, api_us_per_req: baseline.api_us_per_request, api_cpu_s: '', redis_pg_cpu_s: '', loadgen_cpu_s: '', rest_cpu_s: '' });
  // connection pools and the generator's own code warm up here: not measured (the API warms itself before /readyz)
  say(`warm-up: mixed at 1000/s for ${seconds}s (reported as warmup, not a step)`);
  const warmMeter = new CpuMeter(processTree(api.pid!));
  const w = await load(1000);
  warmup = { rate: 1000, achieved: Math.round(w.achieved), p50: w.p50, p99: w.p99, errors: w.errors, api_us_per_request: apiUs(warmMeter.read().servers, w.achieved * seconds) };
  rows.push({ phase: 'warm-up (cold API)', offered: 1000, achieved: warmup.achieved, p50_ms: w.p50, p99_ms: w.p99, errors: w.errors, api_us_per_req: warmup.api_us_per_request, api_cpu_s: '', redis_pg_cpu_s: '', loadgen_cpu_s: '', rest_cpu_s: '' });
  for (const rate of rates) {
    say(`mixed hold/release/availability at ${rate}/s for ${seconds}s`);
    const meter = new CpuMeter(processTree(api.pid!));
    const redisMeter = new CpuMeter([redisPid]);
    const pgCpu = postgresCpuMeter();
    const machineAtStart = machineCpu();
    const redisAtStart = await redisTotals();
    const r = await load(rate);
    const redisAtEnd = await redisTotals();
    const { servers: apiCpu, generator: generatorCpu } = meter.read();
    const [redisCpu, postgresCpu] = [redisMeter.read().servers, pgCpu()];
    const busy = machineCpu().busy - machineAtStart.busy;
    const cpu = { api: round2(apiCpu), redis: round2(redisCpu), postgres: round2(postgresCpu), generator: round2(generatorCpu), rest_of_machine: round2(busy - apiCpu - redisCpu - postgresCpu - generatorCpu) };
    const us = apiUs(apiCpu, r.achieved * seconds);
    const answered = Math.max(1, r.achieved * seconds);
    const redisStep = {
      commands_per_request: round2((redisAtEnd.commands - redisAtStart.commands) / answered),
      forks: redisAtEnd.forks - redisAtStart.forks,
      latest_fork_us: redisAtEnd.latestForkUs,
      delayed_fsyncs: redisAtEnd.delayedFsyncs - redisAtStart.delayedFsyncs,
    };
    steps.push({ rate, ...r, api_us_per_request: us, redis: redisStep, ratio_api_us_to_bare: baseline.api_us_per_request ? round2(us / baseline.api_us_per_request) : null, cpu });
    rows.push({ phase: 'mixed', offered: rate, achieved: Math.round(r.achieved), p50_ms: r.p50, p99_ms: r.p99, errors: r.errors, api_us_per_req: us, api_cpu_s: cpu.api, redis_pg_cpu_s: round2(redisCpu + postgresCpu), loadgen_cpu_s: cpu.generator, rest_cpu_s: cpu.rest_of_machine });
  }
  api.kill('SIGTERM');
  await exited(api);
}

// the commit phase and its same-run baseline (the bare order + tickets + payment transaction): loadtests/bench-commit-phase.ts
// the worker's default (common/config.ts): the bare baseline runs at the same concurrency
const workerConcurrency = Number(process.env.WORKER_CONCURRENCY ?? 64);
const commit = await runCommitPhase({
  pool, databaseUrl: services.databaseUrl, redis, inventory, sale: { saleId: sale.saleId, eventId: sale.eventId, sectionId: floor },
  passJtis: Array.from({ length: orders }, () => passes[nextPass++ % passes.length]!.jti),
  concurrency: workerConcurrency, pgPoolMax: Number(env.PG_POOL_MAX), redisPid, postmasterPid, say, pgStatements,
  async startWorkers() {
    // BENCH_WORKERS: worker processes (pods) side by side, as workers scale out; 1 by default
    const workerPorts = [env.WORKER_PORT, ...(await Promise.all(Array.from({ length: workerCount - 1 }, async () => String(await freePort()))))];
    const workers = workerPorts.map((port) => startRole('worker', { WORKER_PORT: port }));
    for (const port of workerPorts) await ready(`http://127.0.0.1:${port}/readyz`, 'worker');
    return workers;
  },
  async stopWorkers(workers) {
    for (const w of workers) w.kill('SIGTERM');
    await Promise.all(workers.map(exited));
  },
});
const ordersPerS = commit.orders_per_s;
rows.push({ phase: 'bare order txn', offered: orders, achieved: commit.bare_txn_per_s, p50_ms: '', p99_ms: '', errors: 0, api_cpu_s: '', redis_pg_cpu_s: commit.bare_window.cpu_s.postgres, loadgen_cpu_s: commit.bare_window.cpu_s.bench });
rows.push({ phase: 'commit worker', offered: orders, achieved: Math.round(ordersPerS), p50_ms: '', p99_ms: '', errors: 0, api_cpu_s: commit.worker_window.cpu_s.measured, redis_pg_cpu_s: round2(commit.worker_window.cpu_s.redis + commit.worker_window.cpu_s.postgres), loadgen_cpu_s: '' });

const confirmed = await pool.query<{ orders: number; tickets: number }>(
  `SELECT (SELECT count(*) FROM orders WHERE sale_id = $1 AND status = 'confirmed')::int AS orders,
          (SELECT count(*) FROM tickets t JOIN orders o ON o.id = t.order_id WHERE o.sale_id = $1 AND t.status = 'live')::int AS tickets`,
  [sale.saleId],
);
const audit = await inventory.audit(sale.saleId);
const captured = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM payments WHERE sale_id = $1 AND status = 'captured'`, [sale.saleId]);
// counted from the bottom: a rate counts only if it and every lower step met p99 < 100 ms and were delivered
const byRate = [...steps].sort((a, b) => a.rate - b.rate);
const firstMiss = byRate.findIndex((s) => !(s.p99 < 100 && s.achieved >= s.rate * 0.95));
const under = firstMiss === -1 ? byRate : byRate.slice(0, firstMiss);
const at2000 = steps.find((s) => s.rate === 2000);
const result = {
  max_rps: under.length ? Math.max(...under.map((s) => s.rate)) : 0,
  p50_ms: at2000?.p50 ?? null,
  p99_ms: at2000?.p99 ?? null,
  errors: steps.reduce((s, x) => s + x.errors, 0),
  orders_per_s: Math.round(ordersPerS),
  baseline_livez_rps: baseline ? Math.round(baseline.rps) : null,
  baseline_livez_api_us_per_request: baseline?.api_us_per_request ?? null,
  generator: generator === 'autocannon' ? 'autocannon overallRate (1 s budgets per connection)' : 'paced open loop (lib/paced-http.ts)',
  ratio_max_rps_to_baseline: under.length && baseline ? Math.max(...under.map((s) => s.rate)) / baseline.rps : 0,
  commit: { ...commit, worker_processes: workerCount, confirmed_orders: confirmed.rows[0]!.orders, live_tickets: confirmed.rows[0]!.tickets },
  tracing: tracing ? { exporter: 'otlp/http to a local sink', sampled: 1, export_requests: otlp.requests, export_bytes: otlp.bytes } : 'off',
  warmup: warmup ?? null,
  steps,
  audit: { ok: audit.ok, violations: audit.violations, totals: audit.totals },
  captured_payments: captured.rows[0]!.n,
  setup: { connections, seconds, cores: 2, api_processes: apiProcesses, split: `${apiProcesses} API process(es), then ${workerCount} worker process(es), with this load generator (one thread), Redis and PostgreSQL on the same 2 cores; CPU seconds per side are in steps[].cpu and commit.cpu_s` },
};
console.log(formatTable(rows));
say(`commit phase: ${commit.orders_per_s} orders/s = ${commit.ratio_to_bare_txn}× the bare transaction (${commit.bare_txn_per_s} txn/s)${commit.noisy ? ' NOISY' : ''}; µs CPU per order ${JSON.stringify(commit.cpu_us_per_order)}; ${commit.pg_transactions_per_order} PG transactions and ${commit.redis_commands_per_order} Redis commands per order`);
say(`per order: ${JSON.stringify(commit.per_order)}`);
for (const st of commit.pg_statements ?? []) say(`  pg ${JSON.stringify(st)}`);
console.log(`max_rps=${result.max_rps} p99@2000=${result.p99_ms}ms orders/s=${result.orders_per_s} commit/bare=${commit.ratio_to_bare_txn} audit=${audit.ok ? 'ok' : audit.violations.join('; ')}`);
// a worker-only run does not overwrite the full run's figures
say(`wrote ${writeResult(`${apiPhase ? 'checkout' : 'checkout-commit'}${tracing ? '-traced' : ''}`, result)}`);
if (tracing) say(`tracing: ${otlp.requests} OTLP exports, ${(otlp.bytes / 1e6).toFixed(1)} MB`);

redis.disconnect();
await pool.end();
jwksServer.close();
otlpSink.close();
await services.stop();
rmSync(dataDir, { recursive: true, force: true });
const exact = captured.rows[0]!.n === orders && confirmed.rows[0]!.orders === orders && confirmed.rows[0]!.tickets === 2 * orders;
process.exit(audit.ok && exact ? 0 : 1);
