/**
 * `npm run capacity`: writes loadtests/CAPACITY.md, a capacity model past one machine built from
 * per-operation costs. It measures the queue's costs itself on a private Redis (joins, admission
 * ticks, takes, memory per waiting fan: about 30 s), reads the hold costs and Redis memory per seat
 * and per hold from loadtests/results/inventory.json (running a short `bench:inventory` when that
 * file is missing) and edge memory per fan from loadtests/results/edge.json when `bench:edge` has
 * run. The document says where each figure came from.
 * Flags: --fans 1000000 --seats 100000 --admits 2000 --holds (= admits) --join-window 600
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify, parseArgs } from 'node:util';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { startRedis } from '../scripts/services.js';
import { initSaleSettings } from '../admission/sale-controls.js';
import { queueKeys } from '../admission/queue-keys.js';
import { queueStore, type TickOptions } from '../queue-edge/queue-store.js';
import { openEmptyQueue } from '../queue-edge/opening-draw.js';
import { resultsDir } from './lib/results.js';
import { StepMeter, round, type StepCost } from './lib/step-meter.js';
import { defaultAssumptions, plan, type OnSale, type UnitCosts } from './capacity-model.js';

const { values } = parseArgs({
  options: { fans: { type: 'string', default: '1000000' }, seats: { type: 'string', default: '100000' }, admits: { type: 'string', default: '2000' }, holds: { type: 'string' }, 'join-window': { type: 'string', default: '600' } },
});
const onSale: OnSale = {
  fans: Number(values.fans), seats: Number(values.seats), admitsPerS: Number(values.admits),
  holdsPerS: Number(values.holds ?? values.admits), joinWindowS: Number(values['join-window']),
};
const say = (line: string): void => void process.stderr.write(`[capacity] ${line}\n`);
const here = path.dirname(fileURLToPath(import.meta.url));
const JOINS = 20_000;
const CONCURRENCY = 50;

async function measureQueue(): Promise<{ joinUs: number; idleTickUs: number; admitUs: number; takeUs: number; bytesPerFan: number; steps: Record<string, StepCost> }> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'usher-capacity-'));
  const server = await startRedis({ dataDir });
  const admin = new Redis(server.url);
  const conns = Array.from({ length: 4 }, () => new Redis(server.url, { enableAutoPipelining: true }));
  const stores = conns.map((c) => queueStore(c));
  const meter = await StepMeter.create(admin);
  const steps: Record<string, StepCost> = {};
  const parallel = async (n: number, op: (j: number) => Promise<unknown>): Promise<void> => {
    let next = 0;
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (next < n) await op(next++);
    }));
  };
  const newSale = async (ratePerMin: number): Promise<string> => {
    const saleId = `cap-${randomUUID()}`;
    await initSaleSettings(admin, saleId, { ratePerMin, maxActive: 1_000_000_000, opensAtMs: 0, closesAtMs: Date.now() + 3_600_000, prequeueOpensAtMs: 0 });
    await openEmptyQueue(stores[0]!, saleId); // the (empty) opening draw: joins go straight into the queue
    return saleId;
  };
  const tick: TickOptions = { seats: 'on_sale', offerTtlMs: 600_000, graceMs: 600_000, maxBatch: 1000, edgeId: 'capacity', connected: 0, burstS: 2 };
  try {
    const sale = await newSale(120_000);
    const mem = async (): Promise<number> => Number(/used_memory:(\d+)/.exec(await admin.info('memory'))![1]);
    say(`${JOINS} joins…`);
    await parallel(1_000, (j) => stores[j % 4]!.join(sale, randomUUID(), true));
    const before = await mem();
    let stop = await meter.start();
    // visitor ids as long as real ones (a UUID): the memory per fan depends on them
    await parallel(JOINS, (j) => stores[j % 4]!.join(sale, randomUUID(), true));
    steps.join = await stop(JOINS);
    const bytesPerFan = (await mem() - before) / JOINS;

    say('idle admission ticks (a sale admitting 1 a minute)…');
    const idle = await newSale(1);
    await parallel(1_000, (j) => stores[j % 4]!.join(idle, randomUUID(), true));
    stop = await meter.start();
    for (let j = 0; j < 500; j++) await stores[0]!.tick(idle, tick);
    steps.idle_tick = await stop(500);

    say('admitting ticks (2,000 fans/s) and takes…');
    let admitted = 0;
    let ticks = 0;
    stop = await meter.start();
    while (admitted < 8_000) {
      const r = await stores[0]!.tick(sale, tick);
      admitted += r.made;
      ticks++;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const admitting = await stop(admitted);
    steps.admit = admitting;
    const offered = await admin.zrange(queueKeys(sale).offers, 0, -1);
    stop = await meter.start();
    await parallel(offered.length, (j) => stores[j % 4]!.take(sale, offered[j]!, { jti: randomUUID(), leaseDeadlineMs: Date.now() + 600_000, token: 'capacity.pass.token' }));
    steps.take = await stop(offered.length);
    // an admitted fan: its share of the ticks beyond what they cost idle, and its take
    const perAdmit = (admitting.redis_us_per_op * admitted - ticks * steps.idle_tick.redis_us_per_op) / admitted;
    return {
      joinUs: steps.join.redis_us_per_op,
      idleTickUs: steps.idle_tick.redis_us_per_op,
      admitUs: round(perAdmit + steps.take.redis_us_per_op, 2),
      takeUs: steps.take.redis_us_per_op,
      bytesPerFan: round(bytesPerFan, 1),
      steps,
    };
  } finally {
    for (const c of conns) c.disconnect();
    admin.disconnect();
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

interface InventoryJson {
  at: string;
  redis_us_per_best_hold?: number;
  redis_us_per_floor_call?: number;
  per_mode?: { step: string; redis_us_per_hold: number; noisy: boolean }[];
  memory?: { bytes_per_1000_seats: number; bytes_per_1000_holds: number };
  steps?: { step: string; redis_calls_per_op: number }[];
}

async function inventoryFigures(): Promise<{ json: InventoryJson; source: string }> {
  const file = path.join(resultsDir, 'inventory.json');
  const usable = (j: InventoryJson): boolean => Number.isFinite(j.redis_us_per_best_hold) && Number.isFinite(j.memory?.bytes_per_1000_seats);
  if (existsSync(file)) {
    const json = JSON.parse(readFileSync(file, 'utf8')) as InventoryJson;
    if (usable(json)) return { json, source: `read from loadtests/results/inventory.json (\`npm run bench:inventory\` of ${json.at})` };
  }
  say('no usable inventory.json: a short bench:inventory (about a minute)…');
  await promisify(execFile)(process.execPath, ['--import', 'tsx', path.join(here, 'bench-inventory.ts')], {
    env: { ...process.env, BENCH_PHASES: 'floor,holds,curve', BENCH_HOLDS: '5000', CURVE_HOLDS: '600' },
    maxBuffer: 1 << 24,
  });
  const json = JSON.parse(readFileSync(file, 'utf8')) as InventoryJson;
  return { json, source: `measured now by a short \`bench:inventory\` (BENCH_HOLDS=5000, ${json.at})` };
}

function edgeFigure(): { kbPerFan: number; source: string } {
  const file = path.join(resultsDir, 'edge.json');
  if (existsSync(file)) {
    const json = JSON.parse(readFileSync(file, 'utf8')) as { date: string; runs: { fans: number; rss_kb_per_fan_peak?: number; rss_kb_per_fan?: number }[] };
    const largest = [...json.runs].sort((a, b) => b.fans - a.fans)[0];
    const kb = largest?.rss_kb_per_fan_peak ?? largest?.rss_kb_per_fan;
    if (largest && kb !== undefined && Number.isFinite(kb)) return { kbPerFan: kb, source: `read from loadtests/results/edge.json (\`npm run bench:edge\` of ${json.date}, peak RSS per fan at ${largest.fans} fans)` };
  }
  return { kbPerFan: 3, source: 'NOT measured here (no loadtests/results/edge.json): the bench:edge ceiling of 3 KB per fan is used; run `npm run bench:edge` and this command again' };
}

const gib = (b: number): string => `${(b / 1024 ** 3).toFixed(2)} GiB`;
const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
const n0 = (x: number): string => Math.round(x).toLocaleString('en-US');

say('measuring the queue on a private Redis…');
const queue = await measureQueue();
const inv = await inventoryFigures();
const edge = edgeFigure();
const holdUs = inv.json.redis_us_per_best_hold!;
const costs: UnitCosts = {
  joinUs: queue.joinUs, idleTickUs: queue.idleTickUs, admitUs: queue.admitUs, holdUs,
  bytesPerFan: queue.bytesPerFan, bytesPerSeat: inv.json.memory!.bytes_per_1000_seats / 1000, bytesPerHold: inv.json.memory!.bytes_per_1000_holds / 1000,
  edgeKbPerFan: edge.kbPerFan,
};
const scenarios: { name: string; sale: OnSale }[] = [
  { name: 'the on-sale asked for', sale: onSale },
  { name: '10× the fans', sale: { ...onSale, fans: onSale.fans * 10 } },
  { name: '5,000 holds/s', sale: { ...onSale, admitsPerS: 5_000, holdsPerS: 5_000 } },
];
const plans = scenarios.map((s) => ({ ...s, plan: plan(costs, s.sale) }));
const a = defaultAssumptions;
const noisy = Object.entries(queue.steps).filter(([, s]) => s.noisy).map(([k, s]) => `${k} (${pct(s.rest_of_machine_share)})`);
const holdNoisy = inv.json.per_mode?.find((m) => m.step === 'hold best (auto-pipelining)')?.noisy;
const holdCalls = inv.json.steps?.find((s) => s.step === 'hold best (auto-pipelining)')?.redis_calls_per_op;

const doc = `# Capacity model

Generated by \`npm run capacity\` on ${new Date().toISOString()} (${process.argv.slice(2).join(' ') || 'default flags'}).
Do not edit: run the command again. Costs are CPU per operation from Redis's own accounting
(\`INFO cpu\`: sys + user over the measured window ÷ operations), which carry across machines far
better than operations per second; the machine here has 2 shared cores.

## Where the figures come from

| figure | source |
|---|---|
| queue: join, admission tick, take, Redis memory per waiting fan | measured now: ${n0(JOINS)} joins, 500 idle ticks, ticks admitting 2,000 fans/s, a take per admitted fan, on a private Redis (AOF everysec, as in production)${noisy.length > 0 ? `; NOISY steps (rest of the machine > 10% of the CPU): ${noisy.join(', ')}` : ''} |
| holds: Redis CPU per best-available hold; Redis memory per seat and per live hold | ${inv.source}${holdNoisy ? '; that hold step was NOISY' : ''} |
| edge memory per waiting fan | ${edge.source} |

## Per-unit costs

| unit | Redis CPU | Redis memory | notes |
|---|---|---|---|
| one fan joining | ${costs.joinUs} µs | ${n0(costs.bytesPerFan)} B per waiting fan (${n0(costs.bytesPerFan * 1000 / 1024)} KiB per 1,000) | join-8.lua |
| one admission tick (per edge process, per sale, per EDGE_TICK_MS) | ${costs.idleTickUs} µs | — | admit-12.lua with nothing to admit; position updates ride on it (one read per tick per edge, broadcast by uWS) |
| one admitted fan | ${costs.admitUs} µs | — | its share of the admitting ticks (${round(costs.admitUs - queue.takeUs, 2)} µs) + taking the offer (take-5.lua, ${queue.takeUs} µs) |
| one best-available hold | ${holdUs} µs${holdCalls ? ` (${holdCalls} Redis commands)` : ''} | ${n0(costs.bytesPerHold)} B per live hold | holdSeats-10.lua through the TypeScript wrapper |
| one seat published | — | ${n0(costs.bytesPerSeat)} B (${n0(costs.bytesPerSeat)} KB per 1,000) | seat map, state, free set, run index |
| 1,000 waiting fans, steady | 0 Redis ops/s of their own | ${n0(costs.bytesPerFan)} KB | the edge's tick is the only Redis work while they wait |
| one waiting fan on an edge | — | edge ${costs.edgeKbPerFan.toFixed(2)} KB RSS | |

## Assumptions (not measured)

- a Redis master is full at ${pct(a.redisCoreBudget)} of one core or ${gib(a.redisMemoryBudget)} (headroom for bursts, AOF rewrite, replication);
- an edge process holds at most ${n0(a.fansPerEdgeByFiles)} fans (the 20,000 open-files limit with a margin) and ${n0(a.edgeMemoryBudgetKb / 1024)} MiB of fan state;
- each edge process ticks each sale ${a.ticksPerEdgePerS}×/s (EDGE_TICK_MS=1000);
- one hold per admitted fan; a hold lives ${a.holdLifeS} s on average; fans arrive over the join window.

## Plans

| | ${plans.map((p) => p.name).join(' | ')} |
|---|${plans.map(() => '---').join('|')}|
| fans / seats / admits per s / holds per s / join window | ${plans.map((p) => `${n0(p.sale.fans)} / ${n0(p.sale.seats)} / ${n0(p.sale.admitsPerS)} / ${n0(p.sale.holdsPerS)} / ${p.sale.joinWindowS} s`).join(' | ')} |
| edge processes (fans each) | ${plans.map((p) => `${n0(p.plan.edgeProcesses)} (${n0(p.plan.fansPerEdge)})`).join(' | ')} |
| edge pods at 2 processes per pod | ${plans.map((p) => n0(Math.ceil(p.plan.edgeProcesses / 2))).join(' | ')} |
| joins/s | ${plans.map((p) => n0(p.plan.joinsPerS)).join(' | ')} |
| queue slot: share of one core | ${plans.map((p) => pct(p.plan.queueSlotCoreShare)).join(' | ')} |
| queue slot: memory | ${plans.map((p) => gib(p.plan.queueSlotMemoryBytes)).join(' | ')} |
| inventory: cores / memory | ${plans.map((p) => `${p.plan.inventoryCoreShare.toFixed(2)} / ${gib(p.plan.inventoryMemoryBytes)}`).join(' | ')} |
| Redis masters (inventory + the queue's) | ${plans.map((p) => `${p.plan.inventoryMasters} + 1`).join(' | ')} |
| first wall | ${plans.map((p) => p.plan.firstWall).join(' | ')} |

## The first wall: one sale's queue is one slot

Every key of a sale's queue shares the hash tag \`{<sale>}\`, so one sale's queue lives on one Redis
master and runs on its one main thread. With nothing else on that master the slot tops out at about
**${n0(plans[0]!.plan.queueSlotMaxJoinsPerS)} joins/s** (${pct(a.redisCoreBudget)} of a core ÷ ${costs.joinUs} µs per join) and
**${n0(plans[0]!.plan.queueSlotMaxFans)} waiting fans** (${gib(a.redisMemoryBudget)} ÷ ${n0(costs.bytesPerFan)} B). Ticks add
${costs.idleTickUs} µs per edge process per second, so the number of edge processes is part of the
slot's load: at ${n0(plans[1]!.plan.edgeProcesses)} processes that alone is ${pct((plans[1]!.plan.edgeProcesses * costs.idleTickUs) / 1e6)} of a core.
Inventory shards spread over the other masters (a hold touches one shard; shards = 2 × masters × 4
by default), so holds scale by adding masters; the queue does not.

A sale past the slot's ceiling is split into K sub-queues, \`{<sale>:q<k>}\`, a fan's sub-queue
chosen by hash of the visitor id (a reconnect finds its place again): each sub-queue gets rate ÷ K
and max shoppers ÷ K, its own serving counter and token bucket, and the pre-queue shuffle runs per
sub-queue; edges tick every sub-queue they hold fans of. Fairness then holds within a sub-queue and
on average across them (arrival order is already shuffled for the pre-queue). Edge ticks can also be
thinned (one ticking edge per sale, elected by a lease) so edge count stops adding slot load.
`;
const out = path.join(here, 'CAPACITY.md');
writeFileSync(out, doc);
process.stdout.write(`${doc}\nwritten ${out}\n`);
