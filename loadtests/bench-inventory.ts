/**
 * `npm run bench:inventory`: hold throughput of the Redis inventory against (a) itself with and
 * without ioredis auto-pipelining, (b) redis-benchmark running the same hold script by EVALSHA with
 * the same concurrency (Redis's own limit for this work), (c) naive Postgres inventories (a row per
 * section; seat rows with SKIP LOCKED) at the same concurrency. All on a private Redis and
 * PostgreSQL started here. Prints a table, writes loadtests/results/inventory.json.
 * Every phase works on one section (the flash-sale case: everyone wants the same block); Postgres
 * runs with its default durability, Redis with appendfsync everysec.
 * Env: BENCH_CONCURRENCY (50), BENCH_HOLDS (20000), BENCH_PG_SECONDS (5).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { Redis } from 'ioredis';
import { startServices } from '../scripts/services.js';
import { migrate } from '../common/db/migrate.js';
import { seedSale } from '../scripts/seed-sale.js';
import { createSeatInventory } from '../inventory/index.js';
import { shardKeys } from '../inventory/inventory-keys.js';
import { loadScripts } from '../common/lua-script-loader.js';
import { luaDir } from '../inventory/inventory-scripts.js';
import { LatencySamples } from './lib/percentiles.js';
import { formatTable, writeResult } from './lib/results.js';
import { pgRowHold, pgSkipLockedHold, pgViolations, setupPgInventories } from './inventory-bench-pg.js';

const run = promisify(execFile);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 50);
const holds = Number(process.env.BENCH_HOLDS ?? 20_000);
const pgSeconds = Number(process.env.BENCH_PG_SECONDS ?? 5);
const QUANTITY = 2;
const say = (line: string): void => void process.stderr.write(`[bench:inventory] ${line}\n`);

const dataDir = mkdtempSync(path.join(tmpdir(), 'usher-bench-inv-'));
// Postgres with its production durability (fsync, synchronous commit): what a naive inventory would run on
const services = await startServices({ dataDir, env: {}, fast: false, log: say });
const pool = new pg.Pool({ connectionString: services.databaseUrl, max: concurrency + 4 });
pool.on('error', () => undefined); // idle clients losing the server at shutdown
const redisPort = Number(new URL(services.redisUrl).port);

/** A sale with enough seats for the whole phase, one shard so every phase works on equal pools. */
async function newSale(): Promise<{ saleId: string; inventory: ReturnType<typeof createSeatInventory> }> {
  const rowsNeeded = Math.ceil(((holds + 2_000) * QUANTITY) / 100);
  const sale = await seedSale(pool, {
    key: `bench-${randomUUID()}`,
    sections: [{ name: 'Bowl', kind: 'reserved', rows: rowsNeeded, seatsPerRow: 100, tierCode: 'P1' }],
    tiers: [{ code: 'P1', name: 'Seated', priceMinor: 5000 }],
    sale: { shardCount: 1, perFanLimit: 6, holdSeconds: 3600 },
  });
  const admin = new Redis(services.redisUrl);
  const inventory = createSeatInventory({ redis: admin, pg: pool });
  await inventory.publish(sale.saleId);
  admin.disconnect();
  return { saleId: sale.saleId, inventory };
}

/** n holds through the TypeScript wrapper from `concurrency` logical clients over 8 connections. */
async function wrapperPhase(autoPipelining: boolean): Promise<{ perS: number; p50: number; p99: number; oversold: number; doubleSold: number }> {
  const { saleId } = await newSale();
  const conns = Array.from({ length: 8 }, () => new Redis(services.redisUrl, { enableAutoPipelining: autoPipelining }));
  const invs = conns.map((redis) => createSeatInventory({ redis, pg: pool }));
  const one = (j: number): Promise<unknown> => invs[j % invs.length]!.hold(saleId, randomUUID(), { kind: 'best', tierCode: 'P1', quantity: QUANTITY });
  for (let j = 0; j < 1_000; j++) await one(j); // warm-up: scripts loaded on every connection
  const samples = new LatencySamples();
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async (_, w) => {
    while (next < holds) {
      next++;
      const t = performance.now();
      await one(w);
      samples.add(performance.now() - t);
    }
  }));
  const perS = holds / ((performance.now() - t0) / 1000);
  const audit = await invs[0]!.audit(saleId);
  for (const c of conns) c.disconnect();
  return {
    perS,
    p50: samples.percentile(50),
    p99: samples.percentile(99),
    oversold: audit.violations.filter((v) => /capacity|negative/.test(v)).length,
    doubleSold: audit.violations.filter((v) => /two live|two states|does not match/.test(v)).length,
  };
}

/** redis-benchmark running holdSeats by EVALSHA, each call a fresh pass (random jti and hold key). */
async function redisBenchmarkPhase(): Promise<number> {
  const { saleId } = await newSale();
  const script = loadScripts(luaDir).find((s) => s.name === 'holdSeats')!;
  const redis = new Redis(services.redisUrl);
  const sha = String(await redis.script('LOAD', script.lua));
  redis.disconnect();
  const k = shardKeys(saleId, 0);
  const keys = [k.meta, k.seats, k.state, k.free, k.counts, k.deadlines, k.holds, k.hold('__rand_int__'), k.marker('__rand_int__'), k.round('__rand_int__')];
  // round '' = read on the shard, as the wrapper's first call does
  const args = ['EVALSHA', sha, '10', ...keys, '__rand_int__', '', 'tier', 'P1', String(QUANTITY), '0', '7200'];
  const { stdout } = await run('redis-benchmark', ['-h', '127.0.0.1', '-p', String(redisPort), '-c', String(concurrency), '-n', String(holds), '-r', '1000000000', '--csv', ...args]);
  const line = stdout.trim().split('\n').find((l) => l.includes('EVALSHA') || /^"[^"]+","[\d.]+"/.test(l));
  const rps = Number(line?.split(',')[1]?.replace(/"/g, ''));
  if (!Number.isFinite(rps)) throw new Error(`could not read redis-benchmark output:\n${stdout}`);
  return rps;
}

async function pgPhase(kind: 'row' | 'skip'): Promise<number> {
  // one section, like the Redis phases: every fan wants the same block
  await setupPgInventories(pool, 1, 200_000);
  let done = 0;
  const end = performance.now() + pgSeconds * 1000;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < end) {
      const section = 1;
      const ok = kind === 'row' ? await pgRowHold(pool, section, QUANTITY) : await pgSkipLockedHold(pool, section, QUANTITY, randomUUID());
      if (ok) done++;
    }
  }));
  return done / pgSeconds;
}

try {
  say('migrating the private PostgreSQL…');
  await migrate(services.databaseUrl);
  say(`concurrency ${concurrency}, ${holds} holds of ${QUANTITY} seats per Redis phase`);
  const plain = await wrapperPhase(false);
  say(`wrapper (plain ioredis): ${plain.perS.toFixed(0)} holds/s`);
  const piped = await wrapperPhase(true);
  say(`wrapper (auto-pipelining): ${piped.perS.toFixed(0)} holds/s`);
  const limit = await redisBenchmarkPhase();
  say(`redis-benchmark EVALSHA: ${limit.toFixed(0)} holds/s`);
  const pgRow = await pgPhase('row');
  say(`postgres row per section: ${pgRow.toFixed(0)} holds/s`);
  const pgSkip = await pgPhase('skip');
  say(`postgres SKIP LOCKED: ${pgSkip.toFixed(0)} holds/s`);
  const pgBad = await pgViolations(pool);

  const best = piped.perS > plain.perS ? piped : plain;
  const result = {
    concurrency,
    holds,
    quantity: QUANTITY,
    holds_per_s: Math.round(best.perS),
    best_client: piped.perS > plain.perS ? 'auto-pipelining' : 'plain',
    holds_per_s_plain: Math.round(plain.perS),
    holds_per_s_autopipelining: Math.round(piped.perS),
    limit_per_s: Math.round(limit),
    ratio_to_limit: Number((best.perS / limit).toFixed(3)),
    pg_row_per_s: Math.round(pgRow),
    pg_skip_locked_per_s: Math.round(pgSkip),
    speedup_vs_pg: Number((best.perS / Math.max(pgRow, pgSkip)).toFixed(2)),
    p50_ms: Number(best.p50.toFixed(3)),
    p99_ms: Number(best.p99.toFixed(3)),
    p50_ms_plain: Number(plain.p50.toFixed(3)),
    p99_ms_plain: Number(plain.p99.toFixed(3)),
    p50_ms_autopipelining: Number(piped.p50.toFixed(3)),
    p99_ms_autopipelining: Number(piped.p99.toFixed(3)),
    oversold: plain.oversold + piped.oversold + pgBad.oversold,
    double_sold: plain.doubleSold + piped.doubleSold + pgBad.doubleSold,
    targets: { ratio_to_limit: '>= 0.5', speedup_vs_pg: '>= 10', oversold: 0, double_sold: 0 },
    at: new Date().toISOString(),
  };
  process.stdout.write(`${formatTable([
    { inventory: 'redis wrapper (plain ioredis)', 'holds/s': Math.round(plain.perS), 'vs limit': plain.perS / limit, 'p50 ms': plain.p50, 'p99 ms': plain.p99 },
    { inventory: 'redis wrapper (auto-pipelining)', 'holds/s': Math.round(piped.perS), 'vs limit': piped.perS / limit, 'p50 ms': piped.p50, 'p99 ms': piped.p99 },
    { inventory: 'redis-benchmark EVALSHA (limit)', 'holds/s': Math.round(limit), 'vs limit': 1, 'p50 ms': '', 'p99 ms': '' },
    { inventory: 'postgres row per section', 'holds/s': Math.round(pgRow), 'vs limit': pgRow / limit, 'p50 ms': '', 'p99 ms': '' },
    { inventory: 'postgres SKIP LOCKED seats', 'holds/s': Math.round(pgSkip), 'vs limit': pgSkip / limit, 'p50 ms': '', 'p99 ms': '' },
  ])}\n`);
  process.stdout.write(`ratio_to_limit ${result.ratio_to_limit} (target ≥ 0.5), speedup_vs_pg ${result.speedup_vs_pg} (target ≥ 10), oversold ${result.oversold}, double_sold ${result.double_sold}\n`);
  process.stdout.write(`written ${writeResult('inventory', result)}\n`);
} finally {
  await pool.end();
  await services.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
