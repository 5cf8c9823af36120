/**
 * Paying for a hold: checkout creates (idempotently, keyed by the hold) a manual-capture
 * PaymentIntent and grants the payment grace once; confirm and demo-pay tell us the fan has paid,
 * which we verify with the gateway before enqueueing the commit.
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { z } from 'zod';
import { Problem } from '../../common/problem.js';
import { extendLease } from '../../admission/pass-lease.js';
import type { ApiEnv } from '../api/api-env.js';
import { CheckoutError } from '../checkout-errors.js';
import { apiRoute, apiRouter, jsonAnswer, jsonBody } from '../api/api-route.js';
import { needs } from '../api/openapi-document.js';
import { idempotencyKey } from '../api/idempotency-key.js';
import { accountBan } from '../../admission/fan-actions.js';
import { passAuth } from '../api/pass-auth.js';
import type { CheckoutServices } from '../checkout-services.js';
import { commitIfAuthorized } from '../worker/commit/commit-trigger.js';
import type { DemoGateway } from './demo-gateway.js';
import { paymentKeys } from './payment-gateway.js';
import { recordPaymentIntent, type PaymentRow } from './payment-records.js';
import { verifiedAccount } from '../accounts/auth-middleware.js';
import { checkoutBody, checkoutHeaders, checkoutView, holdParams, paymentAccepted, saleGatewaysView, saleParams } from '../holds/hold-schemas.js';
import { ownedHold } from '../holds/hold-view.js';
import { promoAttempts } from '../pricing/promo-attempts.js';
import { zeroTotal } from '../pricing/checkout-pricing.js';
import { clientIp } from '../api/client-ip.js';

/** The lease outlives the hold by this much, so a paying fan's pass is not revoked mid-payment. */
const LEASE_SLACK_MS = 60_000;

/**
 * Checkout may name the fan's account (x-usher-account). Before the idempotency step, so a refused
 * account token is not remembered as the key's answer. A bad token is refused (401), not ignored:
 * the fan expects the order in their account.
 */
export function checkoutAccount(deps: CheckoutServices): MiddlewareHandler<ApiEnv> {
  return async function checkoutAccount(c, next) {
    const token = c.req.header('x-usher-account');
    if (token !== undefined) {
      const { userId } = await verifiedAccount(deps, token);
      if (!z.uuid().safeParse(userId).success) throw new Problem(401, 'token_invalid', 'this access token names no account');
      // an operator's ban of the account in this sale (admission/fan-actions.ts)
      if (await accountBan(deps.ctx.redis, c.get('pass').saleId, userId)) throw new Problem(403, 'account_banned', 'the organiser has barred this account from this sale');
      c.set('accountUserId', userId);
    }
    await next();
  };
}

export function paymentRoutes(deps: CheckoutServices): OpenAPIHono<ApiEnv> {
  const { ctx, inventory, verifier, orderTokens } = deps;
  const router = apiRouter<ApiEnv>();
  const shopping = passAuth({ verifier, redis: ctx.redis, requireLease: true });
  const owner = passAuth({ verifier, redis: ctx.redis, requireLease: false });
  const idempotent = idempotencyKey({ redis: ctx.redis, scope: (c) => c.get('pass').jti });
  const ofAccount = checkoutAccount(deps);
  const countPromoAttempt = promoAttempts(ctx.redis, ctx.config.commerce.promoAttemptsPerMin);
  const orderUrl = async (holdId: string) => `${ctx.config.http.publicApiUrl}/orders/${encodeURIComponent(holdId)}#token=${await orderTokens.sign(holdId)}`;

  router.openapi(apiRoute({
    method: 'post', path: '/v1/holds/{id}/checkout', summary: 'Start paying: a manual-capture payment for the hold', tags: ['payments'], security: needs('pass'),
    request: { params: holdParams, headers: checkoutHeaders, body: jsonBody(checkoutBody) }, middleware: [shopping, ofAccount, idempotent] as const,
    responses: { 200: jsonAnswer(checkoutView, 'the payment to confirm in the browser') },
  }), async (c) => {
    const params = c.req.valid('param');
    const body = c.req.valid('json');
    const { hold, payment } = await ownedHold(deps, params.id, c.get('pass').jti);
    if (!hold || hold.state === 'EXPIRED' || hold.state === 'RELEASED') throw new CheckoutError('hold_expired', 'the hold has expired; hold again');
    if (hold.state !== 'HELD' && !payment) throw new CheckoutError('hold_not_payable', `the hold is ${hold.state}`);
    // a repeated checkout keeps the gateway it started with (one authorization per hold)
    if (payment && body.gateway && body.gateway !== payment.gateway) {
      throw new CheckoutError('gateway_in_use', `this hold is being paid with ${payment.gateway}; release it to start over`);
    }
    const gateway = payment ? deps.gateways.of(payment.gateway) : await deps.saleGateways.choose(hold.saleId, body.gateway);
    const back = `${ctx.config.http.publicApiUrl}/checkout/${encodeURIComponent(hold.saleId)}?hold=${encodeURIComponent(hold.holdId)}`;
    if (body.promoCode) await countPromoAttempt(c, { ip: clientIp(c, ctx.config.http.trustProxy), pass: c.get('pass').jti });
    // The price is fixed once (the code's use taken, the points spent) before any money is asked
    // for; the gateway authorizes exactly its total, whichever gateway it is.
    const breakdown = await deps.pricing.fix({
      holdId: hold.holdId, saleId: hold.saleId, items: hold.items, email: body.email, userId: c.get('accountUserId'), promoCode: body.promoCode, points: body.points,
    });
    // fix() refuses a zero total; a hold priced at 0 before that rule must not reach a gateway either
    if (breakdown.totalMinor <= 0) throw zeroTotal(breakdown.pointsSpent);
    const pi = await gateway.authorize({
      holdId: hold.holdId, saleId: hold.saleId, amountMinor: breakdown.totalMinor, currency: breakdown.currency, email: body.email,
      description: `Usher tickets (${hold.items.length})`, idempotencyKey: paymentKeys.authorize(hold.holdId),
      // from the pass alone (not whether this process traces): every checkout of the hold sends the same
      // parameters under its idempotency key, even mid-way through turning tracing on or off
      ...(c.get('pass').traceparent ? { traceparent: c.get('pass').traceparent } : {}),
      returnUrl: `${back}&paypal=approved`, cancelUrl: `${back}&paypal=cancelled`,
    });
    await recordPaymentIntent(ctx.pg, {
      paymentIntentId: pi.id, holdId: hold.holdId, gateway: gateway.name, email: body.email, userId: c.get('accountUserId'), amountMinor: breakdown.totalMinor,
      snapshot: { saleId: hold.saleId, passJti: hold.passJti, items: hold.items, amountMinor: hold.amountMinor, currency: hold.currency },
    });
    // the payment grace, once; a repeated checkout gets the same deadline back
    const extended = hold.state === 'HELD' ? await inventory.extend(hold.holdId) : hold;
    await extendLease(ctx.redis, hold.saleId, hold.passJti, extended.deadlineMs + LEASE_SLACK_MS);
    return c.json({
      holdId: hold.holdId, gateway: gateway.name, demo: gateway.name === 'demo', paymentIntentId: pi.id, clientSecret: pi.clientSecret,
      approveUrl: pi.approveUrl ?? null, publishableKey: ctx.config.payments.stripePublishableKey ?? null, amountMinor: pi.amountMinor, currency: pi.currency, breakdown,
      deadline: new Date(extended.deadlineMs).toISOString(), orderToken: await orderTokens.sign(hold.holdId), orderUrl: await orderUrl(hold.holdId),
    }, 200);
  });

  const accepted = async (holdId: string, payment: Pick<PaymentRow, 'paymentIntentId' | 'gateway'> | null) => {
    if (!payment) throw new CheckoutError('payment_not_started', 'start the checkout first');
    const outcome = await commitIfAuthorized(deps, await deps.gateways.of(payment.gateway).retrieve(payment.paymentIntentId));
    if (outcome === 'cancelled') throw new CheckoutError('payment_cancelled', 'the payment was cancelled');
    if (outcome === 'failed') throw new CheckoutError('payment_failed', 'the payment failed; try another card');
    if (outcome !== 'enqueued') throw new CheckoutError('payment_not_authorized', 'the payment is not authorized yet');
    return { holdId, status: 'processing' as const, orderUrl: await orderUrl(holdId) };
  };

  router.openapi(apiRoute({
    method: 'post', path: '/v1/holds/{id}/confirm', summary: 'Tell us the browser confirmed the payment (verified with the gateway)', tags: ['payments'], security: needs('pass'),
    request: { params: holdParams }, middleware: [owner] as const,
    responses: { 202: jsonAnswer(paymentAccepted, 'authorized: the order is being committed') },
  }), async (c) => {
    const params = c.req.valid('param');
    const { payment } = await ownedHold(deps, params.id, c.get('pass').jti);
    return c.json(await accepted(params.id, payment), 202);
  });

  router.openapi(apiRoute({
    method: 'post', path: '/v1/holds/{id}/demo-pay', summary: 'DEMO GATEWAY ONLY: authorize the demo payment (no money) and commit', tags: ['payments'], security: needs('pass'),
    request: { params: holdParams }, middleware: [owner] as const,
    responses: { 202: jsonAnswer(paymentAccepted, 'authorized: the order is being committed') },
  }), async (c) => {
    const params = c.req.valid('param');
    if (!deps.gateways.has('demo')) throw new CheckoutError('wrong_gateway', 'demo payments are off (PAYMENT_GATEWAYS has no demo)');
    const { payment } = await ownedHold(deps, params.id, c.get('pass').jti);
    if (!payment) throw new CheckoutError('payment_not_started', 'start the checkout first');
    if (payment.gateway !== 'demo') throw new CheckoutError('wrong_gateway', `this hold is paid with ${payment.gateway}, not the demo gateway`);
    await (deps.gateways.of('demo') as DemoGateway).simulateAuthorization(payment.paymentIntentId);
    return c.json(await accepted(params.id, payment), 202);
  });

  router.openapi(apiRoute({
    method: 'get', path: '/v1/sales/{sale}/payment-gateways', summary: 'The gateways a fan may pay this sale with (the first is the default)', tags: ['payments'],
    request: { params: saleParams },
    responses: { 200: jsonAnswer(saleGatewaysView, 'the gateways, in the organiser\'s order') },
  }), async (c) => {
    const { sale } = c.req.valid('param');
    const gateways = await deps.saleGateways.offered(sale);
    return c.json({ saleId: sale, gateways, default: gateways[0] ?? null }, 200);
  });

  return router;
}
