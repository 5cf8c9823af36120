/**
 * CPU seconds of whole process trees, for the generator/server split. `CpuMeter` (loadtests/lib)
 * reads fixed pids; the servers here are trees whose members come and go (edge children forked by
 * the supervisor, a PostgreSQL backend per connection), so each reading walks /proc for the
 * descendants of the roots and keeps the last value seen of every pid, live or exited.
 */
import { readdirSync, readFileSync } from 'node:fs';

let lastScan: { at: number; children: Map<number, number[]> } | null = null;

/**
 * Children of every live process. One sample reads several trees (each role, the generators): they
 * share one walk of /proc made within the last 200 ms instead of each walking it again.
 */
function parents(): Map<number, number[]> {
  if (lastScan && Date.now() - lastScan.at < 200) return lastScan.children;
  const children = new Map<number, number[]>();
  lastScan = { at: Date.now(), children };
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(entry));
      children.set(ppid, list);
    } catch {
      // exited while we read
    }
  }
  return children;
}

export function descendantsOf(roots: number[]): number[] {
  const children = parents();
  const out: number[] = [];
  const stack = [...roots];
  while (stack.length) {
    const pid = stack.pop()!;
    out.push(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** utime+stime of one process alone (without its reaped children, which we count ourselves). */
function ownCpuSeconds(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

/** One side of the split (a set of trees): CPU since `start()`, including members that exited. */
export class TreeCpu {
  private readonly base = new Map<number, number>();
  private readonly last = new Map<number, number>();

  constructor(private readonly roots: () => number[]) {}

  start(): void {
    for (const pid of descendantsOf(this.roots())) this.base.set(pid, ownCpuSeconds(pid) || 0);
  }

  /** Seconds used since start by every member seen so far (call it every few seconds so short-lived members are caught). */
  read(): number {
    for (const pid of descendantsOf(this.roots())) {
      const v = ownCpuSeconds(pid);
      if (Number.isFinite(v)) this.last.set(pid, v);
    }
    let total = 0;
    for (const [pid, v] of this.last) total += Math.max(0, v - (this.base.get(pid) ?? 0));
    return total;
  }
}

/** The first line of postmaster.pid is the postmaster's pid. */
export function postmasterPid(clusterDir: string): number {
  try {
    return Number(readFileSync(`${clusterDir}/postmaster.pid`, 'utf8').split('\n')[0]);
  } catch {
    return 0;
  }
}

/** Children of `pid` whose command name is `comm` (e.g. the redis-server that startRedis spawned). */
export function childrenNamed(pid: number, comm: string): number[] {
  return (parents().get(pid) ?? []).filter((child) => {
    try {
      return readFileSync(`/proc/${child}/comm`, 'utf8').trim() === comm;
    } catch {
      return false;
    }
  });
}
