/**
 * EDGE_PROCESSES > 1: this process becomes a small supervisor that forks N edge processes sharing
 * EDGE_PORT (uWS listens with SO_REUSEPORT, so the kernel spreads connections over them), and
 * answers the scrapes of EDGE_METRICS_PORT with the sum of their metrics. A child
 * that dies is restarted after a pause; stop() sends SIGTERM to each (they drain) and waits.
 * Each runs with the edge's V8 flags (edge-node-flags.ts) unless the operator set their own, and
 * ticks in its own slot of the period (tick-phase.ts), so their broadcasts do not all leave at once.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { AppContext } from '../common/app-context.js';
import { startMetricsServer } from '../common/metrics-server.js';
import { createMetricsGroup } from '../common/process-group-metrics.js';
import type { RunningRole } from '../common/role.js';
import { withEdgeNodeFlags } from './edge-node-flags.js';
import { EDGE_TICK_PHASE_ENV, tickPhaseMs } from './tick-phase.js';

export const EDGE_CHILD_ENV = 'USHER_EDGE_CHILD';
const RESTART_AFTER_MS = 1000;

function childEntry(): string {
  // Same extension as this module: .ts under tsx (dev, tests), .js from dist.
  const ext = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
  return fileURLToPath(new URL(`./edge-process-main.${ext}`, import.meta.url));
}

/** The addresses start-up prints for the edge role. */
export const edgeUrls = (ctx: AppContext): Record<string, string> => ({
  edge: ctx.config.http.publicEdgeUrl,
  'waiting room': `${ctx.config.http.publicEdgeUrl}/sales/<sale id>`,
});

export async function startEdgeProcesses(ctx: AppContext, count = ctx.config.edge.processes): Promise<RunningRole> {
  const log = ctx.log.child({ role: 'edge-supervisor' });
  const children = new Set<ChildProcess>();
  // the scrapes of EDGE_METRICS_PORT come here and get the sum of every edge process
  const metrics = createMetricsGroup();
  const scrapes = await startMetricsServer({ host: ctx.config.http.host, port: ctx.config.http.edgeMetricsPort, metrics: () => metrics.text() });
  let stopping = false;
  // the children's ticks spread over the period (tick-phase.ts); a restarted child keeps its slot
  const tickBaseMs = Math.random() * ctx.config.edge.tickMs;

  function spawnOne(index: number): Promise<void> {
    const child = fork(childEntry(), [], {
      env: { ...process.env, [EDGE_CHILD_ENV]: String(index), [EDGE_TICK_PHASE_ENV]: String(tickPhaseMs(index, count, ctx.config.edge.tickMs, tickBaseMs)) },
      execArgv: withEdgeNodeFlags(process.execArgv, process.env.NODE_OPTIONS),
      stdio: 'inherit',
    });
    children.add(child);
    metrics.add(child);
    child.once('exit', (code, signal) => {
      children.delete(child);
      metrics.remove(child);
      if (stopping) return;
      log.error({ index, code, signal }, 'edge process exited; restarting');
      setTimeout(() => void spawnOne(index).catch((err: unknown) => log.error({ err }, 'edge restart failed')), RESTART_AFTER_MS).unref();
    });
    return new Promise((resolve, reject) => {
      child.once('message', (m) => (m === 'ready' ? resolve() : reject(new Error(`edge process ${index} said ${String(m)}`))));
      child.once('exit', (code) => reject(new Error(`edge process ${index} exited with ${code} during start-up`)));
    });
  }

  await Promise.all(Array.from({ length: count }, (_, i) => spawnOne(i)));
  log.info({ processes: count, port: ctx.config.http.edgePort, metricsPort: scrapes.port }, 'edge processes ready');
  return {
    name: 'edge',
    urls: { ...edgeUrls(ctx), 'edge metrics': scrapes.url },
    async stop() {
      stopping = true;
      await Promise.all([...children].map((child) => new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      })));
      await scrapes.close();
    },
  };
}
