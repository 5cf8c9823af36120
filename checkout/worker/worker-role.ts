import type { Server } from 'node:http';
import type { RunningRole } from '../../common/role.js';
import { startProbeServer } from '../../common/probe-server.js';
import type { CheckoutServices } from '../checkout-services.js';
import { startCommitWorker } from './commit/commit-worker.js';
import { startPeriodicTasks } from './periodic-tasks.js';
import { startNotificationWorker } from './notifications/notification-worker.js';

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
  if (deps.gateway.name === 'demo') log.warn('worker uses the DEMO payment gateway: no money is taken');
  const probes: Server = await startProbeServer(ctx, ctx.config.http.workerPort);
  log.info({ port: ctx.config.http.workerPort }, 'worker probes listening');
  return {
    name: 'worker',
    urls: { 'worker probes': `http://127.0.0.1:${ctx.config.http.workerPort}/readyz` },
    async stop() {
      await periodic.stop();
      await Promise.all([commits.close(), notifications.close()]);
      await new Promise<void>((resolve) => probes.close(() => resolve()));
    },
  };
}
