import type { Server } from 'node:http';
import type { AppContext } from '../common/app-context.js';
import type { RunningRole } from '../common/role.js';
import { startProbeServer } from '../common/probe-server.js';

export async function startWorkerRole(ctx: AppContext): Promise<RunningRole> {
  const log = ctx.log.child({ role: 'worker' });
  const probes: Server = await startProbeServer(ctx, ctx.config.http.workerPort);
  log.info({ port: ctx.config.http.workerPort }, 'worker probes listening');
  return {
    name: 'worker',
    urls: { 'worker probes': `http://127.0.0.1:${ctx.config.http.workerPort}/readyz` },
    async stop() {
      await new Promise<void>((resolve) => probes.close(() => resolve()));
    },
  };
}
