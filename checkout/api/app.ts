import { Hono } from 'hono';
import { requestId } from 'hono/request-id';
import type { AppContext } from '../../common/app-context.js';
import { metricsText } from '../../common/metrics.js';
import { Problem } from '../../common/problem.js';
import { problemHandler, problemResponse } from './problem-handler.js';
import type { RouteModule } from './routes.js';

/**
 * The API role's Hono application. Feature routers (holds, checkout, webhooks, catalog, accounts,
 * admin) are listed in routes.ts; this module owns only what every route shares.
 */
export async function createApiApp(ctx: AppContext, modules: RouteModule[] = []): Promise<Hono> {
  const app = new Hono();
  app.use('*', requestId());
  app.get('/livez', (c) => c.json({ ok: true }));
  app.get('/readyz', async (c) => {
    const r = await ctx.readiness();
    return c.json(r, r.ok ? 200 : 503);
  });
  app.get('/metrics', async (c) => {
    const m = await metricsText();
    return c.body(m.body, 200, { 'content-type': m.contentType });
  });
  for (const mount of modules) await mount(app, ctx);
  app.notFound((c) => problemResponse(c, new Problem(404, 'not_found', `no route for ${c.req.method} ${c.req.path}`)));
  app.onError(problemHandler(ctx.log));
  return app;
}
