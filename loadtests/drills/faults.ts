/**
 * The faults a drill injects into the running stack, each as an operator would meet it: the
 * worker SIGKILLed (and started again at once, as a Deployment would), Redis restarted on its AOF,
 * PostgreSQL stopped for a while, one of several edge processes SIGKILLed with fans on it. Each
 * returns when the broken piece answers again; what the fans and the sale did around it is the
 * drill's to measure.
 */
import type { Stack, RoleName } from '../onsale/stack.js';

export const DRILLS = ['worker-kill', 'redis-restart', 'postgres-stop', 'edge-kill'] as const;
export type DrillName = (typeof DRILLS)[number];

export interface FaultOptions {
  /** How long PostgreSQL stays down. */
  postgresDownMs: number;
  /** How long Redis stays down before its restart (a pod restart takes seconds; clients back off meanwhile). */
  redisDownMs: number;
  /** How redis-server is stopped before its restart (SIGTERM writes the AOF out; SIGKILL may lose its last second). */
  redisSignal: 'SIGTERM' | 'SIGKILL';
  log: (line: string) => void;
}

export interface FaultTimes {
  /** When the fault was injected (epoch ms). */
  injectedAt: number;
  /** When the broken piece answered again: the worker's /readyz, Redis' PING, PostgreSQL's SELECT 1, the edge process forked again. */
  restoredAt: number;
  /** When every role's /readyz answered 200 again. */
  allReadyAt: number;
  details: Record<string, number | string>;
}

const ROLES: RoleName[] = ['edge', 'api', 'worker'];

async function allReady(stack: Stack, timeoutMs = 60_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ready = await Promise.all(ROLES.map((r) => stack.faults.roleReady(r)));
    if (ready.every(Boolean)) return Date.now();
    if (Date.now() > deadline) throw new Error(`roles not ready again within ${timeoutMs} ms: ${ROLES.filter((_, i) => !ready[i]).join(', ')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function waitUntil<T>(what: string, probe: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function injectFault(stack: Stack, name: DrillName, o: FaultOptions): Promise<FaultTimes> {
  const f = stack.faults;
  switch (name) {
    case 'worker-kill': {
      o.log(`SIGKILL worker (pid ${stack.rolePids.worker})`);
      const injectedAt = Date.now();
      await f.killRole('worker', 'SIGKILL');
      await f.startRole('worker');
      const restoredAt = Date.now();
      return { injectedAt, restoredAt, allReadyAt: await allReady(stack), details: { new_worker_pid: stack.rolePids.worker ?? 0 } };
    }
    case 'redis-restart': {
      o.log(`${o.redisSignal} redis-server, start it again on its AOF ${o.redisDownMs / 1000} s later`);
      const injectedAt = Date.now();
      await f.stopRedis(o.redisSignal);
      const stoppedAt = Date.now();
      // the outage itself: the fault lasts this long by design
      await new Promise((r) => setTimeout(r, o.redisDownMs));
      await f.startRedis();
      const restoredAt = Date.now();
      return { injectedAt, restoredAt, allReadyAt: await allReady(stack), details: { signal: o.redisSignal, down_ms: restoredAt - stoppedAt } };
    }
    case 'postgres-stop': {
      o.log(`stopping PostgreSQL for ${o.postgresDownMs / 1000} s`);
      const injectedAt = Date.now();
      await f.stopPostgres();
      const stoppedAt = Date.now();
      // the outage itself: the fault lasts this long by design
      await new Promise((r) => setTimeout(r, o.postgresDownMs));
      await f.startPostgres();
      const restoredAt = Date.now();
      return { injectedAt, restoredAt, allReadyAt: await allReady(stack), details: { down_ms: restoredAt - stoppedAt } };
    }
    case 'edge-kill': {
      const before = f.edgeProcessPids();
      if (before.length < 2) throw new Error(`edge-kill needs EDGE_PROCESSES ≥ 2 (found ${before.length} edge processes)`);
      const victim = before[0]!;
      o.log(`SIGKILL edge process ${victim} of ${before.length}`);
      const injectedAt = Date.now();
      process.kill(victim, 'SIGKILL');
      // the supervisor forks a replacement; the fans do not wait for it (the others share the port)
      const replacement = await waitUntil('the edge supervisor to fork a replacement', () => f.edgeProcessPids().find((p) => !before.includes(p)));
      const restoredAt = Date.now();
      return { injectedAt, restoredAt, allReadyAt: await allReady(stack), details: { killed_pid: victim, replacement_pid: replacement, edge_processes: before.length } };
    }
  }
}
