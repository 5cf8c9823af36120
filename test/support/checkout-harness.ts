/**
 * One checkout world per test file: a fresh Postgres database, the suite's real Redis under a
 * unique BullMQ prefix, a seeded and published sale, the real Stripe SDK against the stand-in,
 * a pass signer whose JWKS the API trusts, and the API app for in-process `app.request()` calls.
 */
import type { Hono } from 'hono';
import type { JWK } from 'jose';
import { createAppContext, type AppContext } from '../../common/app-context.js';
import { generatePassJwks, passSigningKeys, passVerifier, type PassSigningKeys } from '../../admission/admission-pass.js';
import { loadConfig, type Config } from '../../common/config.js';
import { createLogger } from '../../common/logger.js';
import { queueKeys } from '../../admission/queue-keys.js';
import { createApiApp } from '../../checkout/api/app.js';
import { createCheckoutServices, type CheckoutServices } from '../../checkout/checkout-services.js';
import { checkoutFeatures, type FeatureRoutes } from '../../checkout/api/routes.js';
import { orderCancellation, type OrderCancellationDeps } from '../../checkout/orders/order-cancellation.js';
import { seedSale, type SeededSale } from '../../scripts/seed-sale.js';
import { freshDatabase, redisUrl, uniqueId, type FreshDatabase } from './databases.js';
import { smallSaleSpec, type SmallSaleOptions } from './inventory-fixture.js';
import { startStripeStandIn, type StripeStandIn } from './stripe-stand-in.js';
import { startPaypalStandIn, type PaypalStandIn } from './paypal-stand-in.js';

export interface JsonAnswer {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read problem and view bodies loosely
  body: any;
  headers: Headers;
}

export interface CheckoutWorld {
  db: FreshDatabase;
  config: Config;
  env: Record<string, string>;
  ctx: AppContext;
  deps: CheckoutServices;
  cancellation: OrderCancellationDeps;
  app: Hono;
  stripe: StripeStandIn | undefined;
  paypal: PaypalStandIn | undefined;
  signer: PassSigningKeys;
  publicJwks: { keys: unknown[] };
  sale: SeededSale;
  /** An admitted fan: a pass signed by the edge key, its lease active in the sale's ZSET. */
  admit(opts?: { saleId?: string; leaseMs?: number; ttlS?: number }): Promise<{ token: string; jti: string }>;
  json(method: string, path: string, opts?: { token?: string; body?: unknown; headers?: Record<string, string> }): Promise<JsonAnswer>;
  close(): Promise<void>;
}

type Gateway = 'stripe' | 'paypal' | 'demo';

/**
 * `gateway`: the default gateway (stripe unless named); `gateways`: every gateway the deployment
 * offers, the first the default (a stand-in starts for Stripe and for PayPal when named).
 * `features`: the routes the app serves (default: buying only; `featureRoutes` for the whole API).
 * `passJwks`: the public JWKS the API trusts (default: the world's own signer's; a test edge's for passes it issues).
 */
export async function checkoutWorld(o: { gateway?: Gateway; gateways?: Gateway[]; sale?: SmallSaleOptions; env?: Record<string, string>; features?: FeatureRoutes[]; passJwks?: { keys: JWK[] } } = {}): Promise<CheckoutWorld> {
  const db = await freshDatabase();
  // DROP … WITH (FORCE) at close terminates whatever the fixture pool still holds
  db.pool.on('error', () => undefined);
  const gateways = o.gateways ?? [o.gateway ?? 'stripe'];
  const stripe = gateways.includes('stripe') ? await startStripeStandIn() : undefined;
  const paypal = gateways.includes('paypal') ? await startPaypalStandIn() : undefined;
  const env: Record<string, string> = {
    NODE_ENV: 'test', LOG_LEVEL: 'silent', REDIS_URL: redisUrl(), DATABASE_URL: db.url, BULLMQ_PREFIX: `{${uniqueId('bq')}}`,
    // the per-address budgets are shared by every file's requests from 127.0.0.1 (one Redis namespace)
    RATE_LIMIT_PER_IP_PER_MIN: '100000', PROMO_ATTEMPTS_PER_MIN: '100000', PG_POOL_MAX: '10', AUTH_JWT_SECRET: 'x'.repeat(40), PUBLIC_API_URL: 'http://127.0.0.1:8080',
    ...stripe?.env, ...paypal?.env, PAYMENT_GATEWAY: gateways[0]!, PAYMENT_GATEWAYS: gateways.join(','), ...o.env,
  };
  const config = loadConfig(env);
  const ctx = createAppContext(config, createLogger('silent'));
  const jwks = await generatePassJwks();
  const signer = await passSigningKeys(JSON.stringify(jwks));
  const deps = await createCheckoutServices(ctx, { verifier: passVerifier({ jwks: o.passJwks ?? signer.publicJwks }) });
  const cancellation = orderCancellation(deps);
  const sale = await seedSale(db.pool, { ...smallSaleSpec(o.sale ?? { rows: 4, seatsPerRow: 5, gaCapacity: 10, shardCount: 2 }) });
  await deps.inventory.publish(sale.saleId);
  const app = await createApiApp(deps, o.features ?? checkoutFeatures);

  return {
    db, config, env, ctx, deps, cancellation, app, stripe, paypal, signer, publicJwks: signer.publicJwks, sale,
    async admit({ saleId = sale.saleId, leaseMs = 600_000, ttlS = 600 } = {}) {
      const { token, claims } = await signer.sign({ saleId, visitorId: uniqueId('v'), ttlS });
      await ctx.redis.zadd(queueKeys(saleId).active, Date.now() + leaseMs, claims.jti);
      return { token, jti: claims.jti };
    },
    async json(method, path, { token, body, headers = {} } = {}) {
      const h: Record<string, string> = { ...headers };
      if (token) h.authorization = `Bearer ${token}`;
      if (body !== undefined) h['content-type'] ??= 'application/json';
      const res = await app.request(path, { method, headers: h, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
      const text = await res.text();
      let parsed: unknown = text;
      try { parsed = JSON.parse(text); } catch { /* not JSON */ }
      return { status: res.status, body: parsed, headers: res.headers };
    },
    async close() {
      await deps.close();
      await ctx.close();
      await stripe?.close();
      await paypal?.close();
      await db.drop();
    },
  };
}
