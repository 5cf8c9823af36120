import { serve, type ServerType } from '@hono/node-server';
import type { AppContext } from '../../common/app-context.js';
import type { RunningRole } from '../../common/role.js';
import { createApiApp } from './app.js';
import { routeModules } from './routes.js';
import { startApiProcesses } from './api-processes.js';

export async function startApiRole(ctx: AppContext): Promise<RunningRole> {
  if (ctx.config.http.apiProcesses > 1) return startApiProcesses(ctx, ctx.config.http.apiProcesses);
  const log = ctx.log.child({ role: 'api' });
  const app = await createApiApp(ctx, routeModules);
  const { host, apiPort } = ctx.config.http;
  const server = await new Promise<ServerType>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: host, port: apiPort }, () => resolve(s));
    s.once('error', reject);
  });
  log.info({ port: apiPort }, 'api listening');
  return {
    name: 'api',
    urls: { api: ctx.config.http.publicApiUrl },
    stop: () =>
      new Promise<void>((resolve) => {
        // close() waits for in-flight requests; idle keep-alive sockets are closed now.
        server.close(() => resolve());
        (server as unknown as { closeIdleConnections?: () => void }).closeIdleConnections?.();
      }),
  };
}
