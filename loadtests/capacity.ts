/**
 * `npm run capacity`: writes loadtests/CAPACITY.md, a capacity model past one machine built from
 * per-operation costs measured now on a local 3-master Redis Cluster (about 2–3 minutes):
 * joins, admission ticks and takes through the queue store; seats published and best-available
 * holds through the inventory; orders committed by a real worker process (BullMQ job, claim,
 * PostgreSQL, capture, finalize, mail job); and, when loadtests/results/edge.json is missing, edge
 * memory per fan on one edge process. Per-master accounting (INFO cpu and commandstats per node)
 * shows the hot slots. Also writes loadtests/results/capacity.json.
 * Flags: --fans 1000000 --seats 100000 --admits 2000 --holds 5000 --join-window 600
 * --render-only: measure nothing, render CAPACITY.md again from results/capacity.json (the plans'
 * flags may change; the per-unit figures stay those of that run).
 * Env: CAPACITY_QUICK=1 (small steps, to try the command; the figures are then rough).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { migrate } from '../common/db/migrate.js';
import { startPostgres } from '../scripts/services.js';
import { resultsDir, writeResult } from './lib/results.js';
import { NOISY_SHARE } from './lib/machine-cpu.js';
import { startCapacityCluster, type ClusterStepCost } from './capacity-cluster.js';
import { defaultSizes, measureInventory, measureOrders, measureQueue, seedWorld, BULLMQ_PREFIX, type Sizes } from './capacity-measure.js';
import { measureEdgeMemory } from './capacity-edge.js';
import { renderCapacity, type Measured } from './capacity-doc.js';
import type { OnSale, UnitCosts } from './capacity-model.js';

const { values } = parseArgs({
  options: {
    fans: { type: 'string', default: '1000000' }, seats: { type: 'string', default: '100000' }, admits: { type: 'string', default: '2000' },
    holds: { type: 'string', default: '5000' }, 'join-window': { type: 'string', default: '600' }, 'render-only': { type: 'boolean', default: false },
  },
});
const base: OnSale = {
  fans: Number(values.fans), seats: Number(values.seats), admitsPerS: Number(values.admits), holdsPerS: Number(values.admits),
  ordersPerS: Number(values.admits), joinWindowS: Number(values['join-window']),
};
const holdsPerS = Number(values.holds);
const say = (line: string): void => void process.stderr.write(`[capacity] ${new Date().toISOString().slice(11, 19)} ${line}\n`);
const here = path.dirname(fileURLToPath(import.meta.url));
const quick = process.env.CAPACITY_QUICK === '1';
const sizes: Sizes = quick ? { joins: 3000, ticks: 100, admits: 1000, holds: 500, orders: 200, seatRows: 60, seatsPerRow: 100 } : defaultSizes;

function edgeFromBench(): { kbPerFan: number; source: string } | undefined {
  const file = path.join(resultsDir, 'edge.json');
  if (!existsSync(file)) return undefined;
  const json = JSON.parse(readFileSync(file, 'utf8')) as { date: string; runs: { fans: number; rss_kb_per_fan_peak?: number; rss_kb_per_fan?: number }[] };
  const largest = [...json.runs].sort((a, b) => b.fans - a.fans)[0];
  const kb = largest?.rss_kb_per_fan_peak ?? largest?.rss_kb_per_fan;
  if (!largest || kb === undefined || !Number.isFinite(kb)) return undefined;
  return { kbPerFan: kb, source: `read from loadtests/results/edge.json (\`npm run bench:edge\` of ${json.date}, peak RSS per fan at ${largest.fans.toLocaleString('en-US')} fans)` };
}

async function measure(): Promise<Measured> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'usher-capacity-'));
  say('starting a 3-master Redis Cluster (AOF everysec) and a PostgreSQL…');
  const [cap, postgres] = await Promise.all([
    startCapacityCluster(),
    // the order's Redis cost does not depend on PostgreSQL's durability; fsync off keeps the step short
    startPostgres({ dataDir: path.join(dataDir, 'pg'), fast: true }),
  ]);
  try {
    await migrate(postgres.url);
    const queue = await measureQueue(cap, sizes);
    const world = await seedWorld(cap, postgres.url, sizes);
    const inventory = await measureInventory(cap, world, sizes);
    const orders = await measureOrders(cap, world, postgres.url, sizes);
    await world.pool.end();
    world.redis.disconnect();
    let edge = edgeFromBench();
    if (!edge) {
      const fans = quick ? 1000 : 4000;
      say(`no loadtests/results/edge.json: edge memory per fan on one edge process (${fans} fans after 1,000)…`);
      const m = await measureEdgeMemory(cap, 1000, fans);
      // the larger of the two: RSS before a GC is what the pod must hold at peak, but it moves with GC timing
      edge = { kbPerFan: Math.max(m.kb_per_fan_peak, m.kb_per_fan_after_gc), source: `measured now: one edge process on the cluster, RSS growth from 1,000 to ${(1000 + m.fans).toLocaleString('en-US')} fans, the larger of before a full GC (${m.kb_per_fan_peak} KB per fan) and after it (${m.kb_per_fan_after_gc} KB)${m.failed ? `; ${m.failed} joins failed` : ''}` };
    }
    return { at: new Date().toISOString(), queue, inventory, orders, edge, sizes, ports: cap.masters.map((m) => m.port), jobsPrefix: BULLMQ_PREFIX, noisyShare: NOISY_SHARE, quick };
  } finally {
    await cap.stop();
    await postgres.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const saved = path.join(resultsDir, 'capacity.json');
const measured: Measured = values['render-only'] ? (JSON.parse(readFileSync(saved, 'utf8')) as { measured: Measured }).measured : await measure();
// written before rendering, so a change to the document can be rendered again without measuring
if (!values['render-only']) say(`wrote ${writeResult('capacity', { measured })}`);

const { queue, inventory, orders } = measured;
const perAdmit = (s: ClusterStepCost): number => s.redis_calls_per_op;
const costs: UnitCosts = {
  joinUs: queue.join.redis_us_per_op, joinCalls: queue.join.redis_calls_per_op,
  tickUs: queue.idle_tick.redis_us_per_op, tickCalls: queue.idle_tick.redis_calls_per_op,
  admitUs: Math.round((queue.admit_share_us + queue.take.redis_us_per_op) * 100) / 100,
  admitCalls: Math.round((perAdmit(queue.admit) + queue.take.redis_calls_per_op) * 100) / 100,
  holdUs: inventory.hold.redis_us_per_op, holdCalls: inventory.hold.redis_calls_per_op,
  orderUs: orders.order.redis_us_per_op, orderCalls: orders.order.redis_calls_per_op,
  orderJobsSlotUs: orders.order.nodes.find((n) => n.port === orders.jobs_port)!.us_per_op,
  workerUsPerOrder: orders.worker_us_per_order,
  bytesPerFan: queue.join.bytes_per_op, bytesPerSeat: inventory.publish.bytes_per_op, bytesPerHold: inventory.hold.bytes_per_op,
  bytesPerOrder: Math.max(0, orders.order.bytes_per_op), edgeKbPerFan: measured.edge.kbPerFan,
};
const scenarios: { name: string; sale: OnSale }[] = [
  { name: `${(base.fans / 1e6).toLocaleString('en-US')}M fans`, sale: base },
  { name: `${((base.fans * 10) / 1e6).toLocaleString('en-US')}M fans`, sale: { ...base, fans: base.fans * 10 } },
  { name: `${(base.fans / 1e6).toLocaleString('en-US')}M fans, ${holdsPerS.toLocaleString('en-US')} holds/s`, sale: { ...base, admitsPerS: holdsPerS, holdsPerS, ordersPerS: holdsPerS } },
  { name: `${((base.fans * 10) / 1e6).toLocaleString('en-US')}M fans, ${holdsPerS.toLocaleString('en-US')} holds/s`, sale: { ...base, fans: base.fans * 10, admitsPerS: holdsPerS, holdsPerS, ordersPerS: holdsPerS } },
];
const planFlags = process.argv.slice(2).filter((f) => f !== '--render-only').join(' ') || 'default flags';
const doc = renderCapacity(measured, costs, scenarios, values['render-only'] ? `${planFlags}; the text rendered again from that run's results/capacity.json` : planFlags);
const out = path.join(here, 'CAPACITY.md');
writeFileSync(out, doc);
process.stdout.write(`${doc}\nwritten ${out}\n`);
process.exit(orders.audit_ok && orders.confirmed >= measured.sizes.orders ? 0 : 1);
