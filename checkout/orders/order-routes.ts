/**
 * The buyer's order: read it and cancel it. Either credential works: the signed order token of the
 * confirmation link (Bearer or `?token=`), or the access token of an account that owns the order:
 * placed it while logged in, or has verified the e-mail address it was bought with as a guest.
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { z } from 'zod';
import type { ApiEnv } from '../api/api-env.js';
import { CheckoutError } from '../checkout-errors.js';
import { apiRoute, apiRouter, jsonAnswer } from '../api/api-route.js';
import { needs } from '../api/openapi-document.js';
import { bearerToken } from '../../common/bearer-token.js';
import type { CheckoutServices } from '../checkout-services.js';
import { verifiedAccount } from '../accounts/auth-middleware.js';
import { accountOwnsOrder } from '../accounts/my-orders.js';
import { cancelOrder, orderCancellation } from './order-cancellation.js';
import { orderViewSchema, readOrder, type OrderView } from './order-view.js';

const orderParams = z.object({ id: z.string().regex(/^[A-Za-z0-9:_.{}-]{8,128}$/, 'not an order id') });
const tokenQuery = z.object({ token: z.string().max(2048).optional() });
const cancelQuery = tokenQuery.extend({
  acceptNoRefund: z.enum(['true', 'false']).optional().describe('true: cancel even though the refund cutoff has passed and nothing is refunded (else 409 refund_cutoff_passed)'),
});

export function orderRoutes(deps: CheckoutServices): OpenAPIHono<ApiEnv> {
  const router = apiRouter<ApiEnv>();
  const cancellation = orderCancellation(deps);

  async function authorizedOrder(c: Context<ApiEnv>, orderId: string, queryToken: string | undefined): Promise<OrderView> {
    const token = bearerToken(c.req.header('authorization')) ?? queryToken;
    if (!token) throw new CheckoutError('order_forbidden', 'an order token or account token is required');
    const tokenOrder = await deps.orderTokens.verify(token);
    const view = await readOrder(deps.ctx.pg, orderId);
    if (tokenOrder !== null) {
      if (tokenOrder !== orderId) throw new CheckoutError('order_forbidden', 'this token is for another order');
    } else {
      const account = await verifiedAccount(deps, token); // 401 when it is neither, or was logged out
      // an unverified address proves nothing: registering a fan's e-mail must not open their orders
      if (view && !(await accountOwnsOrder(deps.ctx.pg, account.userId, { orderId, email: view.email }))) {
        throw new CheckoutError('order_forbidden', 'this order belongs to another account, or to an e-mail address this account has not verified');
      }
    }
    if (!view) throw new CheckoutError('order_not_found', `no order ${orderId}`);
    return view;
  }

  router.openapi(apiRoute({
    method: 'get', path: '/v1/orders/{id}', summary: 'The order (or, until it is committed, its payment state)', tags: ['orders'], security: needs('order_token'),
    request: { params: orderParams, query: tokenQuery },
    responses: { 200: jsonAnswer(orderViewSchema, 'the order') },
  }), async (c) => c.json(await authorizedOrder(c, c.req.valid('param').id, c.req.valid('query').token), 200));

  router.openapi(apiRoute({
    method: 'post', path: '/v1/orders/{id}/cancel', summary: 'Cancel the order; refund per the event policy (exactly once)', tags: ['orders'], security: needs('order_token'),
    request: { params: orderParams, query: cancelQuery },
    responses: { 200: jsonAnswer(z.object({ status: z.enum(['cancelled', 'already_cancelled']), refundMinor: z.number().int(), order: orderViewSchema }), 'cancelled now, or earlier') },
  }), async (c) => {
    const params = c.req.valid('param');
    const query = c.req.valid('query');
    await authorizedOrder(c, params.id, query.token);
    const result = await cancelOrder(cancellation, params.id, 'fan_request', { acceptNoRefund: query.acceptNoRefund === 'true' });
    return c.json({ ...result, order: (await readOrder(deps.ctx.pg, params.id))! }, 200);
  });
  return router;
}
