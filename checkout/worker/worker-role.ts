import type { RunningRole } from '../../common/role.js';
import { startMetricsServer } from '../../common/metrics-server.js';
import type { CheckoutServices } from '../checkout-services.js';
import { startCommitWorker } from './commit/commit-worker.js';
import { startPeriodicTasks } from './periodic-tasks.js';
import { startNotificationWorker } from './notifications/notification-worker.js';
import { commitQueueDepth } from './worker-gauges.js';

/**
 * The worker role: commits paid holds, sends order e-mails, sweeps expired holds and reconciles
 * anything stuck. Stopping closes the workers first (jobs in flight finish or are released to
 * another worker), then the probes.
 */
export async function startWorkerRole(deps: CheckoutServices): Promise<RunningRole> {
  const { ctx } = deps;
  const log = ctx.log.child({ role: 'worker' });
  const commits = startCommitWorker(deps);
  const notifications = startNotificationWorker(deps);
  const periodic = startPeriodicTasks(deps, log);
  // the commit backlog, published once a second for admission (admission/backend-health.ts)
  deps.health.add('worker', async () => ({ commitQueue: await commitQueueDepth(deps) }));
  if (deps.gateways.has('demo')) log.warn('worker uses the DEMO payment gateway: no money is taken');
  // The worker serves nothing public: its one port is internal, probes and metrics.
  const internal = await startMetricsServer({ host: ctx.config.http.host, port: ctx.config.http.workerPort, probes: ctx });
  log.info({ port: internal.port }, 'worker probes and metrics listening');
  return {
    name: 'worker',
    urls: { 'worker probes and metrics': internal.url },
    async stop() {
      await periodic.stop();
      await Promise.all([commits.close(), notifications.close()]);
      await internal.close();
    },
  };
}
