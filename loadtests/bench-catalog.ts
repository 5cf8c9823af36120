/**
 * `npm run bench:catalog`: the catalog at the scale seed 001 names (10,000 events; sold-out events
 * with 5,000 tickets each), served by one API process on a private Redis and PostgreSQL.
 *  - search (exact words, typos and prefixes, city and seats-left filters) and event detail, mixed,
 *    at fixed rates (BENCH_RATES, default 250,500,1000 req/s), evenly paced and open loop
 *    (lib/paced-http.ts: latency from the instant each request was due): p50/p99, errors, achieved
 *    rate, and `busiest_100ms_share` (the largest share of a second's requests sent in one 100 ms
 *    of it: 0.1 is even; autocannon's overallRate sends each second's budget in one burst);
 *  - the baseline in the same run: GET /livez of the same process (a bare Hono route) at the same
 *    rates, so the headline is a ratio: CPU per catalog request over CPU per bare request, and
 *    p99 against the 50 ms target at 500 req/s;
 *  - CPU seconds of the API and of PostgreSQL per step, and of the rest of the machine: a step where
 *    the rest took more than BENCH_NOISY_SHARE (loadtests/lib/machine-cpu.ts) of the machine is noisy.
 * Env: BENCH_EVENTS (10000), BENCH_SOLD_EVENTS (50), BENCH_SECONDS (8), BENCH_CONNECTIONS (64),
 * BENCH_GENERATOR (paced; `autocannon`: its overallRate, the generator before, for comparison).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { migrate } from '../common/db/migrate.js';
import { freePort, startServices } from '../scripts/services.js';
import { CpuMeter, processCpuSeconds, processTree } from './lib/cpu-split.js';
import { pacedLoad, type PacedRequest } from './lib/paced-http.js';
import { formatTable, writeResult } from './lib/results.js';
import { machineBusySeconds, NOISY_SHARE, restShare } from './lib/machine-cpu.js';

const rates = (process.env.BENCH_RATES ?? '250,500,1000').split(',').map(Number);
const eventCount = Number(process.env.BENCH_EVENTS ?? 10_000);
const soldEvents = Number(process.env.BENCH_SOLD_EVENTS ?? 50);
const seconds = Number(process.env.BENCH_SECONDS ?? 8);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 64);
const generator = process.env.BENCH_GENERATOR ?? 'paced';
const noisyShare = Number(process.env.BENCH_NOISY_SHARE ?? NOISY_SHARE);
const round2 = (v: number): number => Math.round(v * 100) / 100;
const say = (line: string): void => void process.stderr.write(`[bench:catalog] ${line}\n`);

const dataDir = mkdtempSync(path.join(tmpdir(), 'usher-bench-cat-'));
const services = await startServices({ dataDir, env: {}, fast: true, log: say });
await migrate(services.databaseUrl);
const pool = new pg.Pool({ connectionString: services.databaseUrl, max: 4 });

const PERFORMERS = ['Aurora', 'Blackbird', 'Cobalt', 'Driftwood', 'Ember', 'Fjord', 'Granite', 'Harbor', 'Indigo', 'Juniper', 'Kestrel', 'Lantern',
  'Meadow', 'Nimbus', 'Orchid', 'Pebble', 'Quartz', 'Raven', 'Saffron', 'Thistle', 'Umber', 'Velvet', 'Willow', 'Yarrow', 'Zenith'];
const CITIES = ['Amsterdam', 'Berlin', 'Paris', 'London', 'Madrid', 'Rome', 'Lisbon', 'Vienna', 'Prague', 'Dublin'];
say(`seeding ${eventCount} events in ${CITIES.length} cities, ${soldEvents} of them sold out with 5,000 tickets each…`);
await pool.query(`
  INSERT INTO venues (name, city) SELECT 'Venue ' || v, ($1::text[])[1 + v % array_length($1::text[], 1)] FROM generate_series(0, 199) v;
  `.trim().replace(/;$/, ''), [CITIES]);
await pool.query(`INSERT INTO sections (venue_id, name, kind, tier_code, capacity) SELECT id, 'Floor', 'ga', 'GA', 5000 FROM venues`);
await pool.query(
  `INSERT INTO events (venue_id, venue_name, title, description, performer, category, city, starts_at, status)
   SELECT v.id, v.name, p || ' ' || (ARRAY['World Tour','Unplugged','Live','Anniversary Show','Farewell Night'])[1 + i % 5],
          'An evening to remember.', p, (ARRAY['music','comedy','sports','theatre','family'])[1 + i % 5], v.city,
          now() + (i || ' hours')::interval, 'published'
   FROM generate_series(0, $1::int - 1) i
   CROSS JOIN LATERAL (SELECT ($2::text[])[1 + i % array_length($2::text[], 1)] AS p) perf
   JOIN LATERAL (SELECT id, name, city FROM venues ORDER BY id OFFSET i % 200 LIMIT 1) v ON true`,
  [eventCount, PERFORMERS],
);
await pool.query(`INSERT INTO event_price_tiers (event_id, tier_code, name, price_minor) SELECT id, t, t, 2000 + (random() * 8000)::int FROM events, unnest(ARRAY['GA','VIP']) t`);
const { rows: sold } = await pool.query<{ id: string }>('SELECT id FROM events ORDER BY starts_at LIMIT $1', [soldEvents]);
for (const [n, e] of sold.entries()) {
  await pool.query(
    `WITH s AS (INSERT INTO sales (event_id, prequeue_opens_at, opens_at, closes_at, admission_rate_per_min, max_active_shoppers, status)
                VALUES ($1, now() - interval '2 days', now() - interval '1 day', now() - interval '1 hour', 600, 100, 'closed') RETURNING id),
          o AS (INSERT INTO orders (id, sale_id, event_id, email, payment_intent_id, amount_minor, currency, status)
                SELECT 'bench-order-' || $2, s.id, $1, 'fan@example.com', 'pi_bench_' || $2, 100, 'EUR', 'confirmed' FROM s RETURNING id)
     INSERT INTO tickets (order_id, event_id, section_id, tier_code, price_minor)
     SELECT o.id, $1, sec.id, 'GA', 2000 FROM o, sections sec JOIN events ev ON ev.venue_id = sec.venue_id AND ev.id = $1, generate_series(1, 5000)`,
    [e.id, n],
  );
}
await pool.query('ANALYZE');
const { rows: ids } = await pool.query<{ id: string }>('SELECT id FROM events ORDER BY random() LIMIT 2000');

const apiPort = await freePort();
const api: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts', 'api'], {
  env: {
    ...process.env, NODE_ENV: 'development', LOG_LEVEL: 'warn', REDIS_URL: services.redisUrl, DATABASE_URL: services.databaseUrl, HOST: '127.0.0.1',
    API_PORT: String(apiPort), RATE_LIMIT_PER_IP_PER_MIN: '100000000', AUTH_JWT_SECRET: 'b'.repeat(40), PG_POOL_MAX: '20',
  },
  stdio: ['ignore', 'ignore', 'inherit'],
});
const base = `http://127.0.0.1:${apiPort}`;
for (let i = 0; ; i++) {
  try { if ((await fetch(`${base}/readyz`)).ok) break; } catch { /* not yet */ }
  if (i > 300) throw new Error('the API did not start');
  await new Promise((r) => setTimeout(r, 100));
}

// What fans type: exact names, names with one wrong letter, prefixes; a city; "seats left" only.
const searches = [
  ...PERFORMERS.map((p) => `q=${p.toLowerCase()}`),
  ...PERFORMERS.map((p) => `q=${p.slice(0, 2)}${p[2] === 'e' ? 'a' : 'e'}${p.slice(3).toLowerCase()}`),
  ...PERFORMERS.map((p) => `q=${p.slice(0, 4).toLowerCase()}`),
  ...CITIES.map((c) => `city=${c}`),
  ...CITIES.map((c) => `city=${c}&hasSeats=true`),
  'hasSeats=false',
];
let n = 0;
// each connection alternates a search and an event page; the baseline is the bare route
const paths: Record<'catalog' | 'baseline', PacedRequest<object>[]> = {
  baseline: [{ method: 'GET', build: () => ({ path: '/livez' }) }],
  catalog: [
    { method: 'GET', build: () => ({ path: `/v1/events?${searches[n++ % searches.length]}` }) },
    { method: 'GET', build: () => ({ path: `/v1/events/${ids[n++ % ids.length]!.id}` }) },
  ],
};
interface Load { achieved: number; total: number; p50: number; p99: number; errors: number; busiest_100ms_share: number }
/** One fixed-rate step (paced-http.ts: evenly spaced, open loop); BENCH_GENERATOR=autocannon: the generator before, for comparison. */
async function load(kind: 'catalog' | 'baseline', rate: number, duration: number): Promise<Load> {
  if (generator !== 'autocannon') {
    const r = await pacedLoad<object>({ host: '127.0.0.1', port: apiPort, rate, seconds: duration, connections, requests: paths[kind], context: () => ({}) });
    return { achieved: r.achieved, total: r.answered, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors, busiest_100ms_share: r.busiest_100ms_share };
  }
  const sentAt = new Array<number>(10).fill(0);
  const t0 = performance.now();
  const requests: autocannon.Request[] = paths[kind].map((m) => ({
    method: 'GET',
    setupRequest: (req) => {
      sentAt[Math.floor(((performance.now() - t0) % 1000) / 100)]!++;
      return { ...req, path: m.build({}).path };
    },
  }));
  const r = await autocannon({ url: base, connections, duration, overallRate: rate, requests });
  const busiest = Math.max(...sentAt) / Math.max(1, sentAt.reduce((a, b) => a + b, 0));
  return { achieved: r.requests.average, total: r.requests.total, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.non2xx, busiest_100ms_share: Math.round(busiest * 1000) / 1000 };
}

const { rows: [backend] } = await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
const postmasterPid = Number(readFileSync(`/proc/${backend!.pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
function postgresCpu(): () => number {
  const start = new Map(processTree(postmasterPid).map((p) => [p, processCpuSeconds(p)]));
  return () => processTree(postmasterPid).reduce((sum, p) => sum + Math.max(0, processCpuSeconds(p) - (start.get(p) ?? 0)), 0);
}

interface Step { kind: string; rate: number; achieved: number; p50: number; p99: number; errors: number; busiest_100ms_share: number; apiCpuUsPerReq: number; pgCpuUsPerReq: number; restShare: number; noisy: boolean }
const steps: Step[] = [];
async function step(kind: 'catalog' | 'baseline', rate: number): Promise<Step> {
  say(`${kind} at ${rate}/s for ${seconds}s`);
  const meter = new CpuMeter(processTree(api.pid!));
  const pgMeter = postgresCpu();
  const busyStart = machineBusySeconds();
  const r = await load(kind, rate, seconds);
  const { servers: apiCpu, generator } = meter.read();
  const pgCpuS = pgMeter();
  const busy = machineBusySeconds() - busyStart;
  const rest = Math.max(0, busy - apiCpu - pgCpuS - generator);
  const share = restShare(rest, seconds);
  const total = r.total || 1;
  const s: Step = {
    kind, rate, achieved: Math.round(r.achieved), p50: r.p50, p99: r.p99, errors: r.errors, busiest_100ms_share: r.busiest_100ms_share,
    apiCpuUsPerReq: Math.round((apiCpu * 1e6) / total), pgCpuUsPerReq: Math.round((pgCpuS * 1e6) / total),
    restShare: round2(share), noisy: share > noisyShare,
  };
  steps.push(s);
  return s;
}

// Each kind of request alone, one at a time: which one costs what (medians of 60 after the warm-up,
// and PostgreSQL's CPU over those 60 per request: /proc counts in 10 ms ticks, so 167 µs steps).
async function sequentialMedianMs(path: string): Promise<{ ms: number; pgUs: number }> {
  const times: number[] = [];
  const pgMeter = postgresCpu();
  for (let i = 0; i < 60; i++) {
    const t = performance.now();
    const res = await fetch(`${base}${path}`);
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`${path}: ${res.status}`);
    times.push(performance.now() - t);
  }
  return { ms: round2(times.sort((a, b) => a - b)[30]!), pgUs: Math.round((pgMeter() * 1e6) / 60) };
}
const kinds: Record<string, string> = {
  'search: exact name': '/v1/events?q=cobalt',
  'search: one wrong letter': '/v1/events?q=cobolt',
  'search: prefix': '/v1/events?q=coba',
  'list: city': '/v1/events?city=Paris',
  'list: city, seats left': '/v1/events?city=Paris&hasSeats=true',
  'list: sold out only': '/v1/events?hasSeats=false',
  'detail: sold-out event': `/v1/events/${sold[0]!.id}`,
  'detail: event': `/v1/events/${ids[0]!.id}`,
};
say('warm-up (not recorded)');
await load('catalog', 300, 3);
const perKind: Record<string, number> = {};
const perKindPgUs: Record<string, number> = {};
for (const [kind, path] of Object.entries(kinds)) {
  const alone = await sequentialMedianMs(path);
  perKind[kind] = alone.ms;
  perKindPgUs[kind] = alone.pgUs;
}
console.log(formatTable(Object.entries(perKind).map(([kind, ms]) => ({ request: kind, median_ms_alone: ms, pg_cpu_us_alone: perKindPgUs[kind]! }))));
console.log();

await load('catalog', 300, 3);
for (const rate of rates) {
  await step('baseline', rate);
  await step('catalog', rate);
}
api.kill('SIGTERM');
await new Promise((r) => api.once('exit', r));

const at = (kind: string, rate: number): Step | undefined => steps.find((s) => s.kind === kind && s.rate === rate);
const headline = rates.map((rate) => {
  const c = at('catalog', rate)!;
  const b = at('baseline', rate)!;
  return { rate, catalog_p99_ms: c.p99, p99_under_50ms: c.p99 < 50, achieved: c.achieved, busiest_100ms_share: c.busiest_100ms_share, api_cpu_ratio_to_bare_route: round2(c.apiCpuUsPerReq / Math.max(1, b.apiCpuUsPerReq)), pg_cpu_us_per_request: c.pgCpuUsPerReq, noisy: c.noisy || b.noisy };
});
console.log(formatTable(steps.map((s) => ({ kind: s.kind, offered: s.rate, achieved: s.achieved, p50_ms: s.p50, p99_ms: s.p99, errors: s.errors, busiest_100ms: s.busiest_100ms_share, api_cpu_us_req: s.apiCpuUsPerReq, pg_cpu_us_req: s.pgCpuUsPerReq, rest_share: s.restShare, noisy: s.noisy ? 'noisy' : '' }))));
console.log();
console.log(formatTable(headline.map((h) => ({ ...h, p99_under_50ms: h.p99_under_50ms ? 'yes' : 'NO', noisy: h.noisy ? 'noisy' : '' }))));
say(`wrote ${writeResult('catalog', { at: new Date().toISOString(), generator: generator === 'autocannon' ? 'autocannon overallRate (1 s budgets per connection)' : 'paced open loop (lib/paced-http.ts)', events: eventCount, soldEvents, seconds, connections, noisyShare, perKindMedianMs: perKind, perKindPgCpuUs: perKindPgUs, steps, headline })}`);

await pool.end();
await services.stop();
rmSync(dataDir, { recursive: true, force: true });
