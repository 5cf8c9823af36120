/**
 * Mounts the organiser API: every `/v1/admin/*` route needs an admin access token (or the static
 * ADMIN_API_TOKEN); a fan's token gets 403, no token 401.
 */
import type { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AppContext } from '../../common/app-context.js';
import { groupMetrics } from '../../common/process-group-metrics.js';
import { authDeps } from '../accounts/auth-deps.js';
import { requireAdmin } from '../accounts/auth-middleware.js';
import { cancelOrder, createOrderCancellationDeps } from '../orders/order-cancellation.js';
import { createDashboardReader } from './dashboard-data.js';
import { createEventCanceller } from './event-cancellation.js';
import { createEventRouter } from './event-routes.js';
import { createSaleRouter } from './sale-routes.js';
import { seatInventory } from './seat-inventory.js';
import { createVenueRouter, CSV_LIMIT_BYTES } from './venue-routes.js';

export async function mountAdmin(app: Hono, ctx: AppContext): Promise<void> {
  const auth = await authDeps(ctx);
  const inventory = seatInventory(ctx);
  const limit = ctx.config.http.bodyLimitBytes;
  app.use('/v1/admin/*', requireAdmin({ ...auth, adminApiToken: ctx.config.secrets.adminApiToken }));
  // JSON bodies are small; the seat-map import and venue JSON have their own larger limits.
  app.use('/v1/admin/*', (c, next) => (c.req.path.startsWith('/v1/admin/venues') ? next() : bodyLimit({ maxSize: limit })(c, next)));
  let cancellation: ReturnType<typeof createOrderCancellationDeps> | undefined;
  const canceller = createEventCanceller({
    pg: ctx.pg, redis: ctx.redis, inventory, log: ctx.log.child({ module: 'event-cancellation' }),
    // built on first use: the payment gateway and notification queue are not needed until then
    cancelOrder: (orderId) => cancelOrder((cancellation ??= createOrderCancellationDeps(ctx)), orderId, 'event_cancelled'),
  });
  app.route('/', createVenueRouter({ pg: ctx.pg, bodyLimitBytes: Math.max(limit, CSV_LIMIT_BYTES / 16) }));
  app.route('/', createEventRouter({ pg: ctx.pg, canceller }));
  app.route('/', createSaleRouter({
    pg: ctx.pg, redis: ctx.redis, inventory,
    dashboard: createDashboardReader({ pg: ctx.pg, redis: ctx.redis, availability: (id) => inventory.availability(id), registry: groupMetrics }),
  }));
}
