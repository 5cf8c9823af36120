/**
 * The measuring side of `npm run capacity`: a local 3-master Redis Cluster (the test kit's, with
 * AOF turned on as in production) and a meter that reads every master's own CPU and command
 * accounting, so a step's cost shows per node and the hot slot stands out.
 *
 * Why per-process accounting: on these 2 shared cores other sessions take CPU at any time. Redis's
 * `used_cpu_*` and the worker's /proc times count only what those processes ran, so µs per operation
 * barely moves with the neighbours (a busy machine adds cache misses and context switches, not whole
 * operations); throughput and wall-clock figures do move, and are not used for the model.
 */
import { Cluster, Redis } from 'ioredis';
import { startRedisCluster, type LocalCluster } from '../test/support/redis-cluster.js';
import { processCpuSeconds, processTree } from './lib/cpu-split.js';
import { readRedisCpu, redisCpuDelta } from './lib/redis-cpu.js';
import { NOISY_SHARE, machineBusySeconds, restShare } from './lib/machine-cpu.js';
import { round } from './lib/step-meter.js';

export interface NodeCost {
  port: number;
  /** Redis CPU per operation on this master, µs */
  us_per_op: number;
  /** commands per operation on this master (scripts once, plus what they call) */
  calls_per_op: number;
}

export interface ClusterStepCost {
  ops: number;
  seconds: number;
  /** all masters' CPU per operation, µs */
  redis_us_per_op: number;
  redis_calls_per_op: number;
  /** used_memory growth over the step, all masters, bytes per operation */
  bytes_per_op: number;
  nodes: NodeCost[];
  /** CPU of the other measured processes (a worker, an edge) per operation, µs */
  process_us_per_op: number;
  /** this process's CPU per operation, µs */
  client_us_per_op: number;
  rest_of_machine_share: number;
  noisy: boolean;
  /** how many times the step ran before it was quiet enough (or the quietest of them was kept) */
  runs: number;
}

export interface CapacityCluster {
  cluster: LocalCluster;
  seeds: string;
  masters: { port: number; pid: number; redis: Redis }[];
  /** A cluster client as the roles open one (common/redis-connection.ts: no auto-pipelining) */
  client(): Cluster;
  /** The master owning the slot of `key`. */
  ownerOf(key: string): Promise<number>;
  /**
   * Opens a measured window. `otherPids`: processes measured with the step (a worker), reported per
   * operation; `alsoPids`: processes of the step not reported (PostgreSQL), so they do not count as
   * the rest of the machine.
   */
  meter(otherPids?: () => number[], alsoPids?: () => number[]): Promise<(ops: number) => Promise<Omit<ClusterStepCost, 'runs'>>>;
  stop(): Promise<void>;
}

export async function startCapacityCluster(): Promise<CapacityCluster> {
  const cluster = await startRedisCluster(3);
  const masters = await Promise.all(cluster.nodes.map(async ({ port }) => {
    const redis = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: 3 });
    // the test kit runs without AOF; production runs with it (everysec), whose write costs CPU per op
    await redis.config('SET', 'appendonly', 'yes');
    await redis.config('SET', 'appendfsync', 'everysec');
    // turning AOF on rewrites it in a child; its buffers would count as the workload's memory
    for (let j = 0; j < 200 && /aof_rewrite_in_progress:1|aof_rewrite_scheduled:1/.test(await redis.info('persistence')); j++) await new Promise((r) => setTimeout(r, 50));
    const pid = Number(/process_id:(\d+)/.exec(await redis.info('server'))![1]);
    return { port, pid, redis };
  }));
  const admin = cluster.client();
  const mem = async (): Promise<number> => {
    let sum = 0;
    for (const m of masters) sum += Number(/used_memory:(\d+)/.exec(await m.redis.info('memory'))![1]);
    return sum;
  };
  return {
    cluster,
    seeds: cluster.nodes.map((n) => `${n.host}:${n.port}`).join(','),
    masters,
    client: () => new Cluster(cluster.nodes, { enableAutoPipelining: false, redisOptions: { maxRetriesPerRequest: 3 } }),
    async ownerOf(key) {
      const slot = Number(await admin.call('CLUSTER', 'KEYSLOT', key));
      for (const m of masters) {
        const ranges = (await m.redis.call('CLUSTER', 'SLOTS')) as [number, number, [string, number]][];
        const owner = ranges.find(([lo, hi]) => lo <= slot && slot <= hi)?.[2]?.[1];
        if (owner !== undefined) return Number(owner);
      }
      throw new Error(`no master owns the slot of ${key}`);
    },
    async meter(otherPids = () => [], alsoPids = () => []) {
      const before = await Promise.all(masters.map((m) => readRedisCpu(m.redis)));
      const procBefore = masters.map((m) => processCpuSeconds(m.pid));
      const others = new Map(otherPids().flatMap((p) => processTree(p)).map((p) => [p, processCpuSeconds(p)]));
      const also = new Map(alsoPids().flatMap((p) => processTree(p)).map((p) => [p, processCpuSeconds(p)]));
      const memBefore = await mem();
      const selfBefore = process.cpuUsage();
      const busyBefore = machineBusySeconds();
      const t0 = performance.now();
      return async (ops) => {
        const seconds = (performance.now() - t0) / 1000;
        const busy = machineBusySeconds() - busyBefore;
        const self = process.cpuUsage(selfBefore);
        const client = (self.user + self.system) / 1e6;
        const redisProc = masters.reduce((s, m, j) => s + processCpuSeconds(m.pid) - procBefore[j]!, 0);
        const other = [...others].reduce((s, [p, c]) => s + Math.max(0, processCpuSeconds(p) - c), 0);
        // backends that ended are in the postmaster's reaped-children time
        const alsoBusy = [...also].reduce((s, [p, c]) => s + Math.max(0, processCpuSeconds(p) - c), 0);
        const after = await Promise.all(masters.map((m) => readRedisCpu(m.redis)));
        const memAfter = await mem();
        const per = (x: number): number => (ops > 0 ? x / ops : Number.NaN);
        const nodes = masters.map((m, j) => {
          const d = redisCpuDelta(before[j]!, after[j]!);
          // the meter's own INFO/CLUSTER calls are not the workload's
          const calls = Object.entries(d.calls).filter(([name]) => name !== 'cluster').reduce((s, [, n]) => s + n, 0);
          return { port: m.port, us_per_op: round(per(d.cpuS * 1e6), 2), calls_per_op: round(per(calls), 2) };
        });
        const share = restShare(busy - client - redisProc - other - alsoBusy, seconds);
        return {
          ops,
          seconds: round(seconds, 3),
          redis_us_per_op: round(nodes.reduce((s, n) => s + n.us_per_op, 0), 2),
          redis_calls_per_op: round(nodes.reduce((s, n) => s + n.calls_per_op, 0), 2),
          bytes_per_op: round(per(memAfter - memBefore), 1),
          nodes,
          process_us_per_op: round(per(other * 1e6), 2),
          client_us_per_op: round(per(client * 1e6), 2),
          rest_of_machine_share: round(share, 3),
          noisy: share > NOISY_SHARE,
        };
      };
    },
    async stop() {
      admin.disconnect();
      for (const m of masters) m.redis.disconnect();
      await cluster.stop();
    },
  };
}

/**
 * Runs a step up to `tries` times while it is noisy and keeps the quietest run: a step the rest of
 * the machine crowded is tried again rather than trusted. Each run must stand on its own (a fresh
 * sale, fresh fans), as the figures are per operation.
 */
export async function quietest(run: () => Promise<Omit<ClusterStepCost, 'runs'>>, tries = 3): Promise<ClusterStepCost> {
  let best: Omit<ClusterStepCost, 'runs'> | undefined;
  let runs = 0;
  while (runs < tries) {
    const r = await run();
    runs++;
    if (!best || r.rest_of_machine_share < best.rest_of_machine_share) best = r;
    if (!r.noisy) break;
  }
  return { ...best!, runs };
}
