/**
 * Test support for the catalog, accounts and admin suites: a real process context (real Redis,
 * a fresh migrated Postgres), the process's checkout services, and the API app with the given
 * feature routes, driven in process.
 */
import type { Hono } from 'hono';
import { loadConfig } from '../../common/config.js';
import { createAppContext, type AppContext } from '../../common/app-context.js';
import { createLogger } from '../../common/logger.js';
import { createApiApp } from '../../checkout/api/app.js';
import type { FeatureRoutes } from '../../checkout/api/routes.js';
import { createCheckoutServices, type CheckoutServices } from '../../checkout/checkout-services.js';
import { freshDatabase, redisUrl, uniqueId, type FreshDatabase } from './databases.js';

export interface ApiHarness {
  db: FreshDatabase;
  ctx: AppContext;
  services: CheckoutServices;
  app: Hono;
  close(): Promise<void>;
}

type ServiceOverrides = NonNullable<Parameters<typeof createCheckoutServices>[1]>;

/** `overrides`: services to use instead of the process's own (e.g. a role cache with a short TTL). */
export async function apiHarness(
  features: FeatureRoutes[], env: Record<string, string> = {}, db?: FreshDatabase, overrides: (ctx: AppContext) => ServiceOverrides = () => ({}),
): Promise<ApiHarness> {
  const database = db ?? (await freshDatabase());
  // DROP DATABASE … WITH (FORCE) at the end terminates idle clients; that is expected, not an error
  database.pool.on('error', () => undefined);
  const config = loadConfig({
    NODE_ENV: 'test', LOG_LEVEL: 'silent', REDIS_URL: redisUrl(), DATABASE_URL: database.url,
    AUTH_JWT_SECRET: 'test-secret-test-secret-test-secret-0123', PG_POOL_MAX: '5',
    // the per-address limit would count every test file's in-process requests as one client ('unknown')
    RATE_LIMIT_PER_IP_PER_MIN: '1000000',
    // the promo-code budget per address is shared by every file's requests from 127.0.0.1 the same way
    PROMO_ATTEMPTS_PER_MIN: '1000000',
    // jobs (e.g. the verification e-mail queued at registration) stay out of other files' workers
    BULLMQ_PREFIX: `{${uniqueId('bq')}}`, ...env,
  });
  const ctx = createAppContext(config, createLogger('silent'));
  const services = await createCheckoutServices(ctx, overrides(ctx));
  const app = await createApiApp(services, features);
  return {
    db: database, ctx, services, app,
    async close() {
      await services.close();
      await ctx.close();
      if (!db) await database.drop();
    },
  };
}

export function json(body: unknown, headers: Record<string, string> = {}): RequestInit {
  return { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } };
}

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}
