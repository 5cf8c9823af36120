/**
 * `tsx loadtests/edge-memory.ts [--fans 15000] [--flags=--max-semi-space-size=2] [--only bare,edge] [--snapshot] [--alloc] [--watch-s 30]`
 *
 * Where an edge process's memory per fan goes (a diagnostic; bench-edge.ts is the benchmark): one
 * edge process and one bare uWS control (edge-uws-bare.ts), each given a third of `--fans`, then
 * the rest, by bench clients. Prints, per fan, the RSS and V8 heap growth from idle and for the
 * second batch (the marginal cost: the first batch soaks up start-up slack), before and after a
 * full GC, and RSS by kind of mapping (main malloc heap = uWS's native per-socket memory, thread
 * arenas, V8 and the rest). --snapshot: heap growth by constructor (takes its own RSS: ignore the
 * RSS lines then); --alloc: bytes allocated per joining fan by function, collected or not.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { startRedis, freePort } from '../scripts/services.js';
import { initSaleSettings } from '../admission/sale-controls.js';
import { queueStore } from '../queue-edge/queue-store.js';
import { openEmptyQueue } from '../queue-edge/opening-draw.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const { values } = parseArgs({ options: { fans: { type: 'string', default: '10000' }, snapshot: { type: 'boolean', default: false }, alloc: { type: 'boolean', default: false }, flags: { type: 'string', default: '' }, only: { type: 'string', default: 'bare,edge' }, 'watch-s': { type: 'string', default: '0' } } });
/** --watch-s N: after the second batch, RSS, V8 heap and mappings every second for N s, without a GC (does the burst's memory come back by itself?) */
const WATCH_S = Number(values['watch-s']);
const FANS = Number(values.fans);
const FLAGS = values.flags ? values.flags.split(' ') : [];
const SECRET = randomBytes(32).toString('hex');
const PERIOD_MS = 2000;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Mem { heapTotalBeforeGc: number; heapUsedBeforeGc: number; mappingsBeforeGcKb: Record<string, number>; mappingsKb: Record<string, number>; rssBeforeGcKb: number; rssKb: number; heapTotal: number; heapUsed: number; external: number; arrayBuffers: number; spaces: Record<string, number> }

function waitFor<T>(child: ChildProcess, event: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMsg = (m: unknown): void => {
      if (m === event || (typeof m === 'object' && m !== null && (m as { event?: string }).event === event)) {
        child.off('message', onMsg);
        resolve(m as T);
      }
    };
    child.on('message', onMsg);
    child.once('exit', (code) => reject(new Error(`process exited (${code}) before ${event}`)));
  });
}

const mem = (c: ChildProcess): Promise<Mem> => {
  const r = waitFor<Mem>(c, 'mem');
  c.send({ probe: 'mem' });
  return r;
};

/** self size by "type:name" over a heap snapshot's nodes */
function summarise(file: string): Map<string, { count: number; size: number }> {
  const snap = JSON.parse(readFileSync(file, 'utf8')) as { snapshot: { meta: { node_fields: string[]; node_types: [string[]] } }; nodes: number[]; strings: string[] };
  const f = snap.snapshot.meta.node_fields;
  const width = f.length;
  const [iType, iName, iSize] = [f.indexOf('type'), f.indexOf('name'), f.indexOf('self_size')];
  const types = snap.snapshot.meta.node_types[0];
  const out = new Map<string, { count: number; size: number }>();
  for (let i = 0; i < snap.nodes.length; i += width) {
    const type = types[snap.nodes[i + iType]!]!;
    let name = type === 'string' || type === 'concatenated string' || type === 'sliced string' ? '' : snap.strings[snap.nodes[i + iName]!]!;
    if (type === 'code' || type === 'hidden') name = name.slice(0, 40);
    const key = `${type}:${name.slice(0, 60)}`;
    const e = out.get(key) ?? { count: 0, size: 0 };
    e.count++;
    e.size += snap.nodes[i + iSize]!;
    out.set(key, e);
  }
  return out;
}

interface ProfileNode { callFrame: { functionName: string; url: string; lineNumber: number }; selfSize: number; children: ProfileNode[] }

/** Bytes allocated per fan (collected or not) by function, and by the first frame in our own code. */
function printAllocations(file: string, fans: number): void {
  const { head } = JSON.parse(readFileSync(file, 'utf8')) as { head: ProfileNode };
  const bySelf = new Map<string, number>();
  const byOurs = new Map<string, number>();
  let total = 0;
  const walk = (n: ProfileNode, ours: string): void => {
    const f = n.callFrame;
    const where = `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*\/(node_modules\/)?/, '')}:${f.lineNumber + 1}`;
    const mine = /\/(queue-edge|common)\//.test(f.url) && !f.url.includes('node_modules') ? where : ours;
    if (n.selfSize) {
      total += n.selfSize;
      bySelf.set(where, (bySelf.get(where) ?? 0) + n.selfSize);
      byOurs.set(mine, (byOurs.get(mine) ?? 0) + n.selfSize);
    }
    for (const c of n.children) walk(c, mine);
  };
  walk(head, '(outside our code)');
  const top = (m: Map<string, number>): string => [...m].sort((a, b) => b[1] - a[1]).slice(0, 25).map(([k, v]) => `    ${(v / fans).toFixed(0).padStart(7)} B  ${k}`).join('\n');
  process.stdout.write(`  allocated while ${fans} fans joined: ${(total / fans).toFixed(0)} B/fan\n  by function:\n${top(bySelf)}\n  by the innermost frame of queue-edge/ or common/:\n${top(byOurs)}\n`);
}

async function connect(port: number, wsPath: string, fans: number, address: string): Promise<{ joined: number; failed: number; client: ChildProcess }> {
  const client = fork(path.join(here, 'edge-bench-client.ts'), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, BENCH_HOST: '127.0.0.1', BENCH_PORT: String(port), BENCH_LOCAL_ADDRESS: address, BENCH_FANS: String(fans), BENCH_PATH: wsPath, BENCH_VISITOR_SECRET: SECRET },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const r = await waitFor<{ joined: number; failed: number }>(client, 'joined');
  return { ...r, client };
}

async function measure(name: string, server: ChildProcess, port: number, wsPath: string, dir: string): Promise<void> {
  await waitFor(server, 'ready');
  const snap = async (tag: string): Promise<string> => {
    const file = path.join(dir, `${name}-${tag}.heapsnapshot`);
    const r = waitFor(server, 'snapshot');
    server.send({ probe: 'snapshot', file });
    await r;
    return file;
  };
  // Marginal cost: the first batch absorbs start-up slack (freed malloc and heap pages), the
  // second batch's growth is what one more fan costs.
  await sleep(1000);
  const idle = await mem(server);
  const first = Math.floor(FANS / 3);
  const a = await connect(port, wsPath, first, '127.0.0.2');
  await sleep(3000);
  const m0 = await mem(server);
  const s0 = values.snapshot ? await snap('0') : '';
  if (values.alloc) {
    const started = waitFor(server, 'alloc-started');
    server.send({ probe: 'alloc-start' });
    await started;
  }
  const b = await connect(port, wsPath, FANS - first, '127.0.0.3');
  if (values.alloc) {
    const file = path.join(dir, `${name}.heapprofile`);
    const stopped = waitFor<{ error?: string }>(server, 'alloc-stopped');
    server.send({ probe: 'alloc-stop', file });
    const r = await stopped;
    if (r.error) throw new Error(r.error);
    printAllocations(file, b.joined);
  }
  if (WATCH_S > 0) {
    const t0 = Date.now();
    while (Date.now() - t0 < WATCH_S * 1000) {
      const r = waitFor<{ rssKb: number; heapTotal: number; heapUsed: number; external: number; arrayBuffers: number; mappingsKb: Record<string, number> }>(server, 'peek');
      server.send({ probe: 'peek' });
      const p = await r;
      const kb = (v: number): string => (v / (a.joined + b.joined)).toFixed(2);
      process.stdout.write(`  t+${((Date.now() - t0) / 1000).toFixed(0).padStart(3)} s  RSS ${(p.rssKb / 1024).toFixed(0)} MB (+${kb(p.rssKb - idle.rssKb)} KB/fan from idle)  heapTotal ${(p.heapTotal / 2 ** 20).toFixed(1)} MB heapUsed ${(p.heapUsed / 2 ** 20).toFixed(1)} MB external ${(p.external / 2 ** 20).toFixed(1)} MB arrayBuffers ${(p.arrayBuffers / 2 ** 20).toFixed(1)} MB  mappings MB: ${Object.entries(p.mappingsKb).map(([k, v]) => `${k} ${(v / 1024).toFixed(0)}`).join(' ')}\n`);
      await sleep(1000);
    }
  }
  await sleep(3000);
  const m1 = await mem(server);
  await sleep(PERIOD_MS * 3); // a few broadcasts
  const m2 = await mem(server);
  const n = b.joined;
  const per = (x: number, y: number): string => ((y - x) / n).toFixed(0);
  process.stdout.write(`\n== ${name}: ${a.joined} + ${b.joined} joined, ${a.failed + b.failed} failed; growth from ${a.joined} to ${a.joined + b.joined} fans, per fan\n`);
  const total = a.joined + b.joined;
  process.stdout.write(`  from idle (${(idle.rssKb / 1024).toFixed(0)} MB) to ${total} fans: RSS +${((m1.rssBeforeGcKb - idle.rssKb) / total).toFixed(3)} KB/fan before GC, +${((m1.rssKb - idle.rssKb) / total).toFixed(3)} after, heapUsed +${((m1.heapUsed - idle.heapUsed) / total).toFixed(0)} B/fan\n`);
  process.stdout.write(`  before GC: V8 heapTotal +${((m1.heapTotalBeforeGc - idle.heapTotal) / total).toFixed(0)} B/fan, heapUsed +${((m1.heapUsedBeforeGc - idle.heapUsed) / total).toFixed(0)} B/fan; RSS by mapping, KB/fan from idle: ${Object.entries(m1.mappingsBeforeGcKb).map(([k, v]) => `${k} ${((v - (idle.mappingsKb[k] ?? 0)) / total).toFixed(3)}`).join(', ')}\n`);
  process.stdout.write(`  RSS by mapping, KB/fan from idle: ${Object.entries(m1.mappingsKb).map(([k, v]) => `${k} ${((v - (idle.mappingsKb[k] ?? 0)) / total).toFixed(3)}`).join(', ')}\n`);
  process.stdout.write(`  RSS before GC  +${((m1.rssBeforeGcKb - m0.rssBeforeGcKb) / n).toFixed(3)} KB/fan (total ${(m1.rssBeforeGcKb / 1024).toFixed(0)} MB)\n`);
  process.stdout.write(`  RSS after GC   +${((m1.rssKb - m0.rssKb) / n).toFixed(3)} KB/fan (after broadcasts: +${((m2.rssKb - m0.rssKb) / n).toFixed(3)})\n`);
  process.stdout.write(`  heapUsed +${per(m0.heapUsed, m1.heapUsed)} B/fan, heapTotal +${per(m0.heapTotal, m1.heapTotal)} B/fan, external +${per(m0.external, m1.external)} B/fan, arrayBuffers +${per(m0.arrayBuffers, m1.arrayBuffers)} B/fan\n`);
  process.stdout.write(`  not V8 heap (RSS − heapTotal) +${(((m1.rssKb - m0.rssKb) * 1024 - (m1.heapTotal - m0.heapTotal)) / n).toFixed(0)} B/fan\n`);
  process.stdout.write(`  spaces: ${Object.entries(m1.spaces).filter(([k, v]) => v !== (m0.spaces[k] ?? 0)).map(([k, v]) => `${k} +${per(m0.spaces[k] ?? 0, v)}`).join(', ')}\n`);
  if (values.snapshot) {
    const s1 = await snap('1');
    const before = summarise(s0);
    const after = summarise(s1);
    const rows = [...after].map(([k, v]) => ({ k, count: v.count - (before.get(k)?.count ?? 0), size: v.size - (before.get(k)?.size ?? 0) })).filter((r) => r.size > n * 2).sort((x, y) => y.size - x.size);
    process.stdout.write(`  heap growth by type:name (bytes per fan, objects per fan):\n`);
    for (const r of rows.slice(0, 30)) process.stdout.write(`    ${(r.size / n).toFixed(1).padStart(7)}  ${(r.count / n).toFixed(2).padStart(6)}  ${r.k}\n`);
  }
  a.client.send({ cmd: 'stop' });
  b.client.send({ cmd: 'stop' });
  server.kill('SIGKILL');
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'usher-edge-mem-'));
  const redisService = await startRedis({ dataDir: path.join(dir, 'redis') });
  const serverArgs = ['--expose-gc', ...FLAGS, '--import', 'tsx', '--import', path.join(here, 'edge-memory-probe.ts')];
  try {
    if (values.only.includes('bare')) {
      const port = await freePort();
      const bare = spawn(process.execPath, [...serverArgs, path.join(here, 'edge-uws-bare.ts')], { cwd: root, env: { ...process.env, BENCH_PORT: String(port), BENCH_PERIOD_MS: String(PERIOD_MS) }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      await measure('bare-uws', bare, port, '/v1/sales/baseline/ws', dir);
    }
    if (values.only.includes('edge')) {
      const redis = new Redis(redisService.url);
      const saleId = `mem-${randomBytes(4).toString('hex')}`;
      await initSaleSettings(redis, saleId, { ratePerMin: 60, maxActive: 10_000_000, opensAtMs: 0, closesAtMs: Date.now() + 86_400_000, prequeueOpensAtMs: 0 });
      await openEmptyQueue(queueStore(redis), saleId);
      redis.disconnect();
      const port = await freePort();
      const env = {
        ...process.env, NODE_ENV: 'development', REDIS_URL: redisService.url, HOST: '127.0.0.1', EDGE_PORT: String(port), EDGE_TICK_MS: String(PERIOD_MS),
        EDGE_CONNECTS_PER_IP_PER_MIN: '10000000', EDGE_JOINS_PER_IP_PER_MIN: '10000000', QUEUE_OFFER_TTL_S: '3600', LOG_LEVEL: 'warn',
        VISITOR_TOKEN_SECRET: SECRET, DATABASE_URL: 'postgres://bench@127.0.0.1:1/none', USHER_EDGE_CHILD: '0',
      };
      const edge = spawn(process.execPath, [...serverArgs, 'queue-edge/edge-process-main.ts'], { cwd: root, env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      await measure('edge', edge, port, `/v1/sales/${saleId}/ws`, dir);
    }
  } finally {
    await redisService.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

void main().then(() => process.exit(0), (err: unknown) => {
  process.stderr.write(`edge-memory failed: ${String(err instanceof Error ? err.stack : err)}\n`);
  process.exit(1);
});
