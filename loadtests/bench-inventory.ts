/**
 * `npm run bench:inventory`: what a hold costs, as ratios to baselines measured in the same run on
 * the same private Redis and PostgreSQL, and as CPU per hold (Redis's INFO accounting, the client's
 * process.cpuUsage), so the figures carry from one machine to another:
 * - floor: a trivial script by EVALSHA over the same connections and concurrency (what any
 *   one-script hold pays), with no arguments and with the hold's 10 keys and 7 arguments;
 * - holds through the TypeScript wrapper (its per-shard coalescer on, and off for best available), per mode (best available, best N together, explicit
 *   seats), with and without ioredis auto-pipelining for best available;
 * - redis-benchmark running the trivial script and the same hold script by EVALSHA (Redis's own
 *   limit, without a Node client);
 * - naive PostgreSQL inventories (a row per section; seat rows with SKIP LOCKED), same concurrency;
 * - curve: holds/s and Redis µs per hold at 1k, 10k and 50k seats on one shard, per mode, each
 *   measured in bursts with the pool refilled by releases between them (not measured).
 * - callgrind: Redis instructions per trivial EVALSHA and per best-available hold, one call per hold
 *   and in batches of 5 and 25, counted by valgrind on a second private redis-server (repeatable on
 *   a busy machine; inventory-bench-callgrind.ts), on the production persistence (AOF, fsync every
 *   second: the hold's writes are propagated), also without serverCron (it runs by the clock, not
 *   per operation); skipped when valgrind is not installed. CALLGRIND_KEEP=<dir> keeps the dumps.
 * A step where the rest of the machine took more than NOISY_SHARE of the CPU is marked noisy.
 * Prints progress and tables; writes loadtests/results/inventory.json.
 * Env: BENCH_CONCURRENCY (50), BENCH_HOLDS (20000), BENCH_PG_SECONDS (5), CURVE_HOLDS (3000),
 * CALLGRIND_OPS (1000), BENCH_PHASES (floor,holds,redis-benchmark,pg,curve,callgrind); `-- --curve` runs the curve alone.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { Redis } from 'ioredis';
import { startServices, which } from '../scripts/services.js';
import { callgrindPhase, type InstructionCount } from './inventory-bench-callgrind.js';
import { migrate } from '../common/db/migrate.js';
import { holdSeatsKeys, shardKeys } from '../inventory/inventory-keys.js';
import { loadScripts } from '../common/lua-script-loader.js';
import { luaDir } from '../inventory/inventory-scripts.js';
import type { Hold } from '../inventory/index.js';
import { formatTable, writeResult } from './lib/results.js';
import { NOISY_SHARE } from './lib/machine-cpu.js';
import { StepMeter, round, type StepCost } from './lib/step-meter.js';
import { pgRowHold, pgSkipLockedHold, pgViolations, setupPgInventories } from './inventory-bench-pg.js';
import { FLOOR_LUA, HoldDriver, QUANTITY, newSale, type BenchSale, type HoldMode } from './inventory-bench-holds.js';

const run = promisify(execFile);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 50);
const holds = Number(process.env.BENCH_HOLDS ?? 20_000);
const pgSeconds = Number(process.env.BENCH_PG_SECONDS ?? 5);
const curveHolds = Number(process.env.CURVE_HOLDS ?? 3_000);
const callgrindOps = Number(process.env.CALLGRIND_OPS ?? 1_000);
const CURVE_SIZES = [1_000, 10_000, 50_000];
const MODES: HoldMode[] = ['best', 'together', 'seats'];
const phases = new Set((process.argv.includes('--curve') ? 'curve' : (process.env.BENCH_PHASES ?? 'floor,holds,redis-benchmark,pg,curve,callgrind')).split(','));
const say = (line: string): void => void process.stderr.write(`[bench:inventory] ${line}\n`);

const dataDir = mkdtempSync(path.join(tmpdir(), 'usher-bench-inv-'));
// Postgres with its production durability (fsync, synchronous commit): what a naive inventory would run on
const services = await startServices({ dataDir, env: {}, fast: false, log: say });
const pool = new pg.Pool({ connectionString: services.databaseUrl, max: concurrency + 4 });
pool.on('error', () => undefined); // idle clients losing the server at shutdown
const redisPort = Number(new URL(services.redisUrl).port);
const admin = new Redis(services.redisUrl);

interface Step extends StepCost {
  step: string;
  p50_ms?: number;
  p99_ms?: number;
}
const steps: Step[] = [];
let violations = { oversold: 0, double_sold: 0 };

function record(step: string, cost: StepCost, latency?: { percentile(p: number): number }): Step {
  const s: Step = { step, ...cost, ...(latency ? { p50_ms: round(latency.percentile(50), 3), p99_ms: round(latency.percentile(99), 3) } : {}) };
  steps.push(s);
  say(`${step}: ${s.ops_per_s} ops/s, Redis ${s.redis_us_per_op} µs/op (${s.redis_calls_per_op} commands), client ${s.client_us_per_op} µs/op${s.noisy ? `, NOISY (rest of machine ${(s.rest_of_machine_share * 100).toFixed(0)}%)` : ''}`);
  return s;
}

async function auditHolds(driver: HoldDriver, sale: BenchSale): Promise<void> {
  const audit = await driver.invs[0]!.audit(sale.saleId);
  violations = {
    oversold: violations.oversold + audit.violations.filter((v) => /capacity|negative/.test(v)).length,
    double_sold: violations.double_sold + audit.violations.filter((v) => /two live|two states|does not match/.test(v)).length,
  };
  if (!audit.ok) say(`AUDIT: ${audit.violations.slice(0, 5).join('; ')}`);
}

/** Warm-up (scripts loaded on every connection, JIT) on a pool of its own. */
async function warm(driver: HoldDriver, mode: HoldMode): Promise<void> {
  const sale = await newSale(pool, services.redisUrl, 2_000);
  await driver.holds(sale, mode, 500);
}

async function floorPhase(meter: StepMeter, autoPipelining: boolean): Promise<void> {
  const driver = new HoldDriver(services.redisUrl, pool, autoPipelining, concurrency);
  const client = autoPipelining ? 'auto-pipelining' : 'plain';
  try {
    await driver.floor(2_000);
    let stop = await meter.start();
    await driver.floor(holds);
    record(`floor EVALSHA 'return 1' (${client})`, await stop(holds));
    const keys = holdSeatsKeys(shardKeys(randomUUID(), 0), 'x');
    stop = await meter.start();
    await driver.floor(holds, keys, ['x', '', 'section', 'x', '2', '0', '7200']);
    record(`floor EVALSHA, hold's 10 keys + 7 args (${client})`, await stop(holds));
  } finally {
    driver.close();
  }
}

/** `unbatched`: one script call per hold (the coalescer off), the same run's before for the batches. */
async function holdPhase(meter: StepMeter, mode: HoldMode, autoPipelining: boolean, unbatched = false): Promise<void> {
  const driver = new HoldDriver(services.redisUrl, pool, autoPipelining, concurrency, unbatched ? { maxBatch: 1 } : undefined);
  try {
    await warm(driver, mode);
    const sale = await newSale(pool, services.redisUrl, (holds + 1_000) * QUANTITY);
    const stop = await meter.start();
    const { latency } = await driver.holds(sale, mode, holds);
    record(`hold ${mode} (${autoPipelining ? 'auto-pipelining' : 'plain'}${unbatched ? ', one call per hold' : ''})`, await stop(holds), latency);
    await auditHolds(driver, sale);
  } finally {
    driver.close();
  }
}

/** redis-benchmark running `script` by EVALSHA, each call a fresh pass (random jti and hold key). */
async function redisBenchmark(meter: StepMeter, label: string, lua: string, numKeys: number, keysAndArgs: string[]): Promise<void> {
  const sha = String(await admin.script('LOAD', lua));
  const args = ['EVALSHA', sha, String(numKeys), ...keysAndArgs];
  const stop = await meter.start();
  const { stdout } = await run('redis-benchmark', ['-h', '127.0.0.1', '-p', String(redisPort), '-c', String(concurrency), '-n', String(holds), '-r', '1000000000', '--csv', ...args]);
  const cost = await stop(holds);
  const line = stdout.trim().split('\n').find((l) => l.includes('EVALSHA') || /^"[^"]+","[\d.]+"/.test(l));
  const rps = Number(line?.split(',')[1]?.replace(/"/g, ''));
  if (!Number.isFinite(rps)) throw new Error(`could not read redis-benchmark output:\n${stdout}`);
  // redis-benchmark's own clock (its figure excludes its start-up)
  record(label, { ...cost, ops_per_s: Math.round(rps) });
}

async function redisBenchmarkPhase(meter: StepMeter): Promise<void> {
  await redisBenchmark(meter, "redis-benchmark EVALSHA 'return 1'", FLOOR_LUA, 0, []);
  const script = loadScripts(luaDir).find((s) => s.name === 'holdSeats')!;
  for (const together of [false, true]) {
    const sale = await newSale(pool, services.redisUrl, (holds + 1_000) * QUANTITY);
    const keys = holdSeatsKeys(shardKeys(sale.saleId, 0), '__rand_int__');
    // round '' = read on the shard, as the wrapper's first call does
    await redisBenchmark(meter, `redis-benchmark hold ${together ? 'together' : 'best'}`, script.lua, script.numberOfKeys,
      [...keys, '__rand_int__', '', 'section', sale.sectionId, String(QUANTITY), together ? '1' : '0', '7200']);
  }
}

async function pgPhase(meter: StepMeter, kind: 'row' | 'skip'): Promise<void> {
  // one section, like the Redis phases: every fan wants the same block
  await setupPgInventories(pool, 1, 200_000);
  let done = 0;
  const stop = await meter.start();
  const end = performance.now() + pgSeconds * 1000;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < end) {
      const ok = kind === 'row' ? await pgRowHold(pool, 1, QUANTITY) : await pgSkipLockedHold(pool, 1, QUANTITY, randomUUID());
      if (ok) done++;
    }
  }));
  record(kind === 'row' ? 'postgres row per section' : 'postgres SKIP LOCKED seats', await stop(done));
}

/** Weighted sum of several windows of one cell of the curve. */
function combine(parts: StepCost[]): StepCost {
  const ops = parts.reduce((a, p) => a + p.ops, 0);
  const seconds = parts.reduce((a, p) => a + p.seconds, 0);
  const w = (f: (p: StepCost) => number): number => round(parts.reduce((a, p) => a + f(p) * p.ops, 0) / ops, 2);
  const share = parts.reduce((a, p) => a + p.rest_of_machine_share * p.seconds, 0) / seconds;
  return {
    ops, seconds: round(seconds, 3), ops_per_s: Math.round(ops / seconds),
    redis_us_per_op: w((p) => p.redis_us_per_op), redis_script_us_per_op: w((p) => p.redis_script_us_per_op),
    redis_calls_per_op: w((p) => p.redis_calls_per_op), client_us_per_op: w((p) => p.client_us_per_op),
    postgres_us_per_op: w((p) => p.postgres_us_per_op), rest_of_machine_share: round(share, 3), noisy: share > NOISY_SHARE,
  };
}

interface CurvePoint extends StepCost { seats: number; mode: HoldMode }
const curve: CurvePoint[] = [];
const memory = { bytes_per_1000_seats: Number.NaN, bytes_per_1000_holds: Number.NaN };

async function curvePhase(meter: StepMeter): Promise<void> {
  const driver = new HoldDriver(services.redisUrl, pool, true, concurrency);
  try {
    for (const mode of MODES) await warm(driver, mode);
    for (const size of CURVE_SIZES) {
      const before = Number(/used_memory:(\d+)/.exec(await admin.info('memory'))![1]);
      const sale = await newSale(pool, services.redisUrl, size);
      const published = Number(/used_memory:(\d+)/.exec(await admin.info('memory'))![1]);
      if (size === CURVE_SIZES.at(-1)) memory.bytes_per_1000_seats = Math.round(((published - before) / size) * 1000);
      // bursts of at most 40% of the pool, refilled by releasing them (not measured)
      const burst = Math.min(500, Math.floor((size * 0.4) / QUANTITY));
      for (const mode of MODES) {
        const parts: StepCost[] = [];
        let done = 0;
        while (done < curveHolds) {
          const n = Math.min(burst, curveHolds - done);
          const memBefore = Number(/used_memory:(\d+)/.exec(await admin.info('memory'))![1]);
          const stop = await meter.start();
          const { results } = await driver.holds(sale, mode, n, done * QUANTITY);
          parts.push(await stop(n));
          if (size === CURVE_SIZES[0] && mode === 'best' && done === 0) {
            const memAfter = Number(/used_memory:(\d+)/.exec(await admin.info('memory'))![1]);
            memory.bytes_per_1000_holds = Math.round(((memAfter - memBefore) / n) * 1000);
          }
          await driver.releaseAll(results as Hold[]);
          done += n;
        }
        const point: CurvePoint = { seats: size, mode, ...combine(parts) };
        curve.push(point);
        say(`curve ${size} seats, ${mode}: ${point.ops_per_s} holds/s, Redis ${point.redis_us_per_op} µs/hold (${point.redis_calls_per_op} commands)${point.noisy ? ', NOISY' : ''}`);
      }
      await auditHolds(driver, sale);
    }
  } finally {
    driver.close();
  }
}

try {
  say('migrating the private PostgreSQL…');
  await migrate(services.databaseUrl);
  const { rows: [backend] } = await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  const postmasterPid = Number(readFileSync(`/proc/${backend!.pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
  const meter = await StepMeter.create(admin, postmasterPid);
  say(`phases ${[...phases].join(', ')}; concurrency ${concurrency}, ${holds} holds of ${QUANTITY} seats per step; noisy when the rest of the machine takes > ${NOISY_SHARE * 100}% of the CPU`);
  if (phases.has('floor')) for (const piped of [false, true]) await floorPhase(meter, piped);
  if (phases.has('holds')) {
    await holdPhase(meter, 'best', false);
    for (const mode of MODES) await holdPhase(meter, mode, true);
    await holdPhase(meter, 'best', true, true);
  }
  if (phases.has('redis-benchmark')) await redisBenchmarkPhase(meter);
  if (phases.has('pg')) {
    await pgPhase(meter, 'row');
    await pgPhase(meter, 'skip');
    const bad = await pgViolations(pool);
    violations = { oversold: violations.oversold + bad.oversold, double_sold: violations.double_sold + bad.doubleSold };
  }
  if (phases.has('curve')) await curvePhase(meter);
  let instructions: InstructionCount[] = [];
  if (phases.has('callgrind')) {
    if (which('valgrind') && which('callgrind_control')) instructions = await callgrindPhase(pool, [1, 5, 25], callgrindOps, say);
    else say('callgrind: valgrind is not installed, phase skipped');
  }

  const find = (name: string): Step | undefined => steps.find((s) => s.step === name);
  const ratio = (a: number | undefined, b: number | undefined): number => (a !== undefined && b !== undefined ? round(a / b, 3) : Number.NaN);
  const floorPiped = find("floor EVALSHA 'return 1' (auto-pipelining)");
  const floorPlain = find("floor EVALSHA 'return 1' (plain)");
  const floorOf = (s: Step): Step | undefined => (s.step.includes('(plain)') ? floorPlain : s.step.startsWith('redis-benchmark') ? find("redis-benchmark EVALSHA 'return 1'") : floorPiped);
  const pgRow = find('postgres row per section');
  const rbFor = (mode: string): Step | undefined => find(`redis-benchmark hold ${mode === 'seats' ? 'best' : mode}`);
  const perMode = steps.filter((s) => s.step.startsWith('hold ')).map((s) => {
    const mode = s.step.split(' ')[1]!;
    const floor = floorOf(s);
    return {
      step: s.step,
      holds_per_s: s.ops_per_s,
      vs_floor_ops: ratio(s.ops_per_s, floor?.ops_per_s),
      vs_redis_benchmark_same_script: ratio(s.ops_per_s, rbFor(mode)?.ops_per_s),
      vs_pg_row_per_section: ratio(s.ops_per_s, pgRow?.ops_per_s),
      redis_us_per_hold: s.redis_us_per_op,
      redis_cpu_vs_floor: ratio(s.redis_us_per_op, floor?.redis_us_per_op),
      client_us_per_hold: s.client_us_per_op,
      noisy: s.noisy || Boolean(floor?.noisy),
    };
  });
  const flatness = MODES.map((mode) => {
    const at = (n: number): CurvePoint | undefined => curve.find((c) => c.mode === mode && c.seats === n);
    const small = at(CURVE_SIZES[0]!);
    const large = at(CURVE_SIZES.at(-1)!);
    return { mode, redis_us_50k_vs_1k: ratio(large?.redis_us_per_op, small?.redis_us_per_op), holds_per_s_1k_vs_50k: ratio(small?.ops_per_s, large?.ops_per_s) };
  });
  const bestPiped = perMode.find((m) => m.step === 'hold best (auto-pipelining)');
  const bestPlain = perMode.find((m) => m.step === 'hold best (plain)');
  const bestAlone = perMode.find((m) => m.step === 'hold best (auto-pipelining, one call per hold)');
  const rbBest = find('redis-benchmark hold best');
  const rbFloor = find("redis-benchmark EVALSHA 'return 1'");
  const result = {
    concurrency,
    holds,
    quantity: QUANTITY,
    noisy_share: NOISY_SHARE,
    // the figures earlier runs reported, kept under their names
    holds_per_s: bestPiped?.holds_per_s ?? bestPlain?.holds_per_s,
    limit_per_s: rbBest?.ops_per_s,
    ratio_to_limit: ratio(bestPiped?.holds_per_s, rbBest?.ops_per_s),
    pg_row_per_s: pgRow?.ops_per_s,
    pg_skip_locked_per_s: find('postgres SKIP LOCKED seats')?.ops_per_s,
    speedup_vs_pg: bestPiped?.vs_pg_row_per_section,
    redis_us_per_best_hold: bestPiped?.redis_us_per_hold,
    redis_us_per_floor_call: floorPiped?.redis_us_per_op,
    redis_cpu_best_hold_vs_floor: bestPiped?.redis_cpu_vs_floor,
    // the same holds with the per-shard coalescer off (inventory/hold-batcher.ts): what batching bought in this run
    redis_us_per_best_hold_one_call_each: bestAlone?.redis_us_per_hold,
    redis_cpu_best_hold_one_call_each_vs_floor: bestAlone?.redis_cpu_vs_floor,
    redis_benchmark_cpu_hold_vs_floor: ratio(rbBest?.redis_us_per_op, rbFloor?.redis_us_per_op),
    per_mode: perMode,
    // instructions per operation (valgrind; user space only): the figure that repeats on a shared machine
    callgrind: instructions,
    callgrind_best_hold_vs_floor: Object.fromEntries(instructions.filter((c) => c.step.startsWith('hold')).map((c) => [c.step, ratio(c.instructions_per_op, instructions[0]?.instructions_per_op)])),
    callgrind_best_hold_vs_floor_without_cron: Object.fromEntries(instructions.filter((c) => c.step.startsWith('hold'))
      .map((c) => [c.step, ratio(c.instructions_per_op_without_cron, instructions[0]?.instructions_per_op_without_cron)])),
    flatness,
    memory,
    curve,
    steps,
    oversold: violations.oversold,
    double_sold: violations.double_sold,
    targets: { redis_cpu_best_hold_vs_floor: '<= 2', redis_us_50k_vs_1k: '<= 1.5 per mode', speedup_vs_pg: '>= 30', oversold: 0, double_sold: 0 },
    at: new Date().toISOString(),
  };
  const cell = (x: number | undefined): string | number => (x === undefined || !Number.isFinite(x) ? '' : x);
  process.stdout.write(`${formatTable(steps.map((s) => ({
    step: s.step, 'ops/s': s.ops_per_s, 'Redis µs/op': s.redis_us_per_op, 'script µs/op': s.redis_script_us_per_op, 'cmds/op': s.redis_calls_per_op,
    'client µs/op': s.client_us_per_op, 'p99 ms': cell(s.p99_ms), 'rest %': Math.round(s.rest_of_machine_share * 100), noisy: s.noisy ? 'NOISY' : '',
  })))}\n\n`);
  if (perMode.length > 0) {
    process.stdout.write(`${formatTable(perMode.map((m) => ({
      hold: m.step, 'holds/s': m.holds_per_s, 'vs floor': cell(m.vs_floor_ops), 'vs redis-benchmark': cell(m.vs_redis_benchmark_same_script), 'vs pg row': cell(m.vs_pg_row_per_section),
      'Redis µs/hold': m.redis_us_per_hold, 'Redis CPU vs floor': cell(m.redis_cpu_vs_floor), 'client µs/hold': m.client_us_per_hold, noisy: m.noisy ? 'NOISY' : '',
    })))}\n\n`);
  }
  if (curve.length > 0) {
    process.stdout.write(`${formatTable(curve.map((c) => ({
      seats: c.seats, mode: c.mode, 'holds/s': c.ops_per_s, 'Redis µs/hold': c.redis_us_per_op, 'cmds/hold': c.redis_calls_per_op, 'client µs/hold': c.client_us_per_op, noisy: c.noisy ? 'NOISY' : '',
    })))}\n`);
    process.stdout.write(`flatness (Redis µs/hold at 50k ÷ at 1k, target ≤ 1.5): ${flatness.map((f) => `${f.mode} ${f.redis_us_50k_vs_1k}`).join(', ')}\n`);
  }
  if (instructions.length > 0) {
    process.stdout.write(`${formatTable(instructions.map((c) => ({
      'callgrind step': c.step, 'instructions/op': c.instructions_per_op, 'vs floor': ratio(c.instructions_per_op, instructions[0]!.instructions_per_op),
      'without serverCron': cell(c.instructions_per_op_without_cron), 'vs floor, without': ratio(c.instructions_per_op_without_cron, instructions[0]!.instructions_per_op_without_cron),
    })))}\n\n`);
  }
  if (bestPiped) process.stdout.write(`Redis CPU per best hold vs floor ${result.redis_cpu_best_hold_vs_floor} (target ≤ 2), speedup_vs_pg ${result.speedup_vs_pg ?? 'not run'}\n`);
  process.stdout.write(`oversold ${result.oversold}, double_sold ${result.double_sold}; a NOISY step had the rest of the machine above ${NOISY_SHARE * 100}% of the CPU\n`);
  process.stdout.write(`written ${writeResult('inventory', result)}\n`);
} finally {
  admin.disconnect();
  await pool.end();
  await services.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
