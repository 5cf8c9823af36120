import type { Server } from 'node:http';
import type { AppContext } from '../../common/app-context.js';
import type { RunningRole } from '../../common/role.js';
import { startProbeServer } from '../../common/probe-server.js';
import { checkoutDeps } from '../checkout-deps.js';
import { startCommitWorker } from './commit/commit-worker.js';
import { startPeriodicTasks } from './periodic-tasks.js';
import { startNotificationWorker } from './notifications/notification-worker.js';

/**
 * The worker role: commits paid holds, sends order e-mails, sweeps expired holds and reconciles
 * anything stuck. Stopping closes the workers first (jobs in flight finish or are released to
 * another worker), then the probes.
 */
export async function startWorkerRole(ctx: AppContext): Promise<RunningRole> {
  const log = ctx.log.child({ role: 'worker' });
  const deps = await checkoutDeps(ctx);
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
