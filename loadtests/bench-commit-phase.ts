/**
 * The commit phase of `npm run bench:checkout`, and its baseline in the same run:
 *  - bare: the order + tickets + payment rows each commit writes, ONE transaction per order, on
 *    the same PostgreSQL (durable: fsync and synchronous_commit on), at the worker's concurrency
 *    (WORKER_CONCURRENCY loops over a pool of PG_POOL_MAX connections), into tables LIKE the real
 *    ones (same columns, defaults, checks and indexes; no foreign keys, no triggers): what
 *    Postgres alone can commit here, with nothing else in the way;
 *  - worker: N paid holds (demo gateway) through the real commit worker process(es): claim →
 *    Postgres → capture → finalize, from the first job enqueued to the last order confirmed.
 * Headline: worker orders/s ÷ bare transactions/s, and µs of CPU per order of the worker, of
 * PostgreSQL (its whole process tree) and of Redis (INFO cpu), from accounting over each window.
 * A window where the rest of the machine took more than BENCH_NOISY_SHARE of the CPU is noisy.
 */
import type { ChildProcess } from 'node:child_process';
import type pg from 'pg';
import type { Redis } from 'ioredis';
import { Queue } from 'bullmq';
import { commitJobId, commitJobOptions, createCommitQueue } from '../checkout/worker/commit/commit-queue.js';
import { createDemoGateway } from '../checkout/payments/demo-gateway.js';
import { paymentKeys } from '../checkout/payments/payment-gateway.js';
import { recordPaymentIntent } from '../checkout/payments/payment-records.js';
import type { SeatInventory } from '../inventory/index.js';
import { CpuMeter, processCpuSeconds, processTree } from './lib/cpu-split.js';
import { NOISY_SHARE, machineBusySeconds, machineCores, restShare } from './lib/machine-cpu.js';
import { readRedisCpu, redisCpuDelta } from './lib/redis-cpu.js';

const noisyShare = Number(process.env.BENCH_NOISY_SHARE ?? NOISY_SHARE);
const round = (v: number, d = 2): number => Math.round(v * 10 ** d) / 10 ** d;

export interface CommitPhaseInput {
  pool: pg.Pool;
  databaseUrl: string;
  redis: Redis;
  inventory: SeatInventory;
  sale: { saleId: string; eventId: string; sectionId: string };
  /** admission passes still unused, one per paid hold */
  passJtis: string[];
  /** worker concurrency and Postgres pool per worker process, as the roles run with */
  concurrency: number;
  pgPoolMax: number;
  redisPid: number;
  postmasterPid: number;
  /** starts the worker process(es) and resolves once they are ready */
  startWorkers(): Promise<ChildProcess[]>;
  stopWorkers(workers: ChildProcess[]): Promise<void>;
  say(line: string): void;
  /** pg_stat_statements is preloaded: list the worker window's statements per order */
  pgStatements?: boolean;
}

interface Window {
  seconds: number;
  cpu_s: { measured: number; postgres: number; redis: number; bench: number; rest_of_machine: number };
  rest_share: number;
  noisy: boolean;
}

/** CPU of PostgreSQL's process tree since the call; backends that ended count in the postmaster's reaped-children time. */
function postgresCpuMeter(postmasterPid: number): () => number {
  const start = new Map(processTree(postmasterPid).map((p) => [p, processCpuSeconds(p)]));
  return () => processTree(postmasterPid).reduce((sum, p) => sum + Math.max(0, processCpuSeconds(p) - (start.get(p) ?? 0)), 0);
}

/** Meters one window: the measured processes, PostgreSQL, Redis, this process and the rest of the machine. */
async function meter(input: CommitPhaseInput, measuredPids: number[]): Promise<() => Promise<Window>> {
  const measured = new CpuMeter(measuredPids);
  const pgCpu = postgresCpuMeter(input.postmasterPid);
  const redisBefore = await readRedisCpu(input.redis);
  const busyBefore = machineBusySeconds();
  const t0 = performance.now();
  return async () => {
    const seconds = (performance.now() - t0) / 1000;
    const busy = machineBusySeconds() - busyBefore;
    const { servers, generator } = measured.read();
    const postgres = pgCpu();
    const redis = redisCpuDelta(redisBefore, await readRedisCpu(input.redis)).cpuS;
    const rest = busy - servers - postgres - redis - generator;
    const share = restShare(rest, seconds);
    return {
      seconds,
      cpu_s: { measured: round(servers), postgres: round(postgres), redis: round(redis), bench: round(generator), rest_of_machine: round(rest) },
      rest_share: round(share, 3),
      noisy: share > noisyShare,
    };
  };
}

/** The bare transaction: what one commit writes (payment row, order, its two tickets), one statement, one commit. */
async function bareBaseline(input: CommitPhaseInput, orders: number): Promise<Window & { txn_per_s: number; postgres_us_per_txn: number }> {
  const { pool, sale } = input;
  await pool.query(`DROP SCHEMA IF EXISTS bench_bare CASCADE; CREATE SCHEMA bench_bare;
    CREATE TABLE bench_bare.payments (LIKE public.payments INCLUDING ALL);
    CREATE TABLE bench_bare.orders (LIKE public.orders INCLUDING ALL);
    CREATE TABLE bench_bare.tickets (LIKE public.tickets INCLUDING ALL);`);
  // the worker's shape: `concurrency` orders in flight over a pool of `pgPoolMax` connections
  const { default: Pg } = await import('pg');
  const bare = new Pg.Pool({ connectionString: input.databaseUrl, max: input.pgPoolMax });
  await Promise.all(Array.from({ length: input.pgPoolMax }, () => bare.query('SELECT 1')));
  const snapshot = JSON.stringify({ saleId: sale.saleId, passJti: 'bare', items: [], amountMinor: 9000, currency: 'EUR' });
  const write = (i: number) => bare.query({
    name: 'bench-bare-commit',
    text: `WITH pay AS (
             INSERT INTO bench_bare.payments (payment_intent_id, hold_id, gateway, amount_minor, currency, status, sale_id, email, hold_snapshot)
             VALUES ($1, $2, 'demo', 9000, 'EUR', 'captured', $3, 'fan@example.com', $5) RETURNING 1
           ), ord AS (
             INSERT INTO bench_bare.orders (id, sale_id, event_id, email, payment_intent_id, amount_minor, currency, status)
             VALUES ($2, $3, $4, 'fan@example.com', $1, 9000, 'EUR', 'confirmed') RETURNING id
           )
           INSERT INTO bench_bare.tickets (order_id, event_id, section_id, seat_id, tier_code, price_minor)
           SELECT ord.id, $4, $6, NULL, 'GA', 4500 FROM ord, generate_series(1, 2)`,
    values: [`bare_pi_${i}`, `bare.${i}.hold`, sale.saleId, sale.eventId, snapshot, sale.sectionId],
  });
  let next = 0;
  const done = await meter(input, []);
  await Promise.all(Array.from({ length: input.concurrency }, async () => {
    for (let i = next++; i < orders; i = next++) await write(i);
  }));
  const w = await done();
  await bare.end();
  await pool.query('DROP SCHEMA bench_bare CASCADE');
  return { ...w, txn_per_s: round(orders / w.seconds, 0), postgres_us_per_txn: round((w.cpu_s.postgres / orders) * 1e6, 0) };
}

export async function runCommitPhase(input: CommitPhaseInput) {
  const { pool, redis, inventory, sale, say } = input;
  const orders = input.passJtis.length;
  say(`commit phase: ${orders} paid holds`);
  const demo = createDemoGateway(redis);
  const paid: string[] = [];
  for (const [i, jti] of input.passJtis.entries()) {
    const hold = await inventory.hold(sale.saleId, jti, { kind: 'best', sectionId: sale.sectionId, quantity: 2 });
    const pi = await demo.authorize({ holdId: hold.holdId, saleId: sale.saleId, amountMinor: hold.amountMinor, currency: hold.currency, email: `fan${i}@example.com`, description: 'bench', idempotencyKey: paymentKeys.authorize(hold.holdId) });
    await demo.simulateAuthorization(pi.id);
    await recordPaymentIntent(pool, { paymentIntentId: pi.id, holdId: hold.holdId, gateway: 'demo', email: `fan${i}@example.com`, snapshot: { saleId: sale.saleId, passJti: jti, items: hold.items, amountMinor: hold.amountMinor, currency: hold.currency } });
    paid.push(hold.holdId);
  }

  say(`bare baseline: ${orders} order + tickets + payment transactions, ${input.concurrency} in flight over ${input.pgPoolMax} connections`);
  const bare = await bareBaseline(input, orders);
  say(`bare: ${bare.txn_per_s} txn/s, ${bare.postgres_us_per_txn} µs PostgreSQL CPU per txn${bare.noisy ? ' NOISY' : ''}`);

  const commits = createCommitQueue(redis, '{bench}');
  if (input.pgStatements) await pool.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements; SELECT pg_stat_statements_reset()');
  const countersBefore = await serverCounters(input);
  const workers = await input.startWorkers();
  const done = await meter(input, workers.flatMap((w) => processTree(w.pid!)));
  // the jobs the webhook and the reconciler enqueue: same id and options (retries, retention)
  await commits.queue.addBulk(paid.map((holdId) => ({ name: 'commit', data: { holdId }, opts: { ...commitJobOptions, jobId: commitJobId(holdId) } })));
  // each poll is a PostgreSQL transaction of this process, not of the worker: counted, then left out
  let polls = 0;
  for (;;) {
    polls++;
    const { rows: c } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM orders WHERE sale_id = $1 AND status = 'confirmed'`, [sale.saleId]);
    if (c[0]!.n >= orders) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const w = await done();
  // confirmation e-mails still queued when the last order was confirmed (the same worker sends them)
  const mails = new Queue('notifications', { connection: redis, prefix: '{bench}' });
  const mailsPending = Object.values(await mails.getJobCounts('waiting', 'active', 'prioritized')).reduce((a, b) => a + b, 0);
  await mails.close();
  await input.stopWorkers(workers);
  // counted once the workers are gone: a Postgres backend publishes its statistics at exit
  await new Promise((r) => setTimeout(r, 500));
  const countersAfter = await serverCounters(input);
  await commits.close();
  const pgStatements = input.pgStatements ? await statementsPerOrder(pool, orders) : undefined;

  const ordersPerS = orders / w.seconds;
  const us = (s: number): number => round((s / orders) * 1e6, 0);
  countersAfter.set('pg xact_commit', (countersAfter.get('pg xact_commit') ?? 0) - polls);
  const perOrder = Object.fromEntries([...countersAfter].map(([k, v]) => [k, (v - (countersBefore.get(k) ?? 0)) / orders] as const)
    .filter(([, v]) => v >= 0.01).sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, round(v)]));
  const redisCommands = Object.entries(perOrder).filter(([k]) => k.startsWith('redis ')).reduce((s, [, v]) => s + v, 0);
  return {
    orders,
    orders_per_s: round(ordersPerS, 0),
    bare_txn_per_s: bare.txn_per_s,
    ratio_to_bare_txn: round(ordersPerS / bare.txn_per_s, 3),
    cpu_us_per_order: { worker: us(w.cpu_s.measured), postgres: us(w.cpu_s.postgres), redis: us(w.cpu_s.redis) },
    bare_postgres_us_per_txn: bare.postgres_us_per_txn,
    // the worker's (commits, mails, periodic tasks) without this bench's own polls (bench_polls)
    pg_transactions_per_order: round((perOrder['pg xact_commit'] ?? 0) + (perOrder['pg xact_rollback'] ?? 0)),
    bench_polls: polls,
    redis_commands_per_order: round(redisCommands),
    noisy: w.noisy || bare.noisy,
    batch: { max: Number(process.env.COMMIT_BATCH_MAX ?? 32), wait_ms: Number(process.env.COMMIT_BATCH_WAIT_MS ?? 2) },
    worker_concurrency: input.concurrency,
    seconds: round(w.seconds, 3),
    mails_pending_at_last_confirm: mailsPending,
    worker_window: w,
    bare_window: bare,
    per_order: perOrder,
    ...(pgStatements ? { pg_statements: pgStatements } : {}),
    cores: machineCores,
    postgres: 'durable (fsync, synchronous_commit on)',
  };
}

/** Work done on the servers: Redis commands by name (a script counts once) and Postgres transactions. */
async function serverCounters(input: CommitPhaseInput): Promise<Map<string, number>> {
  const m = new Map<string, number>();
  for (const [name, c] of (await readRedisCpu(input.redis)).commands) if (name !== 'info') m.set(`redis ${name}`, c.calls);
  const { rows: [db] } = await input.pool.query<{ xact_commit: string; xact_rollback: string; wal: string }>(
    `SELECT xact_commit, xact_rollback, pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0') AS wal FROM pg_stat_database WHERE datname = current_database()`);
  m.set('pg xact_commit', Number(db!.xact_commit));
  m.set('pg wal_bytes', Number(db!.wal));
  m.set('pg xact_rollback', Number(db!.xact_rollback));
  return m;
}

/** The worker window's statements (pg_stat_statements), per order: calls, execution µs (wall), WAL bytes, buffers dirtied. */
async function statementsPerOrder(pool: pg.Pool, orders: number) {
  const { rows } = await pool.query<{ query: string; calls: string; exec_ms: number; wal_bytes: string; dirtied: string; hit: string }>(
    `SELECT left(regexp_replace(query, '\\s+', ' ', 'g'), 90) AS query, calls, total_exec_time AS exec_ms, wal_bytes, shared_blks_dirtied AS dirtied, shared_blks_hit AS hit
     FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
     ORDER BY total_exec_time DESC LIMIT 15`);
  return rows.map((r) => ({
    query: r.query, calls_per_order: round(Number(r.calls) / orders, 3), exec_us_per_order: round((r.exec_ms * 1000) / orders, 0),
    wal_bytes_per_order: round(Number(r.wal_bytes) / orders, 0), dirtied_per_order: round(Number(r.dirtied) / orders, 2), hit_per_order: round(Number(r.hit) / orders, 1),
  }));
}
