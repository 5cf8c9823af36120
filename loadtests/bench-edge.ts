/**
 * `npm run bench:edge [-- --fans 10000,25000,50000 --processes auto --window-s 20 --connect-s 300 --memory-probe --bare --only edge,ws,ws-tuned,bare --edge-node-flags='…' --client-read handle|onread|stream --client-bind port|kernel --client-poll-ms 5 --tick-phases spread|startup]`
 * (or BENCH_FANS, BENCH_PROCESSES, BENCH_WINDOW_S, BENCH_CONNECT_S, BENCH_CLIENT_READ, BENCH_CLIENT_BIND, BENCH_CLIENT_POLL_MS, BENCH_TICK_PHASES; the 100k step: `--fans 100000`)
 *
 * For each fan count: the edge as N processes sharing one port (SO_REUSEPORT) on a private Redis,
 * load-generator processes each on its own 127.0.0.x source address, then the same measurements
 * for a minimal `ws` server with the same process count, fan count, update period and payloads, in
 * the same run: once with Node's default flags (`ws_*`, the issue's baseline: `ws` as people run
 * it) and once with the edge's V8 flags (`ws_tuned_*`). `--bare` adds a bare uWS server as a
 * control (`uws_bare_*`: what uWS itself costs here); `--only` runs a subset. Prints a table and writes
 * loadtests/results/edge.json. Measured: time to connect and join everyone, server RSS added per
 * fan (settled: the lowest from 3 s after the last join to the end of the update window, every fan
 * connected; also 3 s after the last join, at the peak and at the end of the window), server CPU while
 * updates flow (every 2 s), p99 lag from tick to delivery, and the admission rate's error against
 * the setting (admitted between the first and the last admission seen in the window, over their
 * Redis times, sampled every 50 ms: admissions come in tick-sized steps, and a least-squares slope
 * over such a staircase is off by up to ±1% over 20 s on a perfect bucket).
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { startRedis, freePort } from '../scripts/services.js';
import { initSaleSettings } from '../admission/sale-controls.js';
import { queueKeys } from '../admission/queue-keys.js';
import { queueStore } from '../queue-edge/queue-store.js';
import { openEmptyQueue } from '../queue-edge/opening-draw.js';
import { EDGE_NODE_FLAGS } from '../queue-edge/edge-node-flags.js';
import { openFilesLimit } from '../queue-edge/open-files.js';
import { EDGE_TICK_PHASE_ENV, tickPhaseMs } from '../queue-edge/tick-phase.js';
import { processCpuSeconds } from './lib/cpu-split.js';
import { readRedisCpu, redisCpuDelta } from './lib/redis-cpu.js';
import { machineBusySeconds, restShare, NOISY_SHARE, machineCores } from './lib/machine-cpu.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const { values } = parseArgs({ options: {
  fans: { type: 'string', default: process.env.BENCH_FANS ?? '10000,25000,50000' }, processes: { type: 'string', default: process.env.BENCH_PROCESSES ?? 'auto' },
  'window-s': { type: 'string', default: process.env.BENCH_WINDOW_S ?? '20' }, 'connect-s': { type: 'string', default: process.env.BENCH_CONNECT_S ?? '300' }, bare: { type: 'boolean', default: false }, only: { type: 'string' }, 'edge-node-flags': { type: 'string' },
  'client-read': { type: 'string', default: process.env.BENCH_CLIENT_READ ?? 'handle' }, 'client-bind': { type: 'string', default: process.env.BENCH_CLIENT_BIND ?? 'port' },
  'client-poll-ms': { type: 'string', default: process.env.BENCH_CLIENT_POLL_MS ?? '5' },
  'tick-phases': { type: 'string', default: process.env.BENCH_TICK_PHASES ?? 'spread' },
  'memory-probe': { type: 'boolean', default: false },
} });
const SERVERS = new Set((values.only ?? `edge,ws,ws-tuned${values.bare ? ',bare' : ''}`).split(','));
const FAN_COUNTS = values.fans.split(',').map(Number);
const WINDOW_S = Number(values['window-s']);
/**
 * How long the fans may take to connect and join. Past it the step goes on with those who joined
 * (`connect_timed_out` 1, `joined` < `fans`): on cores shared with other work the position updates
 * of the fans already in can take all the CPU the servers get, and joins then crawl.
 */
const CONNECT_S = Number(values['connect-s']);
const RATE_PER_MIN = 6000;
const PERIOD_MS = 2000;
/**
 * Every server process and every load generator here lives under the open-files limit (20,000 on
 * this machine, a hard limit): one socket is one file. A process is given at most this share of it
 * in fans, which leaves room for its other files and for SO_REUSEPORT's uneven spread (the kernel
 * hashes each connection to a process: at 16,700 fans a process, ±3 sd is ±330).
 */
const OPEN_FILES = openFilesLimit() ?? 20_000;
const FANS_PER_PROCESS = Math.floor(OPEN_FILES * 0.85);
/**
 * Server processes for `fans`: `--processes N`, or (auto) 3 as in every earlier run, more when the
 * fans would not fit under the open-files limit (100k fans: 6). The `ws` baseline gets the same count.
 */
const processesFor = (fans: number): number => (values.processes === 'auto' ? Math.max(3, Math.ceil(fans / FANS_PER_PROCESS)) : Number(values.processes));
/** Each load generator from its own 127.0.0.x (~28k ephemeral ports each), under the same limit. */
const FANS_PER_CLIENT = Math.min(12_500, FANS_PER_PROCESS);
const SECRET = randomBytes(32).toString('hex');
/** How the load generators read their sockets (edge-bench-client.ts): `handle` (Node's TCP handles without a net.Socket, one shared buffer), `onread` (net.Socket's onread option, as before), or `stream` ('data' events). */
const CLIENT_READ = values['client-read'];
/** How they pick a source port (edge-bench-client.ts): `port` (their own, in turn) or `kernel` (bind to port 0, as before). */
const CLIENT_BIND = values['client-bind'];
/** How often they read their sockets (edge-bench-client.ts): every N ms in one batch, sleeping between (default 5), or 0: woken by each message, as before. */
const CLIENT_POLL_MS = values['client-poll-ms'];
/**
 * `spread`: each edge process ticks in its own slot of the period, as the supervisor
 * (edge-processes.ts) starts them; `startup`: every process ticks from its start-up, as before
 * (they start together, so their broadcasts left together).
 */
const TICK_PHASES = values['tick-phases'];
/**
 * The edge runs with its production V8 flags (queue-edge/edge-node-flags.ts: a small young
 * generation), as its supervisor starts it; `--edge-node-flags ''` measures it without. The `ws`
 * baseline runs with Node's defaults, and again with the edge's flags.
 */
const EDGE_FLAGS = values['edge-node-flags'] === undefined ? [...EDGE_NODE_FLAGS] : values['edge-node-flags'].split(' ').filter(Boolean);
const WS_FLAGS: string[] = [];
/**
 * `--memory-probe` (a diagnostic, off by default: a full GC at the end changes nothing measured
 * before it, but the flags are not the production ones): each edge process also runs with
 * `--expose-gc` and edge-memory-probe.ts, and reports its V8 heap (used, total) and its malloc heap
 * 3 s after the last join and at the end of the window, then its RSS after a full GC (`edge_probe_*`):
 * what of the RSS per fan is held and what is garbage not yet collected or returned.
 */
const MEMORY_PROBE = values['memory-probe'];
// after `--import tsx` (the probe is TypeScript)
const PROBE_FLAGS = MEMORY_PROBE ? ['--expose-gc', '--import', 'tsx', '--import', path.join(here, 'edge-memory-probe.ts')] : [];
interface Peek { rssKb: number; heapTotal: number; heapUsed: number; external: number; arrayBuffers: number; mappingsKb: Record<string, number> }
/** Summed over `children`: their memory now (`peek`), or after a full GC (`mem`). */
async function probeAll(children: ChildProcess[], probe: 'peek' | 'mem'): Promise<Peek> {
  const all = await Promise.all(children.map((c) => {
    const r = waitFor<Peek>(c, probe);
    c.send({ probe });
    return r;
  }));
  const sum = (f: (p: Peek) => number): number => all.reduce((a, p) => a + f(p), 0);
  return { rssKb: sum((p) => p.rssKb), heapTotal: sum((p) => p.heapTotal), heapUsed: sum((p) => p.heapUsed), external: sum((p) => p.external), arrayBuffers: sum((p) => p.arrayBuffers), mappingsKb: { heap: sum((p) => p.mappingsKb.heap ?? 0) } };
}
/** `edge_probe_<tag>_*` in KB per fan from `base`. */
function probeFigures(tag: string, p: Peek, base: Peek, fans: number): Record<string, number> {
  const kb = (bytes: number): number => bytes / 1024 / fans;
  return {
    [`edge_probe_${tag}_rss_kb_per_fan`]: (p.rssKb - base.rssKb) / fans, [`edge_probe_${tag}_heap_used_kb_per_fan`]: kb(p.heapUsed - base.heapUsed), [`edge_probe_${tag}_heap_total_kb_per_fan`]: kb(p.heapTotal - base.heapTotal),
    [`edge_probe_${tag}_external_kb_per_fan`]: kb(p.external - base.external), [`edge_probe_${tag}_malloc_heap_kb_per_fan`]: (p.mappingsKb.heap! - base.mappingsKb.heap!) / fans,
  };
}
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/**
 * Idle time before the RSS baseline: a freshly started Node process drops ~10 MB of start-up
 * garbage when V8's memory reducer runs (8 s after allocation calms down). A baseline taken before
 * that is too high and understates every server's memory per fan (by ~0.6 KB at 50k fans on 3
 * processes, and makes 10k-fan figures meaningless).
 */
const SETTLE_MS = 12_000;

const rssKb = (pid: number): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
/** The highest RSS summed over `pids`, sampled every 250 ms until stopped. */
function rssPeak(pids: number[]): () => number {
  let peak = 0;
  const timer = setInterval(() => (peak = Math.max(peak, pids.reduce((a, p) => a + rssKb(p), 0))), 250);
  return () => (clearInterval(timer), peak);
}
/**
 * The lowest RSS summed over `pids`, sampled every 250 ms until stopped: the settled figure. After a
 * burst of joins an edge's RSS holds V8 old-generation garbage of the joins (their promises, frames,
 * Redis replies promoted out of the 2 MB young generation) until a major GC and V8's memory reducer
 * give it back, seconds later; the faster the joins, the more of it 3 s after the last one. At any
 * sample every fan is connected, so the lowest sum is what the server needed to hold them all.
 */
function rssLow(pids: number[]): () => number {
  const sum = (): number => pids.reduce((a, p) => a + rssKb(p), 0);
  let low = sum();
  const timer = setInterval(() => (low = Math.min(low, sum())), 250);
  return () => (clearInterval(timer), Math.min(low, sum()));
}
const quantiles = (xs: number[]): { p50: number; p99: number } => {
  if (xs.length === 0) return { p50: NaN, p99: NaN };
  const s = Float64Array.from(xs).sort();
  const q = (f: number): number => s[Math.min(s.length - 1, Math.floor(s.length * f))]!;
  return { p50: q(0.5), p99: q(0.99) };
};

function waitFor<T>(child: ChildProcess, event: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMsg = (m: { event?: string } & T): void => {
      if (m.event === event) {
        child.off('message', onMsg);
        resolve(m);
      }
    };
    child.on('message', onMsg);
    child.once('exit', (code) => reject(new Error(`process exited (${code}) before ${event}`)));
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const kill = setTimeout(() => child.kill('SIGKILL'), 8000);
    child.once('exit', () => (clearTimeout(kill), resolve()));
    child.kill('SIGTERM');
  });
}

interface Load {
  connectS: number; joined: number; failed: number; timedOut: boolean; clients: ChildProcess[];
  /** CPU µs per joined fan over the connect window: the servers' (position updates to the fans already in included) and the generators' */
  joinServerCpuUs: number; joinClientsCpuUs: number;
}

const cpuOf = (ps: number[]): number => ps.reduce((a, p) => a + processCpuSeconds(p), 0);

/**
 * The next load generator's source address: each step's generators get addresses of their own
 * (127.0.0.2 on), so a source port left in TIME_WAIT by the step before is not bound again.
 */
let nextAddress = 2;

async function connectFans(port: number, fans: number, wsPath: string, serverPids: number[]): Promise<Load> {
  const n = Math.ceil(fans / FANS_PER_CLIENT);
  if (nextAddress + n > 255) nextAddress = 2;
  const first = nextAddress;
  nextAddress += n;
  const started = Date.now();
  const s0 = cpuOf(serverPids);
  const clients = Array.from({ length: n }, (_, k) => fork(path.join(here, 'edge-bench-client.ts'), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, BENCH_HOST: '127.0.0.1', BENCH_PORT: String(port), BENCH_LOCAL_ADDRESS: `127.0.0.${first + k}`, BENCH_FANS: String(Math.floor(fans / n) + (k < fans % n ? 1 : 0)), BENCH_PATH: wsPath, BENCH_VISITOR_SECRET: SECRET, BENCH_CLIENT_READ: CLIENT_READ, BENCH_CLIENT_BIND: CLIENT_BIND, BENCH_CLIENT_POLL_MS: CLIENT_POLL_MS },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  }));
  const results = clients.map((c) => waitFor<{ joined: number; failed: number; unfinished?: number }>(c, 'joined'));
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), CONNECT_S * 1000)));
  const timedOut = (await Promise.race([Promise.all(results), deadline])) === 'late';
  clearTimeout(timer);
  if (timedOut) for (const c of clients) c.send({ cmd: 'enough' });
  const r = await Promise.all(results);
  const joined = r.reduce((a, x) => a + x.joined, 0);
  const serverS = cpuOf(serverPids) - s0;
  const clientsS = cpuOf(clients.map((c) => c.pid!));
  if (timedOut) process.stderr.write(`bench:edge: connect deadline (${CONNECT_S} s): ${joined} of ${fans} joined; going on with them\n`);
  return { connectS: (Date.now() - started) / 1000, joined, failed: r.reduce((a, x) => a + x.failed, 0), timedOut, clients, joinServerCpuUs: (serverS * 1e6) / joined, joinClientsCpuUs: (clientsS * 1e6) / joined };
}

interface Steady {
  cpuPct: number; p50Ms: number; p99Ms: number;
  /** position messages that reached a fan in the window */
  delivered: number;
  /** server CPU µs per delivered position message (one fan, one update) */
  cpuUsPerFanUpdate: number;
  redis?: { cpuUsPerFanUpdate: number; cpuPct: number; calls: Record<string, number> };
  /** CPU of the load generators and of the rest of the machine (other sessions) over the window */
  clientsCpuPct: number; restShare: number; noisy: boolean;
  /** the generators' CPU µs per position message they read, and their reads per message */
  clientsCpuUsPerMessage: number; clientReadsPerMessage: number;
  /** the generators' own event-loop delay over the window (the worst generator's p99 and max, ms): lag of theirs counted in the p99 (their poll interval, client_poll_ms, included) */
  clientLoopP99Ms: number; clientLoopMaxMs: number;
}

async function steadyState(pids: number[], load: Load, o: { redis?: Redis; sample?: () => Promise<void> } = {}): Promise<Steady> {
  const cpu = (ps: number[]): number => ps.reduce((a, p) => a + processCpuSeconds(p), 0);
  const clientPids = load.clients.map((c) => c.pid!);
  const r0 = o.redis ? await readRedisCpu(o.redis) : undefined;
  const t0 = Date.now();
  const c0 = cpu(pids);
  const k0 = cpu(clientPids);
  const m0 = machineBusySeconds();
  const self0 = process.cpuUsage();
  for (const c of load.clients) c.send({ cmd: 'measure' });
  while (Date.now() - t0 < WINDOW_S * 1000) {
    await o.sample?.();
    await sleep(o.sample ? 50 : 250);
  }
  const seconds = (Date.now() - t0) / 1000;
  const serverS = cpu(pids) - c0;
  const clientsS = cpu(clientPids) - k0;
  const busyS = machineBusySeconds() - m0;
  const self = process.cpuUsage(self0);
  const r1 = o.redis ? await readRedisCpu(o.redis) : undefined;
  const reports = await Promise.all(load.clients.map((c) => {
    const r = waitFor<{ lags: number[]; messages: number; reads: number; loop: { p50: number; p99: number; max: number } }>(c, 'report');
    c.send({ cmd: 'report' });
    return r;
  }));
  const lags = reports.flatMap((r) => r.lags);
  const messages = reports.reduce((a, r) => a + r.messages, 0);
  const { p50, p99 } = quantiles(lags);
  const redis = r0 && r1 ? redisCpuDelta(r0, r1) : undefined;
  // the Redis server here is the bench's own, so its CPU is part of the benchmark, not of the rest
  const rest = busyS - serverS - clientsS - (redis?.cpuS ?? 0) - (self.user + self.system) / 1e6;
  const share = restShare(rest, seconds);
  return {
    cpuPct: (serverS / seconds) * 100, p50Ms: p50, p99Ms: p99, delivered: lags.length, cpuUsPerFanUpdate: (serverS * 1e6) / lags.length,
    ...(redis ? { redis: { cpuUsPerFanUpdate: (redis.cpuS * 1e6) / lags.length, cpuPct: (redis.cpuS / seconds) * 100, calls: redis.calls } } : {}),
    clientsCpuPct: (clientsS / seconds) * 100, restShare: share, noisy: share > NOISY_SHARE,
    clientsCpuUsPerMessage: (clientsS * 1e6) / messages, clientReadsPerMessage: reports.reduce((a, r) => a + r.reads, 0) / messages,
    clientLoopP99Ms: Math.max(...reports.map((r) => r.loop.p99)), clientLoopMaxMs: Math.max(...reports.map((r) => r.loop.max)),
  };
}

async function runEdge(redisUrl: string, fans: number, processes: number): Promise<Record<string, number>> {
  const redis = new Redis(redisUrl);
  const saleId = `bench-${randomBytes(4).toString('hex')}`;
  await initSaleSettings(redis, saleId, { ratePerMin: RATE_PER_MIN, maxActive: 10_000_000, opensAtMs: 0, closesAtMs: Date.now() + 86_400_000, prequeueOpensAtMs: 0 });
  await redis.hset(queueKeys(saleId).settings, 'paused', '1'); // admission starts once everyone is in
  await openEmptyQueue(queueStore(redis), saleId);
  const port = await freePort();
  const env = {
    ...process.env, NODE_ENV: 'development', REDIS_URL: redisUrl, HOST: '127.0.0.1', EDGE_PORT: String(port), EDGE_TICK_MS: String(PERIOD_MS),
    EDGE_CONNECTS_PER_IP_PER_MIN: '10000000', EDGE_JOINS_PER_IP_PER_MIN: '10000000', QUEUE_OFFER_TTL_S: '3600', LOG_LEVEL: 'warn',
    VISITOR_TOKEN_SECRET: SECRET, DATABASE_URL: 'postgres://bench@127.0.0.1:1/none', USHER_EDGE_CHILD: '0',
  };
  const tickBase = Math.random() * PERIOD_MS;
  const edges = Array.from({ length: processes }, (_, i) => spawn(process.execPath, [...EDGE_FLAGS, ...(MEMORY_PROBE ? PROBE_FLAGS : ['--import', 'tsx']), 'queue-edge/edge-process-main.ts'], {
    cwd: root, env: { ...env, USHER_EDGE_CHILD: String(i), ...(TICK_PHASES === 'spread' ? { [EDGE_TICK_PHASE_ENV]: String(tickPhaseMs(i, processes, PERIOD_MS, tickBase)) } : {}) }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  }));
  await Promise.all(edges.map((e) => new Promise<void>((resolve, reject) => {
    e.once('message', (m) => (m === 'ready' ? resolve() : reject(new Error(String(m)))));
    e.once('exit', (code) => reject(new Error(`edge exited ${code}`)));
  })));
  const pids = edges.map((e) => e.pid!);
  await sleep(SETTLE_MS);
  const probe0 = MEMORY_PROBE ? await probeAll(edges, 'peek') : undefined;
  const rss0 = pids.reduce((a, p) => a + rssKb(p), 0);
  const peak = rssPeak(pids);
  const load = await connectFans(port, fans, `/v1/sales/${saleId}/ws`, pids);
  await sleep(3000);
  const rss1 = pids.reduce((a, p) => a + rssKb(p), 0);
  const probe1 = MEMORY_PROBE ? await probeAll(edges, 'peek') : undefined;
  const low = rssLow(pids);
  // each process's own count, from its tick: what the kernel's SO_REUSEPORT spread put on it
  const perProcess = Object.entries(await redis.hgetall(queueKeys(saleId).stats)).filter(([k]) => k.startsWith('connected:')).map(([, v]) => Number(v));
  await redis.hset(queueKeys(saleId).settings, 'paused', '0');
  await sleep(PERIOD_MS * 2);
  const samples: [number, number][] = [];
  const sample = async (): Promise<void> => {
    const r = (await redis.multi().time().hget(queueKeys(saleId).stats, 'admitted').exec()) ?? [];
    const [sec, usec] = r[0]?.[1] as [string, string];
    samples.push([Number(sec) * 1000 + Number(usec) / 1000, Number(r[1]?.[1] ?? 0)]);
  };
  const steady = await steadyState(pids, load, { redis, sample });
  const rss2 = pids.reduce((a, p) => a + rssKb(p), 0);
  const rss3 = peak();
  const rss4 = low();
  const probed = probe0 && probe1 ? { ...probeFigures('after_joins', probe1, probe0, load.joined), ...probeFigures('end', await probeAll(edges, 'peek'), probe0, load.joined), ...probeFigures('end_after_gc', await probeAll(edges, 'mem'), probe0, load.joined) } : {};
  // The bucket refills continuously and each tick takes what it holds, so between two admissions the
  // total grows by rate × their time apart: measure from the first step seen to the last.
  const steps = samples.filter((s, i) => i > 0 && s[1] !== samples[i - 1]![1]);
  const first = steps[0];
  const last = steps[steps.length - 1];
  const measuredPerMin = first && last && last[0] > first[0] ? ((last[1] - first[1]) / (last[0] - first[0])) * 60_000 : NaN;
  for (const c of load.clients) c.send({ cmd: 'stop' });
  await Promise.all(edges.map(stop));
  await Promise.all(load.clients.map(stop));
  redis.disconnect();
  return {
    fans, joined: load.joined, failed: load.failed, connect_timed_out: load.timedOut ? 1 : 0, edge_processes: processes, client_processes: load.clients.length, connect_s: load.connectS, rss_kb_per_fan: (rss4 - rss0) / load.joined, rss_kb_per_fan_after_joins: (rss1 - rss0) / load.joined,
    rss_kb_per_fan_end: (rss2 - rss0) / load.joined, rss_kb_per_fan_peak: (rss3 - rss0) / load.joined, cpu_pct: steady.cpuPct, update_p50_ms: steady.p50Ms, update_p99_ms: steady.p99Ms, admission_rate_per_min: measuredPerMin, admission_rate_error: Math.abs(measuredPerMin - RATE_PER_MIN) / RATE_PER_MIN,
    max_fans_per_process: Math.max(...perProcess), updates_delivered: steady.delivered, update_delivery_ratio: steady.delivered / ((load.joined * WINDOW_S * 1000) / PERIOD_MS), cpu_us_per_fan_update: steady.cpuUsPerFanUpdate,
    redis_cpu_us_per_fan_update: steady.redis?.cpuUsPerFanUpdate ?? NaN, redis_cpu_pct: steady.redis?.cpuPct ?? NaN, redis_evalsha_per_s: (steady.redis?.calls.evalsha ?? 0) / WINDOW_S,
    clients_cpu_pct: steady.clientsCpuPct, rest_share: steady.restShare, noisy: steady.noisy ? 1 : 0,
    ...generatorFigures('', load, steady), ...probed,
  };
}

/** The join phase's pace and cost, and the load generators' own cost and event-loop delay, under `prefix`. */
function generatorFigures(prefix: string, load: Load, steady: Steady): Record<string, number> {
  return {
    [`${prefix}joins_per_s`]: load.joined / load.connectS, [`${prefix}join_server_cpu_us_per_fan`]: load.joinServerCpuUs, [`${prefix}join_clients_cpu_us_per_fan`]: load.joinClientsCpuUs,
    [`${prefix}clients_cpu_us_per_message`]: steady.clientsCpuUsPerMessage, [`${prefix}client_reads_per_message`]: steady.clientReadsPerMessage,
    [`${prefix}client_loop_delay_p99_ms`]: steady.clientLoopP99Ms, [`${prefix}client_loop_delay_max_ms`]: steady.clientLoopMaxMs,
  };
}

/** A server that is not the edge: its processes' pids arrive in its `ready` message. */
async function runOther(prefix: string, script: string, flags: string[], fans: number, processes: number): Promise<Record<string, number>> {
  const port = await freePort();
  const server = spawn(process.execPath, [...flags, '--import', 'tsx', path.join(here, script)], {
    env: { ...process.env, BENCH_PORT: String(port), BENCH_WORKERS: String(processes), BENCH_PERIOD_MS: String(PERIOD_MS) }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const { pids } = await waitFor<{ pids: number[] }>(server, 'ready');
  await sleep(SETTLE_MS);
  const rss0 = pids.reduce((a, p) => a + rssKb(p), 0);
  const peak = rssPeak(pids);
  const load = await connectFans(port, fans, '/v1/sales/baseline/ws', pids);
  await sleep(3000);
  const rss1 = pids.reduce((a, p) => a + rssKb(p), 0);
  const low = rssLow(pids);
  const steady = await steadyState(pids, load);
  const rss2 = pids.reduce((a, p) => a + rssKb(p), 0);
  const rss3 = peak();
  const rss4 = low();
  for (const c of load.clients) c.send({ cmd: 'stop' });
  await Promise.all(load.clients.map(stop));
  await stop(server);
  return {
    [`${prefix}_joined`]: load.joined, [`${prefix}_connect_timed_out`]: load.timedOut ? 1 : 0, [`${prefix}_connect_s`]: load.connectS, [`${prefix}_rss_kb_per_fan`]: (rss4 - rss0) / load.joined, [`${prefix}_rss_kb_per_fan_after_joins`]: (rss1 - rss0) / load.joined,
    [`${prefix}_rss_kb_per_fan_end`]: (rss2 - rss0) / load.joined, [`${prefix}_rss_kb_per_fan_peak`]: (rss3 - rss0) / load.joined, [`${prefix}_cpu_pct`]: steady.cpuPct, [`${prefix}_update_p50_ms`]: steady.p50Ms, [`${prefix}_update_p99_ms`]: steady.p99Ms,
    ...generatorFigures(`${prefix}_`, load, steady), [`${prefix}_updates_delivered`]: steady.delivered, [`${prefix}_update_delivery_ratio`]: steady.delivered / ((load.joined * WINDOW_S * 1000) / PERIOD_MS), [`${prefix}_cpu_us_per_fan_update`]: steady.cpuUsPerFanUpdate, [`${prefix}_rest_share`]: steady.restShare, [`${prefix}_noisy`]: steady.noisy ? 1 : 0,
  };
}

const fmt = (v: number | undefined, d = 2): string => (v === undefined || Number.isNaN(v) ? '—' : v.toFixed(d));

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'usher-bench-edge-'));
  const redisService = await startRedis({ dataDir: path.join(dataDir, 'redis') });
  const runs: Record<string, number>[] = [];
  try {
    for (const fans of FAN_COUNTS) {
      const processes = processesFor(fans);
      if (fans / processes > FANS_PER_PROCESS) process.stderr.write(`bench:edge: ${fans} fans on ${processes} processes is over ${FANS_PER_PROCESS} a process (open-files limit ${OPEN_FILES}): expect refusals\n`);
      const say = (what: string): boolean => process.stderr.write(`bench:edge ${fans} fans on ${processes} ${what} processes, ${Math.ceil(fans / FANS_PER_CLIENT)} load generators…\n`);
      const edge = SERVERS.has('edge') && say('edge') ? await runEdge(redisService.url, fans, processes) : { fans };
      const ws = SERVERS.has('ws') && say(`ws baseline (node ${WS_FLAGS.join(' ') || 'default flags'})`) ? await runOther('ws', 'edge-ws-baseline.ts', WS_FLAGS, fans, processes) : {};
      const wsTuned = SERVERS.has('ws-tuned') && say(`ws baseline (node ${EDGE_FLAGS.join(' ')}, as the edge)`) ? await runOther('ws_tuned', 'edge-ws-baseline.ts', EDGE_FLAGS, fans, processes) : {};
      const bare = SERVERS.has('bare') && say(`bare uWS (node ${EDGE_FLAGS.join(' ')}, as the edge)`) ? await runOther('uws_bare', 'edge-uws-bare.ts', EDGE_FLAGS, fans, processes) : {};
      const r: Record<string, number> = { ...edge, ...ws, ...wsTuned, ...bare };
      runs.push({
        ...r,
        rss_ratio_ws_over_edge: r.ws_rss_kb_per_fan! / r.rss_kb_per_fan!, rss_ratio_ws_over_edge_after_joins: r.ws_rss_kb_per_fan_after_joins! / r.rss_kb_per_fan_after_joins!, rss_ratio_ws_over_edge_peak: r.ws_rss_kb_per_fan_peak! / r.rss_kb_per_fan_peak!,
        rss_ratio_ws_tuned_over_edge: r.ws_tuned_rss_kb_per_fan! / r.rss_kb_per_fan!, rss_ratio_ws_tuned_over_edge_peak: r.ws_tuned_rss_kb_per_fan_peak! / r.rss_kb_per_fan_peak!,
        cpu_ratio_edge_over_ws: r.cpu_us_per_fan_update! / r.ws_cpu_us_per_fan_update!,
      });
    }
  } finally {
    await redisService.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  const cols: [string, (r: Record<string, number>) => string][] = [
    ['fans', (r) => String(r.fans)], ['joined', (r) => String(r.joined)], ['procs', (r) => String(r.edge_processes)],
    ['connect s', (r) => fmt(r.connect_s)], ['joins/s', (r) => fmt(r.joins_per_s, 0)], ['join µs/fan', (r) => fmt(r.join_server_cpu_us_per_fan, 0)], ['RSS KB/fan settled', (r) => fmt(r.rss_kb_per_fan)], ['after joins', (r) => fmt(r.rss_kb_per_fan_after_joins)], ['peak', (r) => fmt(r.rss_kb_per_fan_peak)], ['at end', (r) => fmt(r.rss_kb_per_fan_end)], ['CPU %', (r) => fmt(r.cpu_pct, 1)],
    ['p99 ms', (r) => fmt(r.update_p99_ms, 0)], ['delivered', (r) => `${fmt((r.update_delivery_ratio ?? NaN) * 100, 0)}%`], ['µs/fan/update', (r) => fmt(r.cpu_us_per_fan_update)], ['Redis µs/fan/update', (r) => fmt(r.redis_cpu_us_per_fan_update, 3)],
    ['gen µs/msg', (r) => fmt(r.clients_cpu_us_per_message)], ['gen loop p99 ms', (r) => fmt(r.client_loop_delay_p99_ms, 0)],
    ['rest of machine', (r) => `${fmt((r.rest_share ?? NaN) * 100, 0)}%${r.noisy ? ' noisy' : ''}`], ['rate err', (r) => fmt((r.admission_rate_error ?? 0) * 100, 3) + '%'],
    ['ws connect s', (r) => fmt(r.ws_connect_s)], ['ws RSS KB/fan settled', (r) => fmt(r.ws_rss_kb_per_fan)], ['ws after joins', (r) => fmt(r.ws_rss_kb_per_fan_after_joins)], ['ws peak', (r) => fmt(r.ws_rss_kb_per_fan_peak)], ['ws CPU %', (r) => fmt(r.ws_cpu_pct, 1)], ['ws p99 ms', (r) => fmt(r.ws_update_p99_ms, 0)], ['ws µs/fan/update', (r) => fmt(r.ws_cpu_us_per_fan_update)],
    ['ws tuned RSS KB/fan', (r) => fmt(r.ws_tuned_rss_kb_per_fan)], ['ws tuned peak', (r) => fmt(r.ws_tuned_rss_kb_per_fan_peak)],
    ['ws/edge RSS', (r) => fmt(r.rss_ratio_ws_over_edge, 1) + '×'], ['after joins', (r) => fmt(r.rss_ratio_ws_over_edge_after_joins, 1) + '×'], ['peak', (r) => fmt(r.rss_ratio_ws_over_edge_peak, 1) + '×'],
    ['ws tuned/edge RSS', (r) => fmt(r.rss_ratio_ws_tuned_over_edge, 1) + '×'], ['peak', (r) => fmt(r.rss_ratio_ws_tuned_over_edge_peak, 1) + '×'],
    ...(SERVERS.has('bare') ? [['bare uWS RSS KB/fan', (r: Record<string, number>) => fmt(r.uws_bare_rss_kb_per_fan)] as [string, (r: Record<string, number>) => string]] : []),
  ];
  const head = cols.map(([h]) => h);
  const rows = runs.map((r) => cols.map(([, f]) => f(r)));
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padStart(widths[i]!)).join(' | ');
  process.stdout.write(`${line(head)}\n${widths.map((w) => '-'.repeat(w)).join('-|-')}\n${rows.map(line).join('\n')}\n`);
  process.stdout.write(`node flags: edge ${EDGE_FLAGS.join(' ')}; ws ${WS_FLAGS.join(' ') || 'defaults'} (the issue's baseline); ws tuned ${EDGE_FLAGS.join(' ')} (the edge's)${SERVERS.has('bare') ? `; bare uWS ${EDGE_FLAGS.join(' ')}` : ''}\n`);
  process.stdout.write(`targets: update_p99_ms < 1000, rss_kb_per_fan (settled) < 3, admission_rate_error < 0.01, ws/edge RSS >= 3× (ws with default flags)\n`);
  mkdirSync(path.join(here, 'results'), { recursive: true });
  writeFileSync(path.join(here, 'results', 'edge.json'), JSON.stringify({
    benchmark: 'edge', date: new Date().toISOString(), cores: cpus().length, node: process.version, rate_per_min: RATE_PER_MIN,
    update_period_ms: PERIOD_MS, window_s: WINDOW_S, open_files_limit: OPEN_FILES, fans_per_process_max: FANS_PER_PROCESS, fans_per_client: FANS_PER_CLIENT, client_read: CLIENT_READ, client_bind: CLIENT_BIND, client_poll_ms: Number(CLIENT_POLL_MS), tick_phases: TICK_PHASES, machine_cores: machineCores, noisy_share: NOISY_SHARE,
    node_flags: { edge: EDGE_FLAGS, ws: WS_FLAGS, ws_tuned: EDGE_FLAGS, ...(SERVERS.has('bare') ? { uws_bare: EDGE_FLAGS } : {}) },
    notes: {
      rss_kb_per_fan: 'edge RSS added per joined fan, summed over its processes, from a baseline taken after 12 s idle; settled: the lowest sum sampled every 250 ms from 3 s after the last join to the end of the update window, every fan connected throughout (what the fans hold, not the join pace: after a burst of joins V8 keeps their old-generation garbage until a major GC, seconds later; --memory-probe shows it); _after_joins: 3 s after the last join (the headline before 2026-12-08, which grew with the join pace); _peak: the highest sum sampled every 250 ms from the first connect to the end of the update window; _end: at the end of the window. The same for every server.',
      ...(MEMORY_PROBE ? { edge_probe: 'edge processes with --expose-gc and edge-memory-probe.ts, summed, KB per joined fan from the idle baseline (taken without a GC): rss, V8 heap used and total, external, and the main malloc heap ([heap] mapping: uWS native per-socket memory), 3 s after the last join (after_joins), at the end of the window (end), and after three full GCs at the end (end_after_gc)' } : {}),
      edge_processes: 'server processes of the step (the ws baseline runs as many): 3, or more when the fans would pass fans_per_process_max (85% of the open-files limit) on one; max_fans_per_process is the most the kernel put on one edge process',
      cpu_us_per_fan_update: 'server CPU (utime + stime of its processes, /proc) over the update window, per position message that reached a fan in it (updates_delivered); redis_: the Redis server\'s own (INFO cpu), the ticks\' admit script being its only work while fans wait',
      update_p99_ms: 'from the tick\'s time in the message (`at`, Redis TIME) to its read by the load generator (every message read in the window is a sample; a generator polling every client_poll_ms ms adds up to that to each), over the messages that arrived in the window; update_delivery_ratio: those messages over joined × window / period (below 1: servers or generators fell behind, and the p99 flatters them)',
      joins_per_s: 'fans joined over connect_s (from the first generator forked to the last join, token issuing included); join_server_cpu_us_per_fan: server CPU over that window per joined fan (the position updates to the fans already in included: they flow while the rest join); join_clients_cpu_us_per_fan: the generators\' CPU from their start to the last join, per joined fan',
      clients_cpu_us_per_message: 'the load generators\' CPU (/proc) over the update window per position message they read; client_reads_per_message: socket reads per message (1: one read per message, nothing coalesced)',
      client_loop_delay_p99_ms: 'the worst load generator\'s event-loop delay p99 over the update window (perf_hooks monitorEventLoopDelay, 10 ms resolution; its sleep between polls, client_poll_ms, included); _max its maximum: how late the generators themselves ran, which update_p99_ms counts as delivery lag',
      rest_share: 'CPU of everything but the servers, Redis, the load generators and this driver over the window, as a share of the machine; noisy = 1 above noisy_share',
      ws_rss_kb_per_fan: 'the minimal ws server with Node default flags: the baseline of the target (>= 3x)',
      ws_tuned_rss_kb_per_fan: 'the same ws server with the edge\'s V8 flags',
      ...(SERVERS.has('bare') ? { uws_bare_rss_kb_per_fan: 'bare uWebSockets.js, same protocol subset as the ws baseline, no per-socket data' } : {}),
    },
    runs,
  }, null, 2));
}

void main().catch((err: unknown) => {
  process.stderr.write(`bench:edge failed: ${String(err instanceof Error ? err.stack : err)}\n`);
  process.exit(1);
});
