import cluster from 'node:cluster';
import { serve, type ServerType } from '@hono/node-server';
import { startMetricsServer } from '../../common/metrics-server.js';
import type { RunningRole } from '../../common/role.js';
import type { CheckoutServices } from '../checkout-services.js';
import { createApiApp } from './app.js';

/**
 * Idle keep-alive connections stay open this long. The headers of a request on such a connection
 * must be allowed a little longer than that (Node's headersTimeout), else a request arriving just
 * as the idle time runs out can be cut off.
 */
export function keepIdleConnectionsFor(server: ServerType, seconds: number): void {
  const s = server as ServerType & { keepAliveTimeout: number; headersTimeout: number };
  s.keepAliveTimeout = seconds * 1000;
  s.headersTimeout = Math.max(s.headersTimeout, seconds * 1000 + 1000);
}

/**
 * One API process serving API_PORT, and its metrics on API_METRICS_PORT. API_PROCESSES > 1 forks
 * such processes (api-processes.ts), whose parent answers the scrapes for all of them.
 */
export async function startApiRole(services: CheckoutServices): Promise<RunningRole> {
  const { ctx } = services;
  const log = ctx.log.child({ role: 'api' });
  const app = await createApiApp(services);
  const { host, apiPort } = ctx.config.http;
  const server = await new Promise<ServerType>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: host, port: apiPort }, () => resolve(s));
    s.once('error', reject);
  });
  keepIdleConnectionsFor(server, ctx.config.http.apiKeepAliveTimeoutS);
  const metrics = cluster.isWorker ? undefined : await startMetricsServer({ host, port: ctx.config.http.apiMetricsPort });
  log.info({ port: apiPort, metricsPort: metrics?.port }, 'api listening');
  return {
    name: 'api',
    urls: { api: ctx.config.http.publicApiUrl, ...(metrics ? { 'api metrics': metrics.url } : {}) },
    async stop() {
      await new Promise<void>((resolve) => {
        // close() waits for in-flight requests; idle keep-alive sockets are closed now.
        server.close(() => resolve());
        (server as unknown as { closeIdleConnections?: () => void }).closeIdleConnections?.();
      });
      await metrics?.close();
    },
  };
}
