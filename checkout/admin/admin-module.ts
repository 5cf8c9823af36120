/**
 * The organiser API: every `/v1/admin/*` route needs an admin access token (or the static
 * ADMIN_API_TOKEN); a fan's token gets 403, no token 401.
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import { groupMetrics } from '../../common/process-group-metrics.js';
import type { CheckoutServices } from '../checkout-services.js';
import { requireAdmin } from '../accounts/auth-middleware.js';
import { cancelOrder, orderCancellation } from '../orders/order-cancellation.js';
import { createCommerceRouter } from './commerce-routes.js';
import { createDashboardReader } from './dashboard-data.js';
import { healthKeyOf } from '../../admission/backend-health.js';
import { createEventCanceller } from './event-cancellation.js';
import { createEventRouter } from './event-routes.js';
import { createOrderAdminRouter } from './order-admin-routes.js';
import { createSaleRouter } from './sale-routes.js';
import { createFanRouter } from './fan-routes.js';
import { createVenueRouter } from './venue-routes.js';
import { apiRouter } from '../api/api-route.js';

export function adminRoutes(s: CheckoutServices): OpenAPIHono {
  const { ctx, inventory } = s;
  const router = apiRouter();
  router.use('/v1/admin/*', requireAdmin({ ...s, adminApiToken: ctx.config.secrets.adminApiToken }));
  const cancellation = orderCancellation(s);
  const canceller = createEventCanceller({
    pg: ctx.pg, redis: ctx.redis, inventory, log: ctx.log.child({ module: 'event-cancellation' }),
    cancelOrder: (orderId) => cancelOrder(cancellation, orderId, 'event_cancelled'),
  });
  router.route('/', createVenueRouter({ pg: ctx.pg }));
  router.route('/', createCommerceRouter({ pg: ctx.pg }));
  router.route('/', createEventRouter({ pg: ctx.pg, canceller, reminders: s.notifications }));
  router.route('/', createOrderAdminRouter({ pg: ctx.pg, cancellation }));
  router.route('/', createFanRouter({ pg: ctx.pg, redis: ctx.redis, inventory }));
  router.route('/', createSaleRouter({
    pg: ctx.pg, redis: ctx.redis, inventory, gateways: s.gateways.names, onGatewaysChanged: (id) => s.saleGateways.forget(id),
    dashboard: createDashboardReader({ pg: ctx.pg, redis: ctx.redis, availability: (id) => inventory.availability(id), registry: groupMetrics, healthKey: healthKeyOf(ctx.config) }),
  }));
  return router;
}
