import { Hono } from 'hono';
import { requestId } from 'hono/request-id';
import type { CheckoutServices } from '../checkout-services.js';
import cluster from 'node:cluster';
import { joinMetricsGroup } from '../../common/process-group-metrics.js';
import { Problem } from '../../common/problem.js';
import { requestBodyLimit } from './body-limit.js';
import { httpMetrics } from './http-metrics.js';
import { clientIp } from './client-ip.js';
import { toProblem } from './domain-problems.js';
import { openApiDocument } from './openapi-registry.js';
import { problemHandler, problemResponse } from './problem-handler.js';
import { rateLimit } from './rate-limit.js';
import { featureRoutes, type FeatureRoutes } from './routes.js';

/**
 * The API role's Hono application. Feature routers (holds, payments, webhooks, orders, catalog,
 * accounts, admin, pages) are listed in routes.ts; this module owns only what every route shares: request ids, the
 * body limit, the per-address rate limit, probes, HTTP metrics, the OpenAPI document and the one error
 * boundary (domain errors → problems via domain-problems.ts).
 */
export async function createApiApp(services: CheckoutServices, features: FeatureRoutes[] = featureRoutes): Promise<Hono> {
  const { ctx } = services;
  const app = new Hono();
  // one of API_PROCESSES: the parent's API_METRICS_PORT counts every process (api-processes.ts)
  if (cluster.isWorker) joinMetricsGroup();
  const { http } = ctx.config;
  app.use('*', requestId());
  app.use('/v1/*', httpMetrics());
  // venue seat maps (JSON and CSV) carry their own limits in checkout/admin/venue-routes.ts
  app.use('/v1/*', requestBodyLimit(http.bodyLimitBytes, (path) => path.startsWith('/v1/admin/venues')));
  app.use(
    '/v1/*',
    rateLimit({
      name: 'ip',
      redis: ctx.redis,
      limit: http.rateLimitPerIpPerMin,
      windowS: 60,
      log: ctx.log,
      // Stripe's webhook deliveries are signed and deduplicated; limiting them only delays orders.
      key: (c) => (c.req.path.startsWith('/v1/webhooks/') ? undefined : clientIp(c, http.trustProxy)),
    }),
  );
  // Probes here, on the port the traffic takes; /metrics only on API_METRICS_PORT (api-role.ts).
  app.get('/livez', (c) => c.json({ ok: true }));
  app.get('/readyz', async (c) => {
    const r = await ctx.readiness();
    return c.json(r, r.ok ? 200 : 503);
  });
  for (const routes of features) app.route('/', await routes(services));
  app.get('/openapi.json', (c) => c.json(openApiDocument({ title: 'Usher API', version: '1', serverUrl: http.publicApiUrl })));
  app.notFound((c) => problemResponse(c, new Problem(404, 'not_found', `no route for ${c.req.method} ${c.req.path}`)));
  app.onError(problemHandler(ctx.log, toProblem));
  return app;
}
