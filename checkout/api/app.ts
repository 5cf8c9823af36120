import { OpenAPIHono } from '@hono/zod-openapi';
import type { BlankEnv } from 'hono/types';
import { requestId } from 'hono/request-id';
import type { CheckoutServices } from '../checkout-services.js';
import cluster from 'node:cluster';
import { joinMetricsGroup } from '../../common/process-group-metrics.js';
import { Problem } from '../../common/problem.js';
import { apiDocsRoutes } from './api-docs.js';
import { validationHook } from './api-route.js';
import { defaultBodyLimit } from './body-limit.js';
import { httpMetrics } from './http-metrics.js';
import { httpTracing } from './http-tracing.js';
import { RequestWindow } from '../../admission/backend-health.js';
import { clientIp } from './client-ip.js';
import { toProblem } from './domain-problems.js';
import { serveOpenApiDocument } from './openapi-document.js';
import { problemHandler, problemResponse } from './problem-handler.js';
import { rateLimit } from './rate-limit.js';
import { featureRoutes, type FeatureRoutes } from './routes.js';

/**
 * The API role's Hono application. Feature routers (holds, payments, webhooks, orders, catalog,
 * accounts, admin, pages) are listed in routes.ts; this module owns only what every route shares: request ids, the
 * default body limit (each route applies it, or its own), the per-address rate limit, probes, HTTP metrics, the
 * OpenAPI document and its docs page, and the one error boundary (domain errors → problems via domain-problems.ts).
 */
const SEAT_MAP_PATH = /^\/v1\/sales\/[^/]+\/seat-(map|states)$/;

export async function createApiApp(services: CheckoutServices, features: FeatureRoutes[] = featureRoutes): Promise<OpenAPIHono<BlankEnv>> {
  const { ctx } = services;
  const app = new OpenAPIHono<BlankEnv>({ defaultHook: validationHook });
  // one of API_PROCESSES: the parent's API_METRICS_PORT counts every process (api-processes.ts)
  if (cluster.isWorker) joinMetricsGroup();
  const { http } = ctx.config;
  app.use('*', requestId());
  app.use('*', httpTracing());
  // this process's hold p99 and 5xx rate, published once a second for admission (backend-health.ts)
  const window = new RequestWindow(ctx.config.backoff.healthWindowS);
  services.health.add('api', () => {
    const f = window.figures();
    return { ...(f.holdP99Ms === null ? {} : { holdP99Ms: f.holdP99Ms }), holds: f.holds, requests: f.requests, errors: f.errors };
  });
  app.use('/v1/*', httpMetrics(window));
  app.use('*', defaultBodyLimit(http.bodyLimitBytes));
  app.use(
    '/v1/*',
    rateLimit({
      name: 'ip',
      redis: ctx.redis,
      limit: http.rateLimitPerIpPerMin,
      windowS: 60,
      log: ctx.log,
      // every /v1 request passes here: counted in this process, sent to Redis once per key every 50 ms
      syncMs: 50,
      // Stripe's webhook deliveries are signed and deduplicated; limiting them only delays orders.
      // The seat map and seat states are answered from process memory (a bounded number of Redis
      // reads per interval, whatever the number of fans): a counter per request would be the one
      // Redis call per viewer that they exist to avoid.
      key: (c) => (c.req.path.startsWith('/v1/webhooks/') || (c.req.method === 'GET' && SEAT_MAP_PATH.test(c.req.path)) ? undefined : clientIp(c, http.trustProxy)),
    }),
  );
  // Probes here, on the port the traffic takes; /metrics only on API_METRICS_PORT (api-role.ts).
  app.get('/livez', (c) => c.json({ ok: true }));
  app.get('/readyz', async (c) => {
    const r = await ctx.readiness();
    return c.json(r, r.ok ? 200 : 503);
  });
  for (const routes of features) app.route('/', await routes(services));
  serveOpenApiDocument(app, { title: 'Usher API', version: '1', serverUrl: http.publicApiUrl });
  app.route('/', apiDocsRoutes((err) => ctx.log.error({ err: err.message }, 'swagger-ui-dist is not installed (npm ci): /docs will not render')));
  app.notFound((c) => problemResponse(c, new Problem(404, 'not_found', `no route for ${c.req.method} ${c.req.path}`)));
  app.onError(problemHandler(ctx.log, toProblem));
  return app;
}
