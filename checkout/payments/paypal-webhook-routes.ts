/**
 * `POST /v1/webhooks/paypal`: each delivery is verified by PayPal itself (verify-webhook-signature
 * against PAYPAL_WEBHOOK_ID) before anything is read from it; each event id is handled once
 * (processed_paypal_events), recorded only after the follow-up is durable, so PayPal redelivers
 * anything we could not finish and a redelivery after a crash is harmless (the commit job id is the hold id).
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import { counter } from '../../common/metrics.js';
import type { ApiEnv } from '../api/api-env.js';
import { CheckoutError } from '../checkout-errors.js';
import { apiRoute, apiRouter, jsonAnswer } from '../api/api-route.js';
import { needs } from '../api/openapi-document.js';
import type { CheckoutServices } from '../checkout-services.js';
import { handlePaypalEvent, paypalEventEnvelope } from './paypal-event-handler.js';
import type { PaypalGateway } from './paypal-gateway.js';

const received = counter('usher_paypal_webhooks_total', 'PayPal webhook deliveries by outcome', ['outcome']);

const header = z.string().min(1).max(2048);
const paypalHeaders = z.object({
  'paypal-transmission-id': header, 'paypal-transmission-time': header, 'paypal-transmission-sig': header,
  'paypal-cert-url': z.url().max(2048), 'paypal-auth-algo': header,
});

export function paypalWebhookRoutes(deps: CheckoutServices): OpenAPIHono<ApiEnv> {
  const router = apiRouter<ApiEnv>();
  const webhookId = deps.ctx.config.payments.paypal.webhookId;

  router.openapi(apiRoute({
    method: 'post', path: '/v1/webhooks/paypal', summary: 'PayPal events (verified with PayPal\'s verify-webhook-signature before use)', tags: ['webhooks'], security: needs('paypal_signature'),
    request: { headers: paypalHeaders },
    responses: { 200: jsonAnswer(z.object({ received: z.literal(true), duplicate: z.boolean(), outcome: z.string() }), 'handled, or a duplicate') },
  }), async (c) => {
    const headers = c.req.valid('header');
    if (!deps.gateways.has('paypal') || !webhookId) throw new CheckoutError('wrong_gateway', 'PayPal is not configured here (PAYMENT_GATEWAYS, PAYPAL_WEBHOOK_ID)');
    const raw = await c.req.text();
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      received.inc({ outcome: 'bad_signature' });
      throw new CheckoutError('webhook_signature', 'the body is not the JSON PayPal signed');
    }
    const gateway = deps.gateways.of('paypal') as PaypalGateway;
    if (!(await gateway.verifyWebhook(headers, body, webhookId))) {
      received.inc({ outcome: 'bad_signature' });
      throw new CheckoutError('webhook_signature', 'PayPal did not verify this delivery');
    }
    const event = paypalEventEnvelope.parse(body);
    const seen = await deps.ctx.pg.query('SELECT 1 FROM processed_paypal_events WHERE id = $1', [event.id]);
    if (seen.rowCount === 1) {
      received.inc({ outcome: 'duplicate' });
      return c.json({ received: true as const, duplicate: true, outcome: 'duplicate' }, 200);
    }
    const outcome = await handlePaypalEvent(deps, event);
    await deps.ctx.pg.query('INSERT INTO processed_paypal_events (id, type) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING', [event.id, event.event_type]);
    received.inc({ outcome });
    deps.ctx.log.info({ eventId: event.id, type: event.event_type, outcome }, 'paypal event handled');
    return c.json({ received: true as const, duplicate: false, outcome }, 200);
  });
  return router;
}
