/**
 * The organiser API: every `/v1/admin/*` route needs an admin access token (or the static
 * ADMIN_API_TOKEN); a fan's token gets 403, no token 401.
 */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { groupMetrics } from '../../common/process-group-metrics.js';
import type { CheckoutServices } from '../checkout-services.js';
import { requireAdmin } from '../accounts/auth-middleware.js';
import { cancelOrder, orderCancellation } from '../orders/order-cancellation.js';
import { createDashboardReader } from './dashboard-data.js';
import { createEventCanceller } from './event-cancellation.js';
import { createEventRouter } from './event-routes.js';
import { createSaleRouter } from './sale-routes.js';
import { createVenueRouter, CSV_LIMIT_BYTES } from './venue-routes.js';

export function adminRoutes(s: CheckoutServices): Hono {
  const { ctx, inventory } = s;
  const limit = ctx.config.http.bodyLimitBytes;
  const router = new Hono();
  router.use('/v1/admin/*', requireAdmin({ ...s, adminApiToken: ctx.config.secrets.adminApiToken }));
  // JSON bodies are small; the seat-map import and venue JSON have their own larger limits.
  router.use('/v1/admin/*', (c, next) => (c.req.path.startsWith('/v1/admin/venues') ? next() : bodyLimit({ maxSize: limit })(c, next)));
  const cancellation = orderCancellation(s);
  const canceller = createEventCanceller({
    pg: ctx.pg, redis: ctx.redis, inventory, log: ctx.log.child({ module: 'event-cancellation' }),
    cancelOrder: (orderId) => cancelOrder(cancellation, orderId, 'event_cancelled'),
  });
  router.route('/', createVenueRouter({ pg: ctx.pg, bodyLimitBytes: Math.max(limit, CSV_LIMIT_BYTES / 16) }));
  router.route('/', createEventRouter({ pg: ctx.pg, canceller }));
  router.route('/', createSaleRouter({
    pg: ctx.pg, redis: ctx.redis, inventory,
    dashboard: createDashboardReader({ pg: ctx.pg, redis: ctx.redis, availability: (id) => inventory.availability(id), registry: groupMetrics }),
  }));
  return router;
}
