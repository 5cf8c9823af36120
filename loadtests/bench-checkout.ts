/**
 * `npm run bench:checkout`: the checkout API and the commit worker, each as its own process on a
 * private Redis and PostgreSQL started here.
 *  1. autocannon at rising fixed rates against a mixed workload: hold (POST) + release (DELETE)
 *     cycles with pre-admitted passes, and availability reads; p50/p99, errors, achieved rate.
 *     max_rps = the highest offered rate whose p99 < 100 ms and that was actually delivered.
 *  2. commit worker throughput: N paid holds (demo gateway) → claim → Postgres → capture →
 *     finalize, orders/s from the first job to the last confirmed order; then the inventory audit
 *     (oversell / double sale / lost paid holds must all be zero).
 * Baseline in the same run: GET /livez of the same API process (the framework's ceiling here).
 * Env: BENCH_RATES (500,1000,2000,3000,4000), BENCH_SECONDS (6), BENCH_CONNECTIONS (64), BENCH_ORDERS (2000),
 * BENCH_NODE_ARGS (extra node flags for the API and worker processes, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { Redis } from 'ioredis';
import { generatePassJwks, passSigningKeys } from '../common/admission-pass.js';
import { migrate } from '../common/db/migrate.js';
import { queueKeys } from '../common/queue-keys.js';
import { createCommitQueue } from '../checkout/commit/commit-queue.js';
import { createDemoGateway } from '../checkout/payments/demo-gateway.js';
import { paymentKeys } from '../checkout/payments/payment-gateway.js';
import { recordPaymentIntent } from '../checkout/payments/payment-records.js';
import { createSeatInventory } from '../inventory/index.js';
import { freePort, startServices } from '../scripts/services.js';
import { seedSale } from '../scripts/seed-sale.js';
import { CpuMeter, processTree } from './lib/cpu-split.js';
import { formatTable, writeResult } from './lib/results.js';

const rates = (process.env.BENCH_RATES ?? '500,1000,2000,3000,4000').split(',').map(Number);
const seconds = Number(process.env.BENCH_SECONDS ?? 6);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 64);
const orders = Number(process.env.BENCH_ORDERS ?? 2000);
const say = (line: string): void => void process.stderr.write(`[bench:checkout] ${line}\n`);

const dataDir = mkdtempSync(path.join(tmpdir(), 'usher-bench-co-'));
const services = await startServices({ dataDir, env: {}, fast: true, log: say });
await migrate(services.databaseUrl);
const pool = new pg.Pool({ connectionString: services.databaseUrl, max: 20 });
const redis = new Redis(services.redisUrl);
const totalPasses = rates.reduce((s, r) => s + r * seconds, 0) + orders + 5000;
const sale = await seedSale(pool, {
  key: `bench-checkout-${Date.now()}`,
  sections: [{ name: 'Floor', kind: 'ga', capacity: 200_000, tierCode: 'GA' }, { name: 'Bowl', kind: 'reserved', rows: 100, seatsPerRow: 50, tierCode: 'P1' }],
  tiers: [{ code: 'GA', name: 'Standing', priceMinor: 4500 }, { code: 'P1', name: 'Seated', priceMinor: 9000 }],
  sale: { shardCount: 8, perFanLimit: 6, holdSeconds: 3600, maxActiveShoppers: 1_000_000 },
});
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

const apiPort = await freePort();
const env = {
  ...process.env, NODE_ENV: 'development', LOG_LEVEL: 'warn', REDIS_URL: services.redisUrl, DATABASE_URL: services.databaseUrl,
  PAYMENT_GATEWAY: 'demo', RATE_LIMIT_PER_IP_PER_MIN: '100000000', API_PORT: String(apiPort), WORKER_PORT: String(await freePort()),
  PASS_JWKS_URL: `http://127.0.0.1:${jwksPort}/`, AUTH_JWT_SECRET: 'b'.repeat(40), PG_POOL_MAX: '20', BULLMQ_PREFIX: '{bench}', HOST: '127.0.0.1',
};
function startRole(role: string): Promise<ChildProcess> {
  // BENCH_NODE_ARGS: extra node flags for the measured roles, e.g. --cpu-prof to see where time goes
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const proc = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'scripts/start.ts', role], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  return new Promise((resolve) => setTimeout(() => resolve(proc), 100));
}
const api = await startRole('api');
const base = `http://127.0.0.1:${apiPort}`;
for (let i = 0; ; i++) {
  try { if ((await fetch(`${base}/livez`)).ok) break; } catch { /* not yet */ }
  if (i > 200) throw new Error('api did not start');
  await new Promise((r) => setTimeout(r, 100));
}

let nextPass = 0;
interface Ctx { holdId?: string; pass?: { token: string } }
async function load(rate: number, kind: 'mixed' | 'baseline'): Promise<autocannon.Result> {
  const requests: autocannon.Request[] = kind === 'baseline' ? [{ method: 'GET', path: '/livez' }] : [
    {
      method: 'POST', path: `/v1/sales/${sale.saleId}/holds`,
      setupRequest: (req, context) => {
        const c = context as Ctx;
        c.pass = passes[nextPass++ % passes.length]!;
        return { ...req, headers: { 'content-type': 'application/json', authorization: `Bearer ${c.pass.token}` }, body: JSON.stringify({ kind: 'best', sectionId: floor, quantity: 1 }) };
      },
      onResponse: (status, body, context) => { (context as Ctx).holdId = status === 201 ? (JSON.parse(body) as { holdId: string }).holdId : undefined; },
    },
    {
      method: 'DELETE',
      setupRequest: (req, context) => {
        const c = context as Ctx;
        return { ...req, path: `/v1/holds/${c.holdId ?? 'missing.0.missinghold'}`, headers: { authorization: `Bearer ${c.pass!.token}` } };
      },
    },
    { method: 'GET', path: `/v1/sales/${sale.saleId}/availability` },
  ];
  return autocannon({ url: base, connections, duration: seconds, overallRate: rate, requests });
}

say('baseline: GET /livez, unthrottled');
const baseline = await load(1_000_000, 'baseline');
const rows: Record<string, string | number>[] = [{ phase: 'baseline /livez', offered: 'max', achieved: Math.round(baseline.requests.average), p50_ms: baseline.latency.p50, p99_ms: baseline.latency.p99, errors: baseline.errors + baseline.non2xx, api_cpu_s: '', loadgen_cpu_s: '' }];
const steps: { rate: number; achieved: number; p50: number; p99: number; errors: number; cpu: { servers: number; generator: number } }[] = [];
// JIT, lazy imports and connection pools warm up on the first few thousand requests: not measured
say(`warm-up: mixed at 1000/s for ${seconds}s (not recorded)`);
await load(1000, 'mixed');
for (const rate of rates) {
  say(`mixed hold/release/availability at ${rate}/s for ${seconds}s`);
  const meter = new CpuMeter(processTree(api.pid!));
  const r = await load(rate, 'mixed');
  const cpu = meter.read();
  steps.push({ rate, achieved: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.non2xx, cpu });
  rows.push({ phase: 'mixed', offered: rate, achieved: Math.round(r.requests.average), p50_ms: r.latency.p50, p99_ms: r.latency.p99, errors: r.errors + r.non2xx, api_cpu_s: cpu.servers, loadgen_cpu_s: cpu.generator });
}
api.kill('SIGTERM');

say(`commit throughput: ${orders} paid holds`);
const demo = createDemoGateway(redis);
const paid: string[] = [];
for (let i = 0; i < orders; i++) {
  const p = passes[nextPass++ % passes.length]!;
  const hold = await inventory.hold(sale.saleId, p.jti, { kind: 'best', sectionId: floor, quantity: 2 });
  const pi = await demo.authorize({ holdId: hold.holdId, saleId: sale.saleId, amountMinor: hold.amountMinor, currency: hold.currency, email: `fan${i}@example.com`, description: 'bench', idempotencyKey: paymentKeys.authorize(hold.holdId) });
  await demo.simulateAuthorization(pi.id);
  await recordPaymentIntent(pool, { paymentIntentId: pi.id, holdId: hold.holdId, gateway: 'demo', email: `fan${i}@example.com`, snapshot: { saleId: sale.saleId, passJti: p.jti, items: hold.items, amountMinor: hold.amountMinor, currency: hold.currency } });
  paid.push(hold.holdId);
}
const commits = createCommitQueue(redis, '{bench}');
const worker = await startRole('worker');
const workerMeter = new CpuMeter([worker.pid!]);
const t0 = performance.now();
await commits.queue.addBulk(paid.map((holdId) => ({ name: 'commit', data: { holdId }, opts: { jobId: holdId, attempts: 12, backoff: { type: 'exponential', delay: 500 } } })));
for (;;) {
  const { rows: c } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM orders WHERE status = 'confirmed'`);
  if (c[0]!.n >= orders) break;
  await new Promise((r) => setTimeout(r, 50));
}
const commitS = (performance.now() - t0) / 1000;
const workerCpu = workerMeter.read();
const ordersPerS = orders / commitS;
rows.push({ phase: 'commit worker', offered: orders, achieved: Math.round(ordersPerS), p50_ms: '', p99_ms: '', errors: 0, api_cpu_s: workerCpu.servers, loadgen_cpu_s: '' });
worker.kill('SIGTERM');

const audit = await inventory.audit(sale.saleId);
const captured = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM payments WHERE status = 'captured'`);
const under = steps.filter((s) => s.p99 < 100 && s.achieved >= s.rate * 0.95);
const at2000 = steps.find((s) => s.rate === 2000);
const result = {
  max_rps: under.length ? Math.max(...under.map((s) => s.rate)) : 0,
  p50_ms: at2000?.p50 ?? null,
  p99_ms: at2000?.p99 ?? null,
  errors: steps.reduce((s, x) => s + x.errors, 0),
  orders_per_s: Math.round(ordersPerS),
  baseline_livez_rps: Math.round(baseline.requests.average),
  ratio_max_rps_to_baseline: under.length ? Math.max(...under.map((s) => s.rate)) / baseline.requests.average : 0,
  steps,
  audit: { ok: audit.ok, violations: audit.violations, totals: audit.totals },
  captured_payments: captured.rows[0]!.n,
  setup: { connections, seconds, cores: 2, split: 'one API process (or one worker process) + this load generator + Redis + PostgreSQL share the 2 cores; CPU seconds per side are in steps[].cpu' },
};
console.log(formatTable(rows));
console.log(`max_rps=${result.max_rps} p99@2000=${result.p99_ms}ms orders/s=${result.orders_per_s} audit=${audit.ok ? 'ok' : audit.violations.join('; ')}`);
say(`wrote ${writeResult('checkout', result)}`);

await commits.close();
redis.disconnect();
await pool.end();
jwksServer.close();
await services.stop();
rmSync(dataDir, { recursive: true, force: true });
process.exit(audit.ok && captured.rows[0]!.n === orders ? 0 : 1);
