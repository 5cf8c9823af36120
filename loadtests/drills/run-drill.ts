/**
 * One drill on a running stack: a small sale with a swarm of fans (the load test's fan processes,
 * whose shoppers retry through an outage as the checkout page does), the fault injected once a
 * share of the seats is sold, then the sale runs to its end, commits settle, and the load test's
 * end-of-run checks judge it (the inventory audit of Redis against PostgreSQL, every payment against
 * its order). Measured: what the fans saw, and how long after the fault the sale moved again.
 */
import pg from 'pg';
import { Redis } from 'ioredis';
import { Queue } from 'bullmq';
import { applySaleControl } from '../../admission/sale-controls.js';
import { createSeatInventory } from '../../inventory/index.js';
import { COMMIT_QUEUE } from '../../checkout/worker/commit/commit-queue.js';
import { Progress } from '../lib/progress.js';
import { LatencySamples } from '../lib/percentiles.js';
import { setUpSale, type PublishedSale } from '../onsale/sale-setup.js';
import { Generators } from '../onsale/generators.js';
import { readSale, type SaleCounters } from '../onsale/timeline.js';
import { checkInvariants, type Invariants } from '../onsale/invariants.js';
import { reconcileNow } from '../onsale/final-reconcile.js';
import type { FanPlan, OrderedHold } from '../onsale/fan-plan.js';
import type { Stack } from '../onsale/stack.js';
import { injectFault, type DrillName, type FaultOptions, type FaultTimes } from './faults.js';
import { firstAfter, longestPause } from './recovery.js';

export interface DrillSettings {
  fans: number;
  seats: number;
  ratePerMin: number;
  connectPerS: number;
  /** Share of admitted fans who pay. */
  pay: number;
  /** The fault comes once this share of the seats is sold (or `triggerAfterS` after the opening). */
  triggerSoldShare: number;
  triggerAfterS: number;
  /** Once a hold and a commit came after the restore and this long passed, admissions pause and the drill winds down. */
  afterRestoreS: number;
  /** Hard stop after the opening. */
  maxS: number;
  /** How long commits may take to settle after the sale. */
  settleS: number;
  fault: Omit<FaultOptions, 'log'>;
}

export interface DrillResult {
  drill: DrillName;
  ok: boolean;
  problems: string[];
  ending: string;
  sale: { sale_id: string; seats: number; fans: number; rate_per_min: number; tick_ms: number };
  fault: FaultTimes & { injected_at_s: number; sold_at_injection: number };
  /** Milliseconds; null when it did not happen. */
  recovery: {
    restored_ms: number;
    all_ready_ms: number;
    first_hold_after_restore_ms: number | null;
    first_commit_after_restore_ms: number | null;
    hold_pause_ms: number | null;
    commit_pause_ms: number | null;
    /** worker-kill: commits that were in flight when the worker died, until the last of them finished. */
    inflight_commits?: number;
    inflight_commits_done_ms?: number | null;
    /** edge-kill: fans whose socket died, how long until each heard its place again. */
    fans_reconnected?: number;
    reconnect_ms?: { p50: number; p95: number; max: number };
    places_kept?: number;
    places_lost?: number;
  };
  fans_saw: {
    outcomes: Record<string, number>;
    http_statuses: Record<string, Record<string, number>>;
    socket_errors: Record<string, number>;
    unexpected_closes: number;
    reconnects: number;
  };
  audit: { ok: boolean; totals: unknown; violations: string[] };
  invariants: { oversold: number; double_sold: number; lost_paid_holds: number; charged_without_ticket: number; sold_matches_live_tickets: boolean; orders: number };
  payments_by_gateway_state: Record<string, number>;
  suspects: unknown[];
  samples: (SaleCounters & { t: number; connected: number; shopping: number; phase: string })[];
}

const SAMPLE_MS = 250;
/** TypeScript narrows a `let` assigned in a callback to `never`; this reads it as what it is. */
const f0 = (f: FaultTimes | null): FaultTimes => f!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function fanPlans(s: DrillSettings, stack: Stack, sale: PublishedSale): FanPlan[] {
  const processes = Math.max(1, Math.ceil(s.fans / 5000));
  return Array.from({ length: processes }, (_, i) => ({
    index: i, fans: Math.floor(s.fans / processes) + (i < s.fans % processes ? 1 : 0), sourceAddress: `127.0.0.${40 + i}`,
    edgeUrl: stack.edgeUrl, apiUrl: stack.apiUrl, saleId: sale.saleId, visitorSecret: stack.visitorSecret,
    connectPerS: s.connectPerS / processes, lagSampleEvery: 1_000_000, sections: sale.sections,
    mix: { pay: s.pay, explicitSeats: 0.25, together: 0.3 }, seed: 7000 + i, retryUnavailableMs: 60_000,
  }));
}

/** Never throws: a sample read while Redis or PostgreSQL is down is simply missing. */
async function tryRead<T>(read: () => Promise<T>, timeoutMs = 2000): Promise<T | null> {
  try {
    return await Promise.race([read(), sleep(timeoutMs).then(() => null)]);
  } catch {
    return null;
  }
}

/** The commit jobs being processed, once there are any (a kill then lands mid-commit), or none after `waitMs`. */
async function commitsInFlight(queue: Queue, waitMs: number): Promise<string[]> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const ids = (await queue.getJobs(['active'])).flatMap((j) => (j.id ? [j.id] : []));
    if (ids.length > 0 || Date.now() > deadline) return ids;
    await sleep(5);
  }
}

/** The end-of-run checks; when they cannot even run (Redis lost the sale), that is the verdict. */
async function judge(pool: pg.Pool, redis: Redis, sale: PublishedSale, client: { orders: OrderedHold[]; paid: string[] }): Promise<Invariants> {
  try {
    return await checkInvariants(pool, redis, sale, client);
  } catch (err) {
    const problem = `audit could not run: ${(err as Error).message}`;
    return {
      oversold: 0, double_sold: 0, lost_paid_holds: 0, charged_without_ticket: 0, sold_matches_tickets: false, payments: {}, orders: 0, live_tickets: 0,
      audit: { saleId: sale.saleId, ok: false, violations: [problem], totals: { capacity: 0, free: 0, held: 0, claimed: 0, sold: 0, liveTickets: 0 } },
      problems: [problem], suspects: [],
    };
  }
}

async function commitTimes(pool: pg.Pool, saleId: string): Promise<number[]> {
  const { rows } = await pool.query<{ at: string }>(`SELECT (extract(epoch FROM created_at) * 1000)::bigint AS at FROM orders WHERE sale_id = $1 ORDER BY created_at`, [saleId]);
  return rows.map((r) => Number(r.at));
}

export async function runDrill(stack: Stack, name: DrillName, s: DrillSettings, say: (line: string) => void): Promise<DrillResult> {
  const pool = new pg.Pool({ connectionString: stack.databaseUrl, max: 3, connectionTimeoutMillis: 2000 });
  pool.on('error', () => undefined); // idle clients die with PostgreSQL in postgres-stop
  // the drill's own view reconnects quickly and never queues reads for long
  const redis = new Redis(stack.redisUrl, { maxRetriesPerRequest: 1, retryStrategy: () => 100 });
  redis.on('error', () => undefined);
  const commitQueue = new Queue(COMMIT_QUEUE, { connection: { host: '127.0.0.1', port: stack.redisPort, maxRetriesPerRequest: 1, retryStrategy: () => 100 }, prefix: stack.env.BULLMQ_PREFIX ?? '{usher:jobs}' });
  commitQueue.on('error', () => undefined);
  const gens = new Generators();
  try {
    const openInS = Math.ceil(s.fans / s.connectPerS) + 2;
    const sale = await setUpSale(pool, redis, { seats: s.seats, openInS, ratePerMin: s.ratePerMin, maxActive: s.fans, holdSeconds: 120 });
    const inventory = createSeatInventory({ redis, pg: pool });
    say(`${name}: sale ${sale.saleId}, ${sale.capacity} seats, ${s.fans} fans, ${s.ratePerMin} admissions/min, opens in ${openInS} s`);
    gens.startFans(fanPlans(s, stack, sale));

    const progress = new Progress(`drill ${name}`, 1000);
    const samples: DrillResult['samples'] = [];
    let last: SaleCounters | null = null;
    let phase: 'before' | 'fault' | 'after' = 'before';
    let fault: Promise<FaultTimes> | null = null;
    let faultTimes: FaultTimes | null = null;
    let faultError: unknown = null;
    let soldAtInjection = 0;
    let inflight: string[] = [];
    const deadline = sale.opensAtMs + s.maxS * 1000;
    let ending = 'time_limit';
    let pausedAfterRecovery = false;
    for (;;) {
      await sleep(SAMPLE_MS);
      const c = await tryRead(() => readSale(redis, pool, inventory, sale.saleId));
      if (c) last = c;
      const t = Math.round((Date.now() - sale.opensAtMs) / 100) / 10;
      const shopping = gens.fanSum('shopping');
      if (last) samples.push({ ...last, t, connected: gens.fanSum('connected'), shopping, phase });
      progress.update({ t, phase, fans: gens.fanSum('connected'), waiting: last ? last.waiting + last.prequeue : '?', admitted: last?.admitted ?? '?', shopping, holds: gens.holdsAt.length, held: last?.held ?? '?', sold: last?.sold ?? '?', orders: last?.orders ?? '?', ...(c ? {} : { read: 'down' }) });
      if (faultError) throw faultError;
      if (!fault && last && t >= 0 && (last.sold >= s.triggerSoldShare * sale.capacity || t >= s.triggerAfterS)) {
        phase = 'fault';
        soldAtInjection = last.sold;
        if (name === 'worker-kill') inflight = await commitsInFlight(commitQueue, 5000);
        fault = injectFault(stack, name, { ...s.fault, log: say });
        fault.then((f) => {
          faultTimes = f;
          phase = 'after';
          say(`${name}: restored after ${((f.restoredAt - f.injectedAt) / 1000).toFixed(1)} s, every role ready after ${((f.allReadyAt - f.injectedAt) / 1000).toFixed(1)} s`);
        }, (err: unknown) => (faultError = err));
      }
      if (Date.now() > deadline) break;
      if (!faultTimes || !c) continue;
      const soldOut = c.free === 0 && c.held === 0 && c.claimed === 0;
      const nobodyLeft = c.waiting === 0 && c.prequeue === 0 && c.offers === 0 && c.admitted > 0;
      const reconnecting = name === 'edge-kill' && gens.fanSum('awaitingPlace') > 0;
      if ((soldOut || nobodyLeft || pausedAfterRecovery) && shopping === 0 && c.offers === 0 && !reconnecting) {
        ending = soldOut ? 'sold_out' : nobodyLeft ? 'queue_empty' : 'paused_after_recovery';
        break;
      }
      // The drill is about the recovery, not the last seats: once the sale has moved again for a
      // while, admissions pause and the fans already shopping finish.
      if (!pausedAfterRecovery && Date.now() - f0(faultTimes).restoredAt >= s.afterRestoreS * 1000 && gens.holdsAt.some((h) => h >= f0(faultTimes).restoredAt)) {
        const lastCommit = await tryRead(async () => Number((await pool.query<{ at: string | null }>(`SELECT (extract(epoch FROM max(created_at)) * 1000)::bigint AS at FROM orders WHERE sale_id = $1`, [sale.saleId])).rows[0]?.at ?? 0));
        if (lastCommit !== null && lastCommit >= f0(faultTimes).restoredAt) {
          await applySaleControl(redis, sale.saleId, { action: 'pause' });
          pausedAfterRecovery = true;
          say(`${name}: the sale moved again (holds and commits after the restore); admissions paused, shoppers finish`);
        }
      }
    }
    progress.done(ending);
    if (!faultTimes) {
      // the sale ended before the fault came back (or never came): wait for it, the audit needs every piece up
      if (fault) faultTimes = await fault;
      else throw new Error(`${name}: the fault was never injected (sale too short: lower --rate or raise --seats)`);
    }
    const f: FaultTimes = faultTimes;
    const placesKept = gens.fanSum('placesKept');
    const placesLost = gens.fanSum('placesLost');
    await gens.stop();

    say(`${name}: settling commits…`);
    const settleUntil = Date.now() + s.settleS * 1000;
    for (;;) {
      const c = await tryRead(() => readSale(redis, pool, inventory, sale.saleId));
      const authorized = await tryRead(async () => Number((await pool.query<{ n: string }>(`SELECT count(*) AS n FROM payments WHERE sale_id = $1 AND status = 'authorized'`, [sale.saleId])).rows[0]?.n ?? 0));
      // worker-kill: the commits the dead worker had in flight must come back through the stalled-job check
      const pending = await tryRead(async () => (await Promise.all(inflight.map((id) => commitQueue.getJob(id)))).filter((j) => !j?.finishedOn).length);
      if ((c && c.claimed === 0 && authorized === 0 && pending === 0) || Date.now() > settleUntil) break;
      await sleep(500);
    }
    const client = { orders: gens.orders, paid: gens.paid };
    const before = await judge(pool, redis, sale, client);
    if (before.lost_paid_holds + before.charged_without_ticket > 0) {
      const r = await reconcileNow(stack.env);
      say(`${name}: reconciler: ${r.recommitted} recommitted, ${r.abandoned} abandoned checkouts cancelled`);
      const until = Date.now() + 30_000;
      while (Date.now() < until) {
        const n = Number((await pool.query<{ n: string }>(`SELECT count(*) AS n FROM payments WHERE sale_id = $1 AND status = 'authorized'`, [sale.saleId])).rows[0]?.n ?? 0);
        if (n === 0 && (await readSale(redis, pool, inventory, sale.saleId)).claimed === 0) break;
        await sleep(500);
      }
    }
    say(`${name}: auditing Redis against PostgreSQL, payments against orders…`);
    const inv = await judge(pool, redis, sale, client);

    const commits = await commitTimes(pool, sale.saleId);
    const holds = [...gens.holdsAt].sort((a, b) => a - b);
    const recovery: DrillResult['recovery'] = {
      restored_ms: f.restoredAt - f.injectedAt,
      all_ready_ms: f.allReadyAt - f.injectedAt,
      first_hold_after_restore_ms: firstAfter(holds, f.restoredAt),
      first_commit_after_restore_ms: firstAfter(commits, f.restoredAt),
      hold_pause_ms: longestPause(holds, f.injectedAt, f.restoredAt),
      commit_pause_ms: longestPause(commits, f.injectedAt, f.restoredAt),
    };
    const problems = [...inv.problems];
    if (name === 'worker-kill') {
      const jobs = await Promise.all(inflight.map((id) => commitQueue.getJob(id)));
      const done = jobs.map((j) => j?.finishedOn ?? null);
      recovery.inflight_commits = inflight.length;
      recovery.inflight_commits_done_ms = done.some((d) => d === null) ? null : done.length ? Math.max(...done.map((d) => d! - f.injectedAt)) : 0;
      if (recovery.inflight_commits_done_ms === null) problems.push('a commit in flight when the worker died never finished');
    }
    if (name === 'edge-kill') {
      const lat = new LatencySamples();
      for (const v of gens.reconnectMs) lat.add(v);
      recovery.fans_reconnected = gens.reconnectMs.length;
      recovery.reconnect_ms = { p50: lat.percentile(50), p95: lat.percentile(95), max: Math.max(0, ...gens.reconnectMs) };
      recovery.places_kept = placesKept;
      recovery.places_lost = placesLost;
      if (gens.fanSum('unexpectedCloses') === 0) problems.push('no fan was on the killed edge process');
      if (placesLost > 0) problems.push(`${placesLost} reconnected fans lost their place`);
    }
    if (recovery.first_commit_after_restore_ms === null && inv.orders > 0 && (commits.at(-1) ?? 0) < f.restoredAt) {
      problems.push('no commit after the fault');
    }
    return {
      drill: name,
      ok: problems.length === 0,
      problems,
      ending,
      sale: { sale_id: sale.saleId, seats: sale.capacity, fans: s.fans, rate_per_min: s.ratePerMin, tick_ms: Number(stack.env.EDGE_TICK_MS) },
      fault: { ...f, injected_at_s: Math.round((f.injectedAt - sale.opensAtMs) / 100) / 10, sold_at_injection: soldAtInjection },
      recovery,
      fans_saw: {
        outcomes: gens.fanCounts('outcomes'),
        http_statuses: gens.totals.statuses,
        socket_errors: gens.fanCounts('errors'),
        unexpected_closes: gens.fanSum('unexpectedCloses'),
        reconnects: gens.fanSum('reconnects'),
      },
      audit: { ok: inv.audit.ok, totals: inv.audit.totals, violations: inv.audit.violations.slice(0, 50) },
      invariants: { oversold: inv.oversold, double_sold: inv.double_sold, lost_paid_holds: inv.lost_paid_holds, charged_without_ticket: inv.charged_without_ticket, sold_matches_live_tickets: inv.sold_matches_tickets, orders: inv.orders },
      payments_by_gateway_state: inv.payments,
      suspects: inv.suspects,
      samples,
    };
  } finally {
    await gens.stop().catch(() => undefined);
    await commitQueue.close().catch(() => undefined);
    redis.disconnect();
    await pool.end().catch(() => undefined);
  }
}
