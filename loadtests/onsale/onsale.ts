/**
 * `npm run loadtest`: the on-sale rush end to end on this machine. Starts the stack, creates the
 * sale, replays the rush (WebSocket fans before the opening, admission, holds, payments, commits,
 * browsing and status polling peaking at the planned rate), then settles, audits Redis against
 * Postgres, cross-checks payments against orders, writes loadtests/results/<out>.json and .html, and
 * exits 1 when any invariant broke (2 when the run itself failed).
 */
import pg from 'pg';
import { Redis } from 'ioredis';
import { Progress } from '../lib/progress.js';
import { LatencySamples } from '../lib/percentiles.js';
import { formatTable, writeResult, writeResultFile } from '../lib/results.js';
import { createSeatInventory } from '../../inventory/index.js';
import { generateCatalog, insertEvents, insertVenues } from '../../test/support/catalog-fixture.js';
import { thresholds } from '../k6/lib/usher-api.js';
import { parseOptions, type OnsaleOptions } from './options.js';
import { startStack, type Stack } from './stack.js';
import { setUpSale, type PublishedSale } from './sale-setup.js';
import { GENERATOR_NICE, Generators } from './generators.js';
import { onsaleStages } from './browse-plan.js';
import { readSale, type Sample } from './timeline.js';
import { TreeCpu, childrenNamed, postmasterPid } from './cpu-tree.js';
import { checkInvariants } from './invariants.js';
import { reconcileNow } from './final-reconcile.js';
import { admissionRate, endpointFigures, peakPerSecond, serverErrorBreakdown, timeToSellOut } from './summary.js';
import { onsaleHtml } from './report.js';
import type { FanPlan } from './fan-plan.js';
import { fetchSeatMap } from './seat-map-view.js';
import { getRaw } from './seat-map-view.js';
import { sampleSeatStateCost, type SeatStateWindow } from './seat-state-cost.js';
import { sampleHoldTailCost, type HoldTailWindow } from './hold-tail-cost.js';
import { cpuFigures, RoleCpu } from './role-cpu.js';
import { roleLogErrors } from './role-log-errors.js';
import nodePath from 'node:path';
import { pathOf } from '../k6/lib/usher-api.js';
import { shardKeys } from '../../inventory/inventory-keys.js';

const say = (line: string): void => void process.stderr.write(`loadtest: ${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const SETTLE_MS = 90_000;
/** MONITOR windows on Redis for the seat-state cost: this long, first this long after the opening, then every… */
const COST_WINDOW_MS = 6000;
const COST_FIRST_S = 10;
const COST_EVERY_S = 45;
/** MONITOR windows on the holds' Redis cost at the end of the sale: when no more than these shares of the places are free. */
const TAIL_AT_FREE_SHARE = [0.05, 0.01];

function fanPlans(o: OnsaleOptions, stack: Stack, sale: PublishedSale): FanPlan[] {
  const processes = Math.max(1, Math.ceil(o.fans / o.fansPerProcess));
  return Array.from({ length: processes }, (_, i) => {
    const fans = Math.floor(o.fans / processes) + (i < o.fans % processes ? 1 : 0);
    return {
      index: i, fans, sourceAddress: `127.0.0.${10 + i}`, edgeUrl: stack.edgeUrl, apiUrl: stack.apiUrl, saleId: sale.saleId,
      visitorSecret: stack.visitorSecret, connectPerS: o.connectPerS / processes, lagSampleEvery: 25, sections: sale.sections,
      mix: { pay: o.pay, explicitSeats: 0.25, together: 0.3, ...(o.quantities ? { quantities: o.quantities } : {}) }, seed: 1000 + i,
    };
  });
}

function tailFigure(w: HoldTailWindow | undefined): string {
  return w ? `${w.script_calls_per_hold} / ${w.commands_in_scripts_per_hold} / ${w.plain_commands_per_hold} (${w.hold_requests} requests, ${w.holds_placed} placed)` : 'n/a';
}

/** The places left at the end: how many, and the most any one tier has free on one shard (a hold takes its places from one shard). */
async function unsoldPlaces(redis: Redis, saleId: string, shards: number, sections: PublishedSale['sections']) {
  const counts = await Promise.all(Array.from({ length: shards }, (_, k) => redis.hgetall(shardKeys(saleId, k).counts)));
  let free = 0;
  let largest = 0;
  const byTierShard: Record<string, number[]> = {};
  for (const sec of sections) {
    const perShard = counts.map((c) => Number(c[`f:${sec.id}`] ?? 0));
    free += perShard.reduce((a, n) => a + n, 0);
    const row = (byTierShard[`${sec.kind}:${sec.tierCode}`] ??= Array.from({ length: shards }, () => 0));
    // reserved seats of a tier on one shard can go to one hold together (spill); GA places only from one section's counter
    perShard.forEach((n, k) => (row[k] = sec.kind === 'ga' ? Math.max(row[k]!, n) : row[k]! + n));
  }
  for (const row of Object.values(byTierShard)) largest = Math.max(largest, ...row);
  return { free, largest_per_tier_shard: largest, by_tier_shard: byTierShard };
}

function median(values: number[]): number | null {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** The seat map as a browser meets it: built on the first request, then served compressed, then 304. */
async function seatMapFigures(apiUrl: string, saleId: string) {
  const path = pathOf('seatMap', { sale: saleId });
  let started = performance.now();
  const first = await fetchSeatMap(apiUrl, path);
  const firstMs = performance.now() - started;
  started = performance.now();
  await fetchSeatMap(apiUrl, path);
  const cachedMs = performance.now() - started;
  const gzip = await getRaw(new URL(path, apiUrl), { 'accept-encoding': 'gzip' });
  const again = await getRaw(new URL(path, apiUrl), { 'accept-encoding': 'br', 'if-none-match': first.etag });
  return {
    seat_count: first.seatCount, json_bytes: first.jsonBytes, brotli_bytes: first.compressedBytes, gzip_bytes: gzip.body.length,
    first_ms: Math.round(firstMs), cached_ms: Math.round(cachedMs * 10) / 10, revalidate_status: again.status, etag: first.etag,
  };
}

/**
 * After the verdict: the sale's pools recreated from Postgres as after a Redis loss (what
 * `npm run inventory:rebuild` does), timed, then audited again: the sold places must come back as
 * they were. The sale is over, so nothing races it.
 */
async function rebuildCheck(inventory: ReturnType<typeof createSeatInventory>, saleId: string) {
  try {
    let started = Date.now();
    const r = await inventory.rebuild(saleId);
    const rebuildMs = Date.now() - started;
    started = Date.now();
    const audit = await inventory.audit(saleId);
    return { rebuild_ms: rebuildMs, sold: r.sold, holds_restored: r.holdsRestored, audit_ms: Date.now() - started, audit_ok: audit.ok, sold_after: audit.totals.sold, violations: audit.violations.slice(0, 10) };
  } catch (err) {
    say(`rebuild check failed: ${String(err)}`);
    return null;
  }
}

async function main(): Promise<number> {
  const o = parseOptions(process.argv.slice(2));
  say(`${o.seats} seats, ${o.fans} fans, browsing peak ${o.peakRps} req/s, admission ${o.ratePerMin}/min`);
  const stack = await startStack({ edgeProcesses: o.edgeProcesses, tickMs: o.tickMs, log: say, keepData: o.keepData, env: { PG_POOL_MAX: String(o.pgPoolMax) } });
  const pool = new pg.Pool({ connectionString: stack.databaseUrl, max: 4 });
  const redis = new Redis(stack.redisUrl, { maxRetriesPerRequest: 3 });
  const gens = new Generators();
  let stopping = false;
  let keepData = o.keepData;
  process.once('SIGINT', () => {
    stopping = true;
    say('interrupted: stopping the load, then auditing');
  });
  try {
    if (o.catalogEvents > 0) {
      const catalog = generateCatalog(o.catalogEvents, `loadtest-${Date.now()}`);
      await insertVenues(pool, catalog.venues);
      await insertEvents(pool, catalog.events);
    }
    const openInS = Math.ceil(o.fans / o.connectPerS) + 10;
    const sale = await setUpSale(pool, redis, { seats: o.seats, openInS, ratePerMin: o.ratePerMin, maxActive: o.maxActive, holdSeconds: 180, gaShare: o.gaShare, shardCount: o.shards });
    const inventory = createSeatInventory({ redis, pg: pool });
    say(`sale ${sale.saleId}: ${sale.capacity} places in ${sale.sections.length} sections on ${sale.shards} shards (seeded in ${sale.timings.seed_ms} ms, published in ${sale.timings.publish_ms} ms); opens in ${openInS} s`);
    const seatMap = await seatMapFigures(stack.apiUrl, sale.saleId);
    say(`seat map: ${seatMap.seat_count} seats, ${seatMap.json_bytes} B of JSON, ${seatMap.brotli_bytes} B brotli, ${seatMap.gzip_bytes} B gzip; first answer ${seatMap.first_ms} ms (built then), next ${seatMap.cached_ms} ms, revalidation ${seatMap.revalidate_status}`);

    // CPU split: servers are the role trees, redis-server and the postmaster tree; the generator is
    // this process and its forked generators (not redis-server, which is also our child).
    const serverCpu = new TreeCpu(() => [...Object.values(stack.rolePids), ...childrenNamed(process.pid, 'redis-server'), postmasterPid(stack.postgresDataDir)]);
    const generatorCpu = new TreeCpu(() => gens.pids());
    const roleCpu = new RoleCpu({
      api: () => [stack.rolePids.api ?? 0], edge: () => [stack.rolePids.edge ?? 0], worker: () => [stack.rolePids.worker ?? 0],
      redis: () => childrenNamed(process.pid, 'redis-server'), postgres: () => [postmasterPid(stack.postgresDataDir)],
    });
    const selfCpuStart = process.cpuUsage();
    serverCpu.start();
    generatorCpu.start();
    roleCpu.start();

    const stages = onsaleStages(o.peakRps, o.rampS, o.peakS);
    gens.startFans(fanPlans(o, stack, sale));
    gens.startBrowse({
      apiUrl: stack.apiUrl, edgeUrl: stack.edgeUrl, saleId: sale.saleId, eventId: sale.eventId, visitorSecret: stack.visitorSecret,
      pollers: o.pollers, startAtMs: sale.opensAtMs - o.rampS * 1000, stages,
    });
    if (o.viewers > 0) gens.startViewers({ apiUrl: stack.apiUrl, saleId: sale.saleId, viewers: o.viewers, pollMs: o.viewerPollMs, startAtMs: sale.opensAtMs, sourceAddress: '127.0.0.9' });
    const costWindows: SeatStateWindow[] = [];
    let nextCostS = COST_FIRST_S;
    let costRunning: Promise<void> | null = null;
    const seatStateAnswers = () => Object.values(gens.totals.statuses.seatStates ?? {}).reduce((a, n) => a + n, 0);
    const holdAnswers = (): [number, number] => [Object.values(gens.totals.statuses.hold ?? {}).reduce((a, n) => a + n, 0), gens.totals.statuses.hold?.['201'] ?? 0];
    const tailWindows: HoldTailWindow[] = [];
    const tailsDue = [...TAIL_AT_FREE_SHARE];

    const samples: Sample[] = [];
    const progress = new Progress('loadtest');
    const deadline = sale.opensAtMs + o.maxS * 1000;
    for (;;) {
      await sleep(1000);
      const c = await readSale(redis, pool, inventory, sale.saleId);
      const nowS = Math.floor(Date.now() / 1000);
      const rps = gens.totals.perSecond.get(nowS - 1) ?? 0;
      const lat = new LatencySamples();
      for (const v of gens.drainLatencies()) lat.add(v);
      const s: Sample = { ...c, t: Math.round((Date.now() - sale.opensAtMs) / 100) / 10, at: Date.now(), rps, connected: gens.fanSum('connected'), p50: lat.percentile(50), p95: lat.percentile(95), p99: lat.percentile(99) };
      samples.push(s);
      serverCpu.read();
      generatorCpu.read();
      roleCpu.read();
      if (s.t >= 0 && tailsDue.length > 0 && s.free <= tailsDue[0]! * sale.capacity && !costRunning) {
        tailsDue.shift();
        costRunning = sampleHoldTailCost(stack.redisUrl, sale.saleId, COST_WINDOW_MS, holdAnswers, s.t, s.free)
          .then((w) => {
            tailWindows.push(w);
            say(`holds at t=${w.t}s (${w.free_at_start} free): ${w.hold_requests} requests, ${w.holds_placed} placed; per request ${w.script_calls_per_hold} script calls, ${w.commands_in_scripts_per_hold} commands inside scripts, ${w.plain_commands_per_hold} plain commands on the sale's keys`);
          })
          .catch((err: unknown) => say(`hold tail window failed: ${String(err)}`))
          .finally(() => (costRunning = null));
      } else if (s.t >= nextCostS && !costRunning) {
        nextCostS += COST_EVERY_S;
        costRunning = sampleSeatStateCost(stack.redisUrl, sale.saleId, sale.shards, COST_WINDOW_MS, seatStateAnswers, s.t)
          .then((w) => {
            costWindows.push(w);
            say(`seat states at t=${w.t}s: ${w.requests_per_s} answers/s cost Redis ${w.redis_calls_per_s} calls/s (${w.version_hgets_per_s} version HGETs, ${w.state_hgetalls_per_s} state HGETALLs) of ${w.all_commands_per_s} commands/s`);
          })
          .catch((err: unknown) => say(`seat-state cost window failed: ${String(err)}`))
          .finally(() => (costRunning = null));
      }
      progress.update({ t: s.t, fans: s.connected, waiting: s.waiting + s.prequeue, admitted: s.admitted, shopping: gens.fanSum('shopping'), held: s.held, sold: s.sold, orders: s.orders, rps });
      if (stopping || Date.now() > deadline) break;
      if (s.t < 0) continue;
      const soldOut = s.free === 0 && s.held === 0 && s.claimed === 0;
      const nobodyLeft = s.waiting === 0 && s.offers === 0 && s.admitted > 0;
      if ((soldOut || nobodyLeft) && gens.fanSum('shopping') === 0 && gens.browseDone) break;
    }
    const ending = stopping ? 'interrupted' : Date.now() > deadline ? 'time_limit' : 'sold_out_or_queue_empty';
    progress.done(ending);
    await costRunning;
    await gens.stop();

    // Settle: commits in flight finish (no claimed places, no authorized payment waiting for the worker).
    const settleUntil = Date.now() + SETTLE_MS;
    for (;;) {
      const c = await readSale(redis, pool, inventory, sale.saleId);
      const { rows } = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM payments WHERE sale_id = $1 AND status = 'authorized'`, [sale.saleId]);
      if ((c.claimed === 0 && Number(rows[0]?.n ?? 0) === 0) || Date.now() > settleUntil) break;
      await sleep(1000);
    }
    // What the reconciler would find later (an hour for an abandoned checkout): lost for now…
    const beforeReconcile = await checkInvariants(pool, redis, sale, { orders: gens.orders, paid: gens.paid });
    // …then the product's reconciler once, without waiting, and the commits it enqueues.
    const reconciled = beforeReconcile.lost_paid_holds + beforeReconcile.charged_without_ticket > 0 ? await reconcileNow(stack.env) : null;
    if (reconciled) {
      say(`reconciler: ${reconciled.recommitted} recommitted, ${reconciled.abandoned} abandoned checkouts cancelled`);
      const until = Date.now() + 30_000;
      while (Date.now() < until) {
        const { rows } = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM payments WHERE sale_id = $1 AND status = 'authorized'`, [sale.saleId]);
        if (Number(rows[0]?.n ?? 0) === 0 && (await readSale(redis, pool, inventory, sale.saleId)).claimed === 0) break;
        await sleep(1000);
      }
    }
    const cpu = { servers_s: serverCpu.read(), generator_s: generatorCpu.read() + (process.cpuUsage(selfCpuStart).user + process.cpuUsage(selfCpuStart).system) / 1e6 };
    const roles = roleCpu.read();

    say('auditing Redis against Postgres…');
    const auditStarted = Date.now();
    const inv = await checkInvariants(pool, redis, sale, { orders: gens.orders, paid: gens.paid });
    const checksMs = Date.now() - auditStarted;
    const rebuilt = await rebuildCheck(inventory, sale.saleId);
    if (rebuilt && !rebuilt.audit_ok) inv.problems.push(`after a rebuild from Postgres: ${rebuilt.violations.join('; ')}`);
    if (rebuilt) say(`rebuild from Postgres: ${rebuilt.rebuild_ms} ms (${rebuilt.sold} sold places, ${rebuilt.holds_restored} holds restored), audit after it ${rebuilt.audit_ms} ms: ${rebuilt.audit_ok ? 'ok' : 'BROKEN'}`);
    const final = await readSale(redis, pool, inventory, sale.saleId);
    const endpoints = endpointFigures(gens.totals.statuses, gens.totals.latencies, gens.totals.problems, gens.totals.wire);
    const fiveXx = serverErrorBreakdown(gens.totals.problems);
    const fiveXxErrors = fiveXx.filter((k) => !k.shedding).reduce((a, k) => a + k.count, 0);
    const fiveXxShed = fiveXx.filter((k) => k.shedding).reduce((a, k) => a + k.count, 0);
    const logErrors = Object.fromEntries((['api', 'worker', 'edge'] as const).map((role) => [role, roleLogErrors(nodePath.join(stack.dataDir, `${role}.log`))]));
    const fiveXxLine = (list: typeof fiveXx) => list.map((k) => `${k.route} ${k.kind}: ${k.count}`).join('; ') || 'none';
    const peak = peakPerSecond(gens.totals.perSecond);
    const rate = admissionRate(samples, o.ratePerMin, o.maxActive);
    const sellOut = timeToSellOut(samples, sale.capacity);
    const lag = new LatencySamples();
    for (const v of gens.lags) lag.add(v);
    const outcomes = gens.fanCounts('outcomes');
    const holds = gens.totals.statuses.hold?.['201'] ?? 0;
    const holdRequests = holdAnswers()[0];
    const unsold = await unsoldPlaces(redis, sale.saleId, sale.shards, sale.sections);
    const totalRequests = Object.values(endpoints).reduce((a, e) => a + e.requests, 0);
    const firstS = Math.min(...gens.totals.perSecond.keys());
    const apiRequests = Object.entries(endpoints).filter(([route]) => !['queueStatus', 'queueJoin'].includes(route)).reduce((a, [, e]) => a + e.requests, 0);
    const perOp = cpuFigures(roles, { cpu_generator_s: cpu.generator_s, apiRequests, holds, orders: inv.orders, fans: o.fans });
    const fanMaps = [...gens.fans.values()].flatMap((r) => (r.seatMap ? [r.seatMap] : []));
    const holdP99 = endpoints.hold?.p99 ?? null;
    const result = {
      ending,
      scenario: { ...o, capacity: sale.capacity, sale_id: sale.saleId, opens_at: new Date(sale.opensAtMs).toISOString() },
      fans: o.fans,
      fans_connected_peak: Math.max(0, ...samples.map((s) => s.connected)),
      admitted: final.admitted,
      holds,
      hold_requests: holdRequests,
      hold_answers: gens.totals.statuses.hold ?? {},
      orders: inv.orders,
      sold: final.sold,
      oversold: inv.oversold,
      double_sold: inv.double_sold,
      lost_paid_holds: inv.lost_paid_holds,
      lost_paid_holds_before_final_reconcile: beforeReconcile.lost_paid_holds,
      final_reconcile: reconciled,
      suspects: inv.suspects.length ? inv.suspects : beforeReconcile.suspects,
      charged_without_ticket: inv.charged_without_ticket,
      sold_matches_live_tickets: inv.sold_matches_tickets,
      peak_rps: peak.peak,
      http_requests: totalRequests,
      time_to_sell_out_s: sellOut,
      unsold,
      hold_tail: {
        note: 'MONITOR windows when 5 % and 1 % of the places were free: commands naming the sale\'s shard keys per hold request answered (an upper bound: availability, seat states, claims and the sweeper use the same keys)',
        windows: tailWindows,
      },
      hold_p99_ms: holdP99,
      setup: { ...sale.timings, sections: sale.sections.length, shards: sale.shards, reserved_seats: seatMap.seat_count, checks_ms: checksMs },
      rebuild: rebuilt,
      seat_map: { ...seatMap, fan_process_fetches: fanMaps, viewers: gens.viewerBytes },
      seat_states: {
        viewers: o.viewers, poll_ms: o.viewerPollMs, api_processes: 1,
        note: 'Redis calls of the seat-state cache, counted by key in MONITOR windows (Redis runs slower while MONITOR is on); the bound per API process is (1000 / SEAT_STATES_CACHE_MS) × (shards + changed shards) per second, however many viewers',
        windows: costWindows,
      },
      cpu: perOp,
      admission_rate: rate ? { setting_per_min: o.ratePerMin, measured_per_min: rate.measuredPerMin, error_pct: rate.errorPct, window_s: rate.windowS } : null,
      position_update_lag_ms: lag.summary(),
      latency_ms: endpoints,
      server_errors: {
        note: 'every 5xx by route and problem kind (`<status> <code>[ retry-after]`; `-`: no problem body, or the browse generator (autocannon), which reads no bodies); shedding = 503 overloaded with Retry-After, counted apart from errors',
        errors: fiveXxErrors, shed: fiveXxShed, kinds: fiveXx,
      },
      problems_by_route: gens.totals.problems,
      role_log_errors: logErrors,
      autocannon_corrected: gens.stages,
      fan_outcomes: outcomes,
      fan_errors: gens.fanCounts('errors'),
      fan_reconnects: gens.fanSum('reconnects'),
      cpu_seconds: cpu,
      generator_nice: GENERATOR_NICE,
      audit: { ok: inv.audit.ok, totals: inv.audit.totals, violations: inv.audit.violations.slice(0, 50) },
      payments_by_gateway_state: inv.payments,
      problems: inv.problems,
      rps_over_time: [...gens.totals.perSecond.entries()].sort((a, b) => a[0] - b[0]).map(([s, n]) => [s - firstS, n]),
      samples,
    };
    const ok = inv.problems.length === 0;
    const jsonFile = writeResult(o.out, result);
    const summary: Record<string, string | number | boolean> = {
      verdict: ok ? 'all invariants hold' : `BROKEN: ${inv.problems.join('; ')}`,
      ending,
      seats: sale.capacity, fans: o.fans, admitted: final.admitted, 'hold requests': holdRequests, holds, orders: inv.orders, sold: final.sold,
      'unsold (largest free on one shard, in one tier)': `${unsold.free} (${unsold.largest_per_tier_shard})`,
      oversold: inv.oversold, double_sold: inv.double_sold, lost_paid_holds: inv.lost_paid_holds, charged_without_ticket: inv.charged_without_ticket,
      'sold = live tickets (audit)': inv.sold_matches_tickets,
      peak_rps: peak.peak, [`peak ≥ ${thresholds.peakRequestsPerS} req/s`]: peak.peak >= thresholds.peakRequestsPerS,
      http_requests: totalRequests,
      time_to_sell_out_s: sellOut ?? 'not sold out',
      'hold p99 ms': holdP99 ?? 'n/a',
      'hold p99 ms from a connected socket (the rest: the generator\'s queue)': endpoints.hold?.wire_p99 ?? 'n/a',
      '5xx errors (not shedding)': fiveXxErrors,
      '5xx errors by route and kind': fiveXxLine(fiveXx.filter((k) => !k.shedding)),
      '503 overloaded (shed, Retry-After)': fiveXxShed,
      '503 shed by route and kind': fiveXxLine(fiveXx.filter((k) => k.shedding)),
      'Redis per hold request at ≤ 5 % free (scripts / in scripts / plain)': tailFigure(tailWindows[0]),
      'Redis per hold request at ≤ 1 % free (scripts / in scripts / plain)': tailFigure(tailWindows[1]),
      'seat map brotli kB': Math.round(seatMap.brotli_bytes / 100) / 10,
      'seat-state Redis calls/s (median window)': median(costWindows.map((w) => w.redis_calls_per_s)) ?? 'n/a',
      'seat-state answers/s (median window)': median(costWindows.map((w) => w.requests_per_s)) ?? 'n/a',
      'API µs/request': perOp.api_us_per_request ?? 'n/a', 'Redis µs/hold (all Redis work)': perOp.redis_us_per_hold ?? 'n/a',
      'worker µs/order': perOp.worker_us_per_order ?? 'n/a', 'Postgres µs/order': perOp.postgres_us_per_order ?? 'n/a',
      'rest of machine %': Math.round(perOp.rest_of_machine_share * 100),
      admission_rate_error_pct: rate ? Math.round(rate.errorPct * 100) / 100 : 'n/a',
      'position update lag p99 ms': lag.percentile(99),
      'CPU s servers': Math.round(cpu.servers_s * 10) / 10, 'CPU s generator': Math.round(cpu.generator_s * 10) / 10,
    };
    const html = onsaleHtml('Usher on-sale load test', `${new Date().toISOString()} · ${o.seats} seats · ${o.fans} fans · 2 shared cores (generator and servers)`, summary, samples, o.ratePerMin);
    const htmlFile = writeResultFile(`${o.out}.html`, html);
    process.stdout.write(`\n${formatTable(Object.entries(summary).map(([k, v]) => ({ figure: k, value: typeof v === 'boolean' ? String(v) : v })))}\n\n`);
    process.stdout.write(`${formatTable(Object.entries(endpoints).map(([route, e]) => ({ route, requests: e.requests, ok: e.ok, '4xx': e.client_errors, '5xx': e.server_errors, shed: e.shed, transport: e.transport_errors, p50: e.p50, p95: e.p95, p99: e.p99, 'p99 on wire': e.wire_p99 ?? '-' })))}\n\n`);
    const logRows = Object.entries(logErrors).flatMap(([role, kinds]) => kinds.slice(0, 8).map((k) => ({ role, level: k.level, count: k.count, what: k.what })));
    if (logRows.length) process.stdout.write(`warnings and errors in the role logs (most frequent first; all in the JSON):\n${formatTable(logRows)}\n\n`);
    process.stdout.write(`results: ${jsonFile}\nreport:  ${htmlFile}\n`);
    // an interrupted run wrote its figures but did not complete the scenario
    keepData = keepData || !ok;
    if (!ok) say(`keeping ${stack.dataDir} (role logs, Redis and Postgres) for the post-mortem`);
    return !ok ? 1 : stopping ? 130 : 0;
  } finally {
    await gens.stop().catch(() => undefined);
    redis.disconnect();
    await pool.end().catch(() => undefined);
    await stack.stop(keepData);
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    say(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(2);
  },
);
