/**
 * Cost per operation of one measured step: Redis CPU (its own INFO accounting), the client's CPU
 * (this process and the children it reaped, e.g. redis-benchmark), PostgreSQL's process tree, and
 * the share of the machine that went to anything else, which marks the step noisy.
 */
import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';
import { processCpuSeconds, processTree } from './cpu-split.js';
import { readRedisCpu, redisCpuDelta } from './redis-cpu.js';
import { NOISY_SHARE, machineBusySeconds, restShare } from './machine-cpu.js';

export interface StepCost {
  ops: number;
  seconds: number;
  ops_per_s: number;
  /** Redis process CPU (sys + user) per operation, µs */
  redis_us_per_op: number;
  /** µs inside script calls per operation (commandstats; no socket work) */
  redis_script_us_per_op: number;
  /** Redis commands per operation, the script call and the commands it ran */
  redis_calls_per_op: number;
  /** the load generator's CPU per operation, µs (this process, or the redis-benchmark it ran) */
  client_us_per_op: number;
  postgres_us_per_op: number;
  rest_of_machine_share: number;
  noisy: boolean;
}

const TICKS_PER_S = 100;
function reapedChildrenSeconds(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[13]) + Number(fields[14])) / TICKS_PER_S; // cutime, cstime
}

export class StepMeter {
  constructor(
    private readonly redis: Redis,
    private readonly redisPid: number,
    /** PostgreSQL's postmaster, when the step has one */
    private readonly postmasterPid?: number,
  ) {}

  static async create(redis: Redis, postmasterPid?: number): Promise<StepMeter> {
    const redisPid = Number(/process_id:(\d+)/.exec(await redis.info('server'))![1]);
    return new StepMeter(redis, redisPid, postmasterPid);
  }

  private pgSeconds(): Map<number, number> {
    if (this.postmasterPid === undefined) return new Map();
    return new Map(processTree(this.postmasterPid).map((p) => [p, processCpuSeconds(p)]));
  }

  /** Starts a window; the returned function closes it with the number of operations done in it. */
  async start(): Promise<(ops: number) => Promise<StepCost>> {
    const redisBefore = await readRedisCpu(this.redis);
    const pgBefore = this.pgSeconds();
    const redisProcBefore = processCpuSeconds(this.redisPid);
    const selfBefore = process.cpuUsage();
    const childrenBefore = reapedChildrenSeconds();
    const busyBefore = machineBusySeconds();
    const t0 = performance.now();
    return async (ops) => {
      const seconds = (performance.now() - t0) / 1000;
      const busy = machineBusySeconds() - busyBefore;
      const self = process.cpuUsage(selfBefore);
      const client = (self.user + self.system) / 1e6 + (reapedChildrenSeconds() - childrenBefore);
      const redisProc = processCpuSeconds(this.redisPid) - redisProcBefore;
      const pgAfter = this.pgSeconds();
      // backends that ended are in the postmaster's reaped-children time
      const pg = [...pgAfter].reduce((sum, [p, s]) => sum + Math.max(0, s - (pgBefore.get(p) ?? 0)), 0);
      const delta = redisCpuDelta(redisBefore, await readRedisCpu(this.redis));
      const calls = Object.values(delta.calls).reduce((a, b) => a + b, 0);
      const share = restShare(busy - client - redisProc - pg, seconds);
      const per = (x: number): number => (ops > 0 ? x / ops : Number.NaN);
      return {
        ops,
        seconds: round(seconds, 3),
        ops_per_s: Math.round(ops / seconds),
        redis_us_per_op: round(per(delta.cpuS * 1e6), 2),
        redis_script_us_per_op: round(per(delta.scriptUsec), 2),
        redis_calls_per_op: round(per(calls), 2),
        client_us_per_op: round(per(client * 1e6), 2),
        postgres_us_per_op: round(per(pg * 1e6), 2),
        rest_of_machine_share: round(share, 3),
        noisy: share > NOISY_SHARE,
      };
    };
  }
}

export function round(x: number, digits: number): number {
  return Number.isFinite(x) ? Number(x.toFixed(digits)) : x;
}
