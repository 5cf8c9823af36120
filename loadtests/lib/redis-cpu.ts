/**
 * Redis's own account of the CPU it spent: `INFO cpu` (the whole server process, every thread) and
 * `INFO commandstats` (calls per command, time inside script calls without the socket work). Read before
 * and after a measured window; the difference divided by the operations is the cost per operation,
 * which moves far less between machines and runs than operations per second do.
 */
import type { Redis } from 'ioredis';

export interface RedisCpuReading {
  /** used_cpu_sys + used_cpu_user, seconds */
  cpuS: number;
  /** per command: calls and µs inside the command */
  commands: Map<string, { calls: number; usec: number }>;
}

export function parseRedisCpu(info: string): RedisCpuReading {
  const num = (field: string): number => Number(new RegExp(`^${field}:([\\d.]+)`, 'm').exec(info)?.[1] ?? Number.NaN);
  const commands = new Map<string, { calls: number; usec: number }>();
  for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/gm)) commands.set(m[1]!, { calls: Number(m[2]), usec: Number(m[3]) });
  return { cpuS: num('used_cpu_sys') + num('used_cpu_user'), commands };
}

export async function readRedisCpu(redis: Redis): Promise<RedisCpuReading> {
  return parseRedisCpu(`${await redis.info('cpu')}\n${await redis.info('commandstats')}`);
}

export interface RedisCpuDelta {
  cpuS: number;
  /** commands called in the window, by name */
  calls: Record<string, number>;
  /** µs inside script calls (EVALSHA/EVAL) in the window: a script's time includes the commands it runs */
  scriptUsec: number;
}

export function redisCpuDelta(before: RedisCpuReading, after: RedisCpuReading): RedisCpuDelta {
  const calls: Record<string, number> = {};
  let scriptUsec = 0;
  for (const [name, a] of after.commands) {
    const b = before.commands.get(name) ?? { calls: 0, usec: 0 };
    // the INFO calls of the meter itself are not the workload's
    if (name === 'info' || a.calls === b.calls) continue;
    calls[name] = a.calls - b.calls;
    if (name === 'evalsha' || name === 'eval') scriptUsec += a.usec - b.usec;
  }
  return { cpuS: after.cpuS - before.cpuS, calls, scriptUsec };
}
