/** Organiser routes for orders: an event's orders, and a refund in full. Mounted behind requireAdmin. */
import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import type { PgPool } from '../../common/postgres-pool.js';
import { Problem } from '../../common/problem.js';
import { apiRoute, apiRouter, jsonAnswer } from '../api/api-route.js';
import { needs } from '../api/openapi-document.js';
import { cancelOrder, type OrderCancellationDeps } from '../orders/order-cancellation.js';
import { idParams } from './admin-schemas.js';
import { audited, reasonHeaders } from '../../admission/operator-audit.js';
import type { AuthEnv } from '../accounts/auth-middleware.js';
import { actorOf } from './fan-routes.js';


const when = z.union([z.string(), z.date()]);
const adminOrder = z.object({
  id: z.string(), number: z.string().nullable(), saleId: z.string(), email: z.string(), status: z.enum(['committed', 'confirmed', 'cancelled']),
  amountMinor: z.number().int(), currency: z.string(), tickets: z.number().int().describe('tickets still valid'), createdAt: when,
  refund: z.object({ amountMinor: z.number().int(), status: z.string(), reason: z.string().nullable() }).nullable(),
});
const eventOrders = z.object({ eventId: z.string(), orders: z.array(adminOrder), truncated: z.boolean().describe('more than the 500 latest') });
const orderParams = z.object({ id: z.string().regex(/^[A-Za-z0-9:_.{}-]{8,128}$/, 'not an order id') });
const ordersQuery = z.object({ status: z.enum(['committed', 'confirmed', 'cancelled']).optional() });

const LIMIT = 500;
const tags = ['admin: orders'];
const security = needs('admin');

const SELECT = `SELECT o.id, o.number, o.sale_id AS "saleId", o.email, o.status, o.amount_minor AS "amountMinor", o.currency, o.created_at AS "createdAt",
         (SELECT count(*)::int FROM tickets t WHERE t.order_id = o.id AND t.status = 'live') AS tickets,
         (SELECT json_build_object('amountMinor', r.amount_minor, 'status', r.status, 'reason', r.reason) FROM refunds r WHERE r.order_id = o.id) AS refund
  FROM orders o`;

export function createOrderAdminRouter(deps: { pg: PgPool; cancellation: OrderCancellationDeps }): OpenAPIHono<AuthEnv> {
  const router = apiRouter<AuthEnv>();
  const order = async (id: string): Promise<z.output<typeof adminOrder> | undefined> => (await deps.pg.query(`${SELECT} WHERE o.id = $1`, [id])).rows[0];

  router.openapi(apiRoute({
    method: 'get', path: '/v1/admin/events/{id}/orders', summary: "The event's latest 500 orders, of all its sales, with their refunds", tags, security,
    request: { params: idParams, query: ordersQuery },
    responses: { 200: jsonAnswer(eventOrders, 'orders, newest first'), 404: { description: 'event_not_found' } },
  }), async (c) => {
    const { id } = c.req.valid('param');
    const { status } = c.req.valid('query');
    const event = await deps.pg.query('SELECT 1 FROM events WHERE id = $1', [id]);
    if (!event.rows[0]) throw new Problem(404, 'event_not_found', `no event ${id}`);
    // through the sales: orders are indexed by sale
    const { rows } = await deps.pg.query(
      `${SELECT} WHERE o.sale_id IN (SELECT id FROM sales WHERE event_id = $1) AND ($2::text IS NULL OR o.status = $2)
       ORDER BY o.created_at DESC, o.id LIMIT ${LIMIT + 1}`, [id, status ?? null]);
    return c.json({ eventId: id, orders: rows.slice(0, LIMIT), truncated: rows.length > LIMIT }, 200);
  });

  router.openapi(apiRoute({
    method: 'post', path: '/v1/admin/orders/{id}/refund', summary: 'Cancel the order and refund it in full, whatever the refund cutoff (exactly once)', tags, security,
    request: { params: orderParams, headers: reasonHeaders },
    responses: {
      200: jsonAnswer(z.object({ status: z.enum(['cancelled', 'already_cancelled']), refundMinor: z.number().int(), order: adminOrder }), 'refunded now, or earlier'),
      404: { description: 'order_not_found' }, 409: { description: 'order_not_cancellable: still being confirmed, try again in a moment' },
    },
  }), async (c) => {
    const { id } = c.req.valid('param');
    const before = await order(id);
    if (!before) throw new Problem(404, 'order_not_found', `no order ${id}`);
    // an operator action on a fan's order: in the sale's audit log, recorded first (admission/operator-audit.ts)
    const entry = {
      saleId: before.saleId, actor: actorOf(c.get('user')), via: 'api' as const, action: 'order.refund', accountId: null,
      reason: c.req.valid('header')['x-usher-reason'] ?? null, detail: { orderId: id, number: before.number, status: before.status, amountMinor: before.amountMinor },
    };
    const result = await audited(deps.pg, entry, () => cancelOrder(deps.cancellation, id, 'organiser'));
    return c.json({ ...result, order: (await order(id))! }, 200);
  });
  return router;
}
