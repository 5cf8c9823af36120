/**
 * Holds over HTTP: take seats with an admission pass, read and release the hold, and the sale's
 * availability (cached briefly: thousands of fans poll it, the answer moves slowly).
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { holderOf, passOf } from '../../admission/pass-holder.js';
import { fixedWindowCounter } from '../../common/fixed-window-counter.js';
import { redisKeys } from '../../common/redis-keys.js';
import type { Availability } from '../../inventory/inventory-api.js';
import type { ApiEnv } from '../api/api-env.js';
import { CheckoutError } from '../checkout-errors.js';
import { apiRoute, apiRouter, jsonAnswer as json, jsonBody } from '../api/api-route.js';
import { needs } from '../api/openapi-document.js';
import { idempotencyKey } from '../api/idempotency-key.js';
import { passAuth } from '../api/pass-auth.js';
import type { CheckoutServices } from '../checkout-services.js';
import { paymentKeys } from '../payments/payment-gateway.js';
import { advancePayment } from '../payments/payment-records.js';
import { availabilitySchema, holdParams, holdRequestBody, holdView as holdViewSchema, idempotencyHeaders, saleParams } from './hold-schemas.js';
import { neverCheckedOut, ownedHold, pricedHoldView } from './hold-view.js';

/** Requests per pass per minute on the hold routes: a fan clicking, not a script. */
export const PASS_REQUESTS_PER_MIN = 120;
const AVAILABILITY_CACHE_MS = 500;
/** The release count outlives any pass (PASS_TTL_S is minutes). */
const RELEASES_TTL_S = 86_400;

export function holdRoutes(deps: CheckoutServices): OpenAPIHono<ApiEnv> {
  const { ctx, inventory, verifier } = deps;
  const router = apiRouter<ApiEnv>();
  const shopping = passAuth({ verifier, redis: ctx.redis, saleParam: 'sale', requireLease: true, perMinute: PASS_REQUESTS_PER_MIN });
  // the hold in the path is read in the same round trip as the pass's lease and limit (its id is
  // already validated: apiRoute checks path parameters before the route's middleware)
  const readHoldAlongside = (c: Context<ApiEnv>): void => {
    const read = inventory.getHold(c.req.param('id') ?? '');
    // a pass refused leaves the read unawaited: its failure must not become an unhandled rejection
    read.catch(() => undefined);
    c.set('holdRead', read);
  };
  const owner = passAuth({ verifier, redis: ctx.redis, requireLease: false, perMinute: PASS_REQUESTS_PER_MIN, alongside: readHoldAlongside });
  const idempotent = idempotencyKey({ redis: ctx.redis, scope: (c) => c.get('pass').jti });
  const countRelease = fixedWindowCounter(ctx.redis);

  router.openapi(apiRoute({
    method: 'post', path: '/v1/sales/{sale}/holds', summary: 'Hold seats with an admission pass', tags: ['holds'], security: needs('pass'),
    request: { params: saleParams, headers: idempotencyHeaders, body: jsonBody(holdRequestBody) },
    middleware: [shopping, idempotent] as const,
    responses: { 201: json(holdViewSchema, 'the hold (the same one when repeated with the same pass)') },
  }), async (c) => {
    // a new holder after each release: the pass may hold again within its window (pass-holder.ts)
    const holder = holderOf(c.get('pass').jti, c.get('passReleases') ?? 0);
    const hold = await inventory.hold(c.req.valid('param').sale, holder, c.req.valid('json'));
    return c.json(await pricedHoldView(deps, hold, null, null), 201);
  });

  router.openapi(apiRoute({
    method: 'get', path: '/v1/holds/{id}', summary: 'Read a hold, its payment and its order', tags: ['holds'], security: needs('pass'),
    request: { params: holdParams }, middleware: [owner] as const,
    responses: { 200: json(holdViewSchema, 'the hold') },
  }), async (c) => {
    const { hold, payment, orderId } = await ownedHold(deps, c.req.valid('param').id, c.get('pass').jti, c.get('holdRead'));
    return c.json(await pricedHoldView(deps, hold, payment, orderId), 200);
  });

  router.openapi(apiRoute({
    method: 'delete', path: '/v1/holds/{id}', summary: 'Release a hold (seats go back on sale)', tags: ['holds'], security: needs('pass'),
    request: { params: holdParams }, middleware: [owner] as const,
    responses: { 200: json(holdViewSchema, 'released (or already not held)') },
  }), async (c) => {
    const params = c.req.valid('param');
    const { hold, payment, orderId } = await ownedHold(deps, params.id, c.get('pass').jti, c.get('holdRead'));
    // decided before the release: a hold never checked out has no fixed price to read back from Postgres
    const unpriced = neverCheckedOut(hold, payment);
    if (orderId || payment?.status === 'authorized' || payment?.status === 'captured') {
      throw new CheckoutError('hold_not_payable', 'this hold is paid; cancel the order instead');
    }
    const released = await inventory.release(params.id);
    if (payment?.status === 'requires_payment') {
      // recorded at once (not only by the reconciler later), so the promo use and the points come back now
      const cancelled = await deps.gateways.of(payment.gateway).cancel(payment.paymentIntentId, paymentKeys.cancel(params.id)).catch(() => null);
      if (cancelled?.status === 'cancelled') await advancePayment(ctx.pg, payment.paymentIntentId, 'cancelled', 'released');
    }
    // The turn goes on: the lease stays (it ends at the order or the window's end), and the next
    // hold of this pass is placed under a new holder. Counted only when this call released it.
    if (hold && released === 'released') {
      // one script call (INCRBY, and the lifetime when it creates the counter) rather than a MULTI
      await countRelease(redisKeys.passReleases(hold.saleId, passOf(hold.passJti)), RELEASES_TTL_S * 1000);
    }
    // releasing changes only the state (releaseHold-7.lua); anything else is re-read
    const after = released === 'released' && hold ? { ...hold, state: 'RELEASED' as const } : await inventory.getHold(params.id);
    return c.json(await pricedHoldView(deps, after, payment, null, unpriced), 200);
  });

  const cached = new Map<string, { at: number; value: Promise<Availability> }>();
  router.openapi(apiRoute({
    method: 'get', path: '/v1/sales/{sale}/availability', summary: 'Free, held and sold places per section', tags: ['holds'],
    request: { params: saleParams },
    responses: { 200: json(availabilitySchema, 'availability (may be half a second old)') },
  }), async (c) => {
    const params = c.req.valid('param');
    let entry = cached.get(params.sale);
    if (!entry || Date.now() - entry.at > AVAILABILITY_CACHE_MS) {
      entry = { at: Date.now(), value: inventory.availability(params.sale) };
      // a failed read must not stay cached
      entry.value.catch(() => cached.delete(params.sale));
      cached.set(params.sale, entry);
      if (cached.size > 1000) cached.delete(cached.keys().next().value!);
    }
    c.header('cache-control', 'public, max-age=1');
    return c.json(await entry.value, 200);
  });

  return router;
}
