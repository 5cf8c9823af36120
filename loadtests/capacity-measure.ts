/**
 * The steps `npm run capacity` measures on the local 3-master Redis Cluster, each through the
 * product's own code: joins, admission ticks (idle and admitting) and takes through the queue
 * store; seats published and best-available holds through the inventory; and orders through a
 * real worker process (`scripts/start.ts worker` with REDIS_CLUSTER_NODES): BullMQ job → claim →
 * PostgreSQL → capture → finalize → pass revoked → confirmation mail job. Every step reports Redis
 * CPU and commands per operation per master, and is run again (up to 3×) while noisy.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { Queue } from 'bullmq';
import type { Cluster } from 'ioredis';
import { initSaleSettings } from '../admission/sale-controls.js';
import { queueKeys } from '../admission/queue-keys.js';
import { queueStore, type TickOptions } from '../queue-edge/queue-store.js';
import { openEmptyQueue } from '../queue-edge/opening-draw.js';
import { createSeatInventory, type UsherSeatInventory } from '../inventory/index.js';
import { shardKeys } from '../inventory/inventory-keys.js';
import { commitJobId, commitJobOptions, createCommitQueue } from '../checkout/worker/commit/commit-queue.js';
import { createDemoGateway } from '../checkout/payments/demo-gateway.js';
import { paymentKeys } from '../checkout/payments/payment-gateway.js';
import { recordPaymentIntent } from '../checkout/payments/payment-records.js';
import { seedSale } from '../scripts/seed-sale.js';
import { freePort } from '../scripts/services.js';
import { quietest, type CapacityCluster, type ClusterStepCost } from './capacity-cluster.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const say = (line: string): void => void process.stderr.write(`[capacity] ${new Date().toISOString().slice(11, 19)} ${line}\n`);
const CONCURRENCY = 50;
export const BULLMQ_PREFIX = '{usher:jobs}'; // the production default (BULLMQ_PREFIX)

export interface Sizes { joins: number; ticks: number; admits: number; holds: number; orders: number; seatRows: number; seatsPerRow: number }
export const defaultSizes: Sizes = { joins: 20_000, ticks: 500, admits: 8_000, holds: 3_000, orders: 1_000, seatRows: 300, seatsPerRow: 100 };

async function parallel(n: number, op: (j: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < n) await op(next++);
  }));
}

export interface QueueSteps {
  join: ClusterStepCost;
  idle_tick: ClusterStepCost;
  admit: ClusterStepCost;
  take: ClusterStepCost;
  /** an admitted fan: its share of the admitting ticks beyond what they cost idle, µs */
  admit_share_us: number;
  /** master holding the queue's slot */
  queue_port: number;
}

export async function measureQueue(cap: CapacityCluster, sizes: Sizes): Promise<QueueSteps> {
  const conns = Array.from({ length: 4 }, () => cap.client());
  const stores = conns.map((c) => queueStore(c));
  const admin = conns[0]!;
  // one sale slot for every step, so the per-node figures all show the same hot master
  const newSale = async (ratePerMin: number): Promise<string> => {
    const saleId = `cap-${randomUUID()}`;
    await initSaleSettings(admin, saleId, { ratePerMin, maxActive: 1_000_000_000, opensAtMs: 0, closesAtMs: Date.now() + 3_600_000, prequeueOpensAtMs: 0 });
    await openEmptyQueue(stores[0]!, saleId); // the (empty) opening draw: joins go straight into the queue
    return saleId;
  };
  const tick: TickOptions = { seats: 'on_sale', offerTtlMs: 600_000, graceMs: 600_000, maxBatch: 1000, edgeId: 'capacity', connected: 0, burstS: 2 };
  try {
    let saleForAdmits = '';
    say(`${sizes.joins} joins (a fresh sale per run)…`);
    const join = await quietest(async () => {
      const sale = await newSale(120_000);
      await parallel(1_000, (j) => stores[j % 4]!.join(sale, randomUUID(), true)); // warm: scripts loaded, sets past their small encodings
      const stop = await cap.meter();
      // visitor ids as long as real ones (a UUID): the memory per fan depends on them
      await parallel(sizes.joins, (j) => stores[j % 4]!.join(sale, randomUUID(), true));
      saleForAdmits = sale;
      return stop(sizes.joins);
    });
    const queuePort = await cap.ownerOf(queueKeys(saleForAdmits).waiting);

    say(`${sizes.ticks} idle admission ticks (a sale admitting 1 a minute)…`);
    const idle = await newSale(1);
    await parallel(1_000, (j) => stores[j % 4]!.join(idle, randomUUID(), true));
    const idleTick = await quietest(async () => {
      const stop = await cap.meter();
      for (let j = 0; j < sizes.ticks; j++) await stores[0]!.tick(idle, tick);
      return stop(sizes.ticks);
    });

    say(`admitting ticks (2,000 fans/s) until ${sizes.admits} fans are offered, then a take each…`);
    let ticks = 0;
    let admitted = 0;
    const sale = saleForAdmits;
    const admit = await quietest(async () => {
      // a repeat needs fans of its own to admit
      if ((await admin.zcard(queueKeys(sale).waiting)) < sizes.admits) await parallel(sizes.admits, (j) => stores[j % 4]!.join(sale, randomUUID(), true));
      ticks = 0;
      admitted = 0;
      const stop = await cap.meter();
      while (admitted < sizes.admits) {
        admitted += (await stores[0]!.tick(sale, tick)).made;
        ticks++;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return stop(admitted);
    });
    const offered = await admin.zrange(queueKeys(sale).offers, 0, -1);
    let nextOffer = 0;
    const take = await quietest(async () => {
      const batch = offered.slice(nextOffer, nextOffer + Math.floor(offered.length / 3));
      nextOffer += batch.length;
      const stop = await cap.meter();
      await parallel(batch.length, (j) => stores[j % 4]!.take(sale, batch[j]!, { jti: randomUUID(), leaseDeadlineMs: Date.now() + 600_000, token: 'capacity.pass.token' }));
      return stop(batch.length);
    });
    const admitShare = (admit.redis_us_per_op * admitted - ticks * idleTick.redis_us_per_op) / admitted;
    return { join, idle_tick: idleTick, admit, take, admit_share_us: Math.round(admitShare * 100) / 100, queue_port: queuePort };
  } finally {
    for (const c of conns) c.disconnect();
  }
}

export interface InventorySteps {
  publish: ClusterStepCost;
  hold: ClusterStepCost;
  /** masters by how many of the sale's shards they hold */
  shards_per_port: Record<number, number>;
  shard_count: number;
}

export interface SaleWorld {
  pool: pg.Pool;
  redis: Cluster;
  inventory: UsherSeatInventory;
  saleId: string;
  sectionId: string;
}

export async function seedWorld(cap: CapacityCluster, databaseUrl: string, sizes: Sizes): Promise<SaleWorld> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
  const redis = cap.client();
  const sale = await seedSale(pool, {
    key: `capacity-${Date.now()}`,
    sections: [{ name: 'Bowl', kind: 'reserved', rows: sizes.seatRows, seatsPerRow: sizes.seatsPerRow, tierCode: 'P1' }],
    tiers: [{ code: 'P1', name: 'Seated', priceMinor: 9000 }],
    // DESIGN.md's default: 2 × masters × 4 shards
    sale: { shardCount: 2 * cap.masters.length * 4, perFanLimit: 6, holdSeconds: 3600, maxActiveShoppers: 1_000_000 },
  });
  await pool.query('ANALYZE');
  const inventory = createSeatInventory({ redis, pg: pool });
  return { pool, redis, inventory, saleId: sale.saleId, sectionId: sale.sectionIds.Bowl! };
}

export async function measureInventory(cap: CapacityCluster, w: SaleWorld, sizes: Sizes): Promise<InventorySteps> {
  const seats = sizes.seatRows * sizes.seatsPerRow;
  say(`publishing ${seats} seats over ${2 * cap.masters.length * 4} shards…`);
  let stop = await cap.meter();
  const published = await w.inventory.publish(w.saleId);
  const publish = { ...(await stop(seats)), runs: 1 };
  const shardsPerPort: Record<number, number> = {};
  for (let k = 0; k < published.shards; k++) {
    const port = await cap.ownerOf(shardKeys(w.saleId, k).meta);
    shardsPerPort[port] = (shardsPerPort[port] ?? 0) + 1;
  }
  say(`${sizes.holds} best-available holds of 2 seats…`);
  const req = { kind: 'best' as const, sectionId: w.sectionId, quantity: 2 };
  await parallel(200, () => w.inventory.hold(w.saleId, randomUUID(), req)); // warm: scripts loaded on every master
  const hold = await quietest(async () => {
    stop = await cap.meter();
    await parallel(sizes.holds, () => w.inventory.hold(w.saleId, randomUUID(), req));
    return stop(sizes.holds);
  });
  return { publish, hold, shards_per_port: shardsPerPort, shard_count: published.shards };
}

export interface OrderStep {
  order: ClusterStepCost;
  /** the worker's own CPU per order, µs (its process tree, /proc) */
  worker_us_per_order: number;
  jobs_port: number;
  confirmed: number;
  audit_ok: boolean;
}

/** Paid holds committed by a real worker process on the cluster, as the webhook would enqueue them. */
export async function measureOrders(cap: CapacityCluster, w: SaleWorld, databaseUrl: string, sizes: Sizes): Promise<OrderStep> {
  const demo = createDemoGateway(w.redis);
  const commits = createCommitQueue(w.redis, BULLMQ_PREFIX);
  const workerPort = await freePort();
  const env = {
    ...process.env, NODE_ENV: 'development', LOG_LEVEL: 'warn', REDIS_CLUSTER_NODES: cap.seeds, DATABASE_URL: databaseUrl,
    PAYMENT_GATEWAY: 'demo', WORKER_PORT: String(workerPort), HOST: '127.0.0.1', BULLMQ_PREFIX, AUTH_JWT_SECRET: 'c'.repeat(40),
    PASS_JWKS_URL: 'http://127.0.0.1:9/', API_METRICS_PORT: '0',
  };
  const worker: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts', 'worker'], { cwd: root, env, stdio: ['ignore', 'inherit', 'inherit'] });
  const exited = new Promise<void>((r) => worker.once('exit', () => r()));
  try {
    for (let i = 0; ; i++) {
      try { if ((await fetch(`http://127.0.0.1:${workerPort}/readyz`)).ok) break; } catch { /* not yet */ }
      if (i > 600 || worker.exitCode !== null) throw new Error('the worker did not start');
      await new Promise((r) => setTimeout(r, 100));
    }
    const mails = new Queue('notifications', { connection: w.redis, prefix: BULLMQ_PREFIX });
    const confirmedCount = async (): Promise<number> => (await w.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM orders WHERE sale_id = $1 AND status = 'confirmed'`, [w.saleId])).rows[0]!.n;
    const { rows: [backend] } = await w.pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const postmaster = Number(readFileSync(`/proc/${backend!.pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
    let total = 0;
    const order = await quietest(async () => {
      say(`${sizes.orders} paid holds committed by a worker process…`);
      const paid: string[] = [];
      await parallel(sizes.orders, async (i) => {
        const jti = randomUUID();
        await w.redis.zadd(queueKeys(w.saleId).active, Date.now() + 7_200_000, jti);
        const hold = await w.inventory.hold(w.saleId, jti, { kind: 'best', sectionId: w.sectionId, quantity: 2 });
        const pi = await demo.authorize({ holdId: hold.holdId, saleId: w.saleId, amountMinor: hold.amountMinor, currency: hold.currency, email: `fan${i}@example.com`, description: 'capacity', idempotencyKey: paymentKeys.authorize(hold.holdId) });
        await demo.simulateAuthorization(pi.id);
        await recordPaymentIntent(w.pool, { paymentIntentId: pi.id, holdId: hold.holdId, gateway: 'demo', email: `fan${i}@example.com`, snapshot: { saleId: w.saleId, passJti: jti, items: hold.items, amountMinor: hold.amountMinor, currency: hold.currency } });
        paid.push(hold.holdId);
      });
      total += paid.length;
      const stop = await cap.meter(() => [worker.pid!], () => [postmaster]);
      await commits.queue.addBulk(paid.map((holdId) => ({ name: 'commit', data: { holdId }, opts: { ...commitJobOptions, jobId: commitJobId(holdId) } })));
      for (let i = 0; (await confirmedCount()) < total; i++) {
        if (i > 2400) throw new Error(`orders not confirmed after 120 s (${await confirmedCount()} of ${total})`);
        await new Promise((r) => setTimeout(r, 50));
      }
      // the confirmation mail job is part of an order's Redis work
      for (let i = 0; i < 400 && Object.values(await mails.getJobCounts('waiting', 'active', 'prioritized')).some((n) => n > 0); i++) await new Promise((r) => setTimeout(r, 50));
      return stop(paid.length);
    });
    await mails.close();
    const audit = await w.inventory.audit(w.saleId);
    return {
      order,
      worker_us_per_order: order.process_us_per_op,
      jobs_port: await cap.ownerOf(`${BULLMQ_PREFIX}:commit-order:wait`),
      confirmed: await confirmedCount(),
      audit_ok: audit.ok,
    };
  } finally {
    worker.kill('SIGTERM');
    await exited;
    await commits.close();
  }
}
