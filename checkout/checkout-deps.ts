/**
 * Everything checkout's routes and workers share, built once per process context. Tests build it
 * with overrides (a local JWKS, a stand-in gateway) instead of reaching into modules.
 */
import type { AppContext } from '../common/app-context.js';
import { loadAccessTokens, type AccessTokens } from '../access/access-token.js';
import { passVerifier, type PassVerifier } from '../admission/admission-pass.js';
import { cachedPassVerifier } from './api/pass-verifier-cache.js';
import type { SeatInventory } from '../inventory/inventory-api.js';
import { createSeatInventory } from '../inventory/index.js';
import { createCommitQueue, type CommitQueue } from './worker/commit/commit-queue.js';
import { createNotificationQueue, type NotificationQueue } from './worker/notifications/notification-queue.js';
import { loadOrderTokens, type OrderTokens } from './orders/order-token.js';
import { createPaymentGateway } from './payments/gateway-factory.js';
import type { PaymentGateway } from './payments/payment-gateway.js';

export interface CheckoutDeps {
  ctx: AppContext;
  inventory: SeatInventory;
  gateway: PaymentGateway;
  verifier: PassVerifier;
  commits: CommitQueue;
  notifications: NotificationQueue;
  orderTokens: OrderTokens;
  accessTokens: AccessTokens;
  close(): Promise<void>;
}

const cache = new WeakMap<AppContext, Promise<CheckoutDeps>>();

export async function createCheckoutDeps(ctx: AppContext, overrides: Partial<Omit<CheckoutDeps, 'ctx' | 'close'>> = {}): Promise<CheckoutDeps> {
  const { config } = ctx;
  const connection = ctx.redis;
  const commits = overrides.commits ?? createCommitQueue(connection, config.worker.bullmqPrefix);
  const notifications = overrides.notifications ?? createNotificationQueue(connection, config.worker.bullmqPrefix, config.worker.reminderBeforeS);
  return {
    ctx,
    inventory: overrides.inventory ?? createSeatInventory({ redis: ctx.redis, pg: ctx.pg, log: ctx.log, claimTimeoutS: config.worker.claimTimeoutS, sweepBatch: config.worker.sweepBatch }),
    gateway: overrides.gateway ?? createPaymentGateway(config, ctx.redis, ctx.log),
    verifier: cachedPassVerifier(
      overrides.verifier ?? passVerifier({ jwksUrl: config.pass.jwksUrl, maxAgeMs: config.pass.jwksMaxAgeS * 1000 }),
      { reverifyAfterMs: config.pass.jwksMaxAgeS * 1000 },
    ),
    commits,
    notifications,
    orderTokens: overrides.orderTokens ?? (await loadOrderTokens(ctx)),
    accessTokens: overrides.accessTokens ?? (await loadAccessTokens(config, ctx.redis, ctx.log)),
    async close() {
      if (!overrides.commits) await commits.close();
      if (!overrides.notifications) await notifications.close();
    },
  };
}

/** The process-wide instance for a context (API and worker roles in one `all` process share it). */
export function checkoutDeps(ctx: AppContext): Promise<CheckoutDeps> {
  let deps = cache.get(ctx);
  if (!deps) {
    deps = createCheckoutDeps(ctx);
    cache.set(ctx, deps);
  }
  return deps;
}
