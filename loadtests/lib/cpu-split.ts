/**
 * CPU seconds used by each side of a benchmark on this shared 2-core machine: the load generator
 * (this process and its workers) and the servers (by pid, from /proc). Reported so that figures
 * say how the cores were split.
 */
import { readFileSync, readdirSync } from 'node:fs';

const TICKS_PER_S = 100; // USER_HZ on Linux

/** utime + stime of a process (and its reaped children) in seconds; 0 if it is gone. */
export function processCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[11..14] = utime, stime, cutime, cstime (after pid and comm)
    return (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / TICKS_PER_S;
  } catch {
    return 0;
  }
}

/** `pid` and every live descendant (API_PROCESSES / EDGE_PROCESSES fork children), from /proc. */
export function processTree(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parentOf.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) for (const [child, parent] of parentOf) if (parent === tree[i]) tree.push(child);
  return tree;
}

export class CpuMeter {
  private readonly start: Map<number, number>;
  private readonly selfStart = process.cpuUsage();

  constructor(private readonly pids: number[]) {
    this.start = new Map(pids.map((p) => [p, processCpuSeconds(p)]));
  }

  /** CPU seconds since construction: `servers` summed over the pids, `generator` for this process. */
  read(): { servers: number; generator: number } {
    const servers = this.pids.reduce((sum, p) => sum + Math.max(0, processCpuSeconds(p) - (this.start.get(p) ?? 0)), 0);
    const self = process.cpuUsage(this.selfStart);
    return { servers, generator: (self.user + self.system) / 1e6 };
  }
}
