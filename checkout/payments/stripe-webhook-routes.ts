/**
 * `POST /v1/webhooks/stripe`: the signature is verified on the raw body; each event id is handled
 * once (processed_stripe_events); the answer is 2xx only after the follow-up is durable (payment
 * row updated, commit job enqueued), so Stripe retries anything we could not finish.
 *
 * The event id is recorded AFTER handling: a crash in between means Stripe redelivers and the
 * handler runs again, which is safe because the commit job id is the hold id.
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import Stripe from 'stripe';
import { z } from 'zod';
import { counter } from '../../common/metrics.js';
import type { ApiEnv } from '../api/api-env.js';
import { CheckoutError } from '../checkout-errors.js';
import { apiRoute, apiRouter, jsonAnswer } from '../api/api-route.js';
import { needs } from '../api/openapi-document.js';
import type { CheckoutServices } from '../checkout-services.js';
import { handleStripeEvent, stripeEventEnvelope } from './stripe-event-handler.js';
import { SpanKind, contextFrom, linksToActive, withSpan } from '../../common/tracing.js';

const received = counter('usher_stripe_webhooks_total', 'Stripe webhook deliveries by outcome', ['outcome']);

export function stripeWebhookRoutes(deps: CheckoutServices): OpenAPIHono<ApiEnv> {
  const router = apiRouter<ApiEnv>();
  const secret = deps.ctx.config.payments.stripeWebhookSecret;
  // constructEvent is pure crypto; the key is never used to call Stripe from here
  const verifier = new Stripe(deps.ctx.config.payments.stripeSecretKey ?? 'sk_unused');

  router.openapi(apiRoute({
    method: 'post', path: '/v1/webhooks/stripe', summary: 'Stripe events (signed; the raw body is verified, so it is not validated as JSON first)', tags: ['webhooks'], security: needs('stripe_signature'),
    request: { headers: z.object({ 'stripe-signature': z.string().min(1).max(2048) }) },
    responses: { 200: jsonAnswer(z.object({ received: z.literal(true), duplicate: z.boolean(), outcome: z.string() }), 'handled, or a duplicate') },
  }), async (c) => {
    const headers = c.req.valid('header');
    if (!secret) throw new CheckoutError('wrong_gateway', 'Stripe webhooks are not configured (STRIPE_WEBHOOK_SECRET)');
    const raw = await c.req.text();
    let parsed: unknown;
    try {
      parsed = verifier.webhooks.constructEvent(raw, headers['stripe-signature'], secret);
    } catch {
      received.inc({ outcome: 'bad_signature' });
      throw new CheckoutError('webhook_signature', 'the Stripe-Signature does not match this body');
    }
    const event = stripeEventEnvelope.parse(parsed);
    const seen = await deps.ctx.pg.query('SELECT 1 FROM processed_stripe_events WHERE id = $1', [event.id]);
    if (seen.rowCount === 1) {
      received.inc({ outcome: 'duplicate' });
      return c.json({ received: true as const, duplicate: true, outcome: 'duplicate' }, 200);
    }
    // the fan's trace goes on from the intent's metadata (payment-gateway.ts AuthorizeRequest.traceparent),
    // linked to this delivery's own request span
    const metadata = (event.data.object as { metadata?: Record<string, unknown> }).metadata;
    const fanTrace = contextFrom(typeof metadata?.traceparent === 'string' ? metadata.traceparent : undefined);
    const outcome = await withSpan(`stripe.webhook ${event.type}`, {
      kind: SpanKind.CONSUMER, parent: fanTrace, links: fanTrace ? linksToActive() : [], attributes: { 'usher.stripe_event': event.id },
    }, () => handleStripeEvent(deps, event));
    await deps.ctx.pg.query('INSERT INTO processed_stripe_events (id, type) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING', [event.id, event.type]);
    received.inc({ outcome });
    deps.ctx.log.info({ eventId: event.id, type: event.type, outcome }, 'stripe event handled');
    return c.json({ received: true as const, duplicate: false, outcome }, 200);
  });
  return router;
}
