/**
 * Edge memory per waiting fan for `npm run capacity` when no `bench:edge` result exists: one real
 * edge process (queue-edge/edge-process-main.ts, on the capacity cluster) with the memory probe
 * preloaded, a first batch of fans to soak up start-up slack, then a second batch whose RSS growth
 * per fan is the marginal cost of one more fan. Both before a full GC (what the pod must hold at
 * peak) and after.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { initSaleSettings } from '../admission/sale-controls.js';
import { queueStore } from '../queue-edge/queue-store.js';
import { openEmptyQueue } from '../queue-edge/opening-draw.js';
import { freePort } from '../scripts/services.js';
import type { CapacityCluster } from './capacity-cluster.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');

export interface EdgeMemory {
  fans: number;
  failed: number;
  kb_per_fan_peak: number;
  kb_per_fan_after_gc: number;
}

function waitFor<T>(child: ChildProcess, event: string, timeoutMs = 120_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within ${timeoutMs} ms`)), timeoutMs);
    const onMsg = (m: unknown): void => {
      if (m === event || (typeof m === 'object' && m !== null && (m as { event?: string }).event === event)) {
        clearTimeout(timer);
        child.off('message', onMsg);
        resolve(m as T);
      }
    };
    child.on('message', onMsg);
    child.once('exit', (code) => reject(new Error(`process exited (${code}) before ${event}`)));
  });
}

export async function measureEdgeMemory(cap: CapacityCluster, warmFans: number, fans: number): Promise<EdgeMemory> {
  const secret = randomBytes(32).toString('hex');
  const redis = cap.client();
  const saleId = `cap-edge-${randomUUID()}`;
  await initSaleSettings(redis, saleId, { ratePerMin: 1, maxActive: 10_000_000, opensAtMs: 0, closesAtMs: Date.now() + 3_600_000, prequeueOpensAtMs: 0 });
  await openEmptyQueue(queueStore(redis), saleId);
  redis.disconnect();
  const port = await freePort();
  const env = {
    ...process.env, NODE_ENV: 'development', REDIS_CLUSTER_NODES: cap.seeds, HOST: '127.0.0.1', EDGE_PORT: String(port),
    EDGE_CONNECTS_PER_IP_PER_MIN: '10000000', EDGE_JOINS_PER_IP_PER_MIN: '10000000', QUEUE_OFFER_TTL_S: '3600', LOG_LEVEL: 'warn',
    VISITOR_TOKEN_SECRET: secret, DATABASE_URL: 'postgres://capacity@127.0.0.1:1/none', USHER_EDGE_CHILD: '0',
  };
  const edge = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', '--import', path.join(here, 'edge-memory-probe.ts'), 'queue-edge/edge-process-main.ts'], { cwd: root, env, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const clients: ChildProcess[] = [];
  const connect = async (count: number, address: string): Promise<{ joined: number; failed: number }> => {
    const client = fork(path.join(here, 'edge-bench-client.ts'), [], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, BENCH_HOST: '127.0.0.1', BENCH_PORT: String(port), BENCH_LOCAL_ADDRESS: address, BENCH_FANS: String(count), BENCH_PATH: `/v1/sales/${saleId}/ws`, BENCH_VISITOR_SECRET: secret },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    clients.push(client);
    return waitFor(client, 'joined');
  };
  const mem = (): Promise<{ rssBeforeGcKb: number; rssKb: number }> => {
    const r = waitFor<{ rssBeforeGcKb: number; rssKb: number }>(edge, 'mem');
    edge.send({ probe: 'mem' });
    return r;
  };
  const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
  try {
    await waitFor(edge, 'ready');
    const warm = await connect(warmFans, '127.0.0.2');
    await sleep(2000);
    const m0 = await mem();
    const batch = await connect(fans, '127.0.0.3');
    await sleep(2000);
    const m1 = await mem();
    const n = batch.joined;
    return {
      fans: n,
      failed: warm.failed + batch.failed,
      kb_per_fan_peak: Math.round(((m1.rssBeforeGcKb - m0.rssBeforeGcKb) / n) * 1000) / 1000,
      kb_per_fan_after_gc: Math.round(((m1.rssKb - m0.rssKb) / n) * 1000) / 1000,
    };
  } finally {
    for (const c of clients) c.send({ cmd: 'stop' });
    edge.kill('SIGKILL');
  }
}
