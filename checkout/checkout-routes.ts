/**
 * Checkout's route module (listed in api/routes.ts): holds, payments, the Stripe webhook, orders,
 * and the static checkout and order pages.
 */
import type { Hono } from 'hono';
import type { AppContext } from '../common/app-context.js';
import { checkoutDeps, type CheckoutDeps } from './checkout-deps.js';
import { holdRoutes } from './holds/hold-routes.js';
import { paymentRoutes } from './payments/payment-routes.js';
import { createOrderCancellationDeps, type OrderCancellationDeps } from './orders/order-cancellation.js';
import { orderRoutes } from './orders/order-routes.js';
import { checkoutPages } from './pages/checkout-pages.js';
import { stripeWebhookRoutes } from './payments/stripe-webhook-routes.js';

export function mountCheckout(app: Hono, deps: CheckoutDeps, cancellation: OrderCancellationDeps): void {
  for (const router of [holdRoutes(deps), paymentRoutes(deps), stripeWebhookRoutes(deps), orderRoutes(deps, cancellation), checkoutPages(deps)]) {
    app.route('/', router);
  }
}

export async function checkoutModule(app: Hono, ctx: AppContext): Promise<void> {
  const deps = await checkoutDeps(ctx);
  mountCheckout(app, deps, { ...createOrderCancellationDeps(ctx), gateway: deps.gateway, inventory: deps.inventory, notifications: deps.notifications });
}
