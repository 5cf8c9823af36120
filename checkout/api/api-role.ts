import { serve, type ServerType } from '@hono/node-server';
import type { RunningRole } from '../../common/role.js';
import type { CheckoutServices } from '../checkout-services.js';
import { createApiApp } from './app.js';

/** One API process serving API_PORT (API_PROCESSES > 1 forks such processes: api-processes.ts). */
export async function startApiRole(services: CheckoutServices): Promise<RunningRole> {
  const { ctx } = services;
  const log = ctx.log.child({ role: 'api' });
  const app = await createApiApp(services);
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
