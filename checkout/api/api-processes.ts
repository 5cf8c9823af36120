/**
 * API_PROCESSES > 1: this process forks that many API processes with node:cluster (Node 20's http
 * server has no reusePort), which share API_PORT; it serves only their summed metrics on API_METRICS_PORT. A process that dies is
 * replaced; on stop each gets SIGTERM and drains like a single API process.
 */
import cluster, { type Worker } from 'node:cluster';
import type { AppContext } from '../../common/app-context.js';
import { startMetricsServer } from '../../common/metrics-server.js';
import { createMetricsGroup } from '../../common/process-group-metrics.js';
import type { RunningRole } from '../../common/role.js';

export async function startApiProcesses(ctx: AppContext, count: number): Promise<RunningRole> {
  const log = ctx.log.child({ role: 'api', processes: count });
  let stopping = false;
  // the same entry point and loader flags, running only the api role, one process each
  // this process answers the scrapes on API_METRICS_PORT with the sum of all of them
  const metrics = createMetricsGroup();
  const scrapes = await startMetricsServer({ host: ctx.config.http.host, port: ctx.config.http.apiMetricsPort, metrics: () => metrics.text() });
  cluster.setupPrimary({ exec: process.argv[1], args: ['api'], execArgv: process.execArgv });
  const fork = (): Worker => {
    const worker = cluster.fork({ API_PROCESSES: '1' });
    metrics.add(worker);
    worker.once('exit', (code, signal) => {
      metrics.remove(worker);
      if (stopping) return;
      log.error({ pid: worker.process.pid, code, signal }, 'api process died; starting another');
      fork();
    });
    return worker;
  };
  const workers = Array.from({ length: count }, fork);
  await Promise.all(workers.map((w) => new Promise<void>((resolve, reject) => {
    w.once('listening', () => resolve());
    w.once('exit', (code) => reject(new Error(`api process exited with ${code} during start-up`)));
  })));
  log.info({ port: ctx.config.http.apiPort, metricsPort: scrapes.port }, 'api processes listening');
  return {
    name: 'api',
    urls: { api: ctx.config.http.publicApiUrl, 'api metrics': scrapes.url },
    async stop() {
      stopping = true;
      const alive = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && !w.isDead());
      await Promise.all(alive.map((w) => new Promise<void>((resolve) => {
        w.once('exit', () => resolve());
        if (w.isDead()) resolve();
        else w.process.kill('SIGTERM');
      })));
      await scrapes.close();
    },
  };
}
