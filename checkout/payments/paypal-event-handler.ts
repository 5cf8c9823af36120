/**
 * What each PayPal webhook event means for us. Order-independent like Stripe's: an event only
 * names the PayPal order; its current state is re-read through the gateway (which also completes
 * the authorization of an approved order), so any order or repetition of deliveries leads to the
 * same outcome.
 */
import { z } from 'zod';
import type { CheckoutServices } from '../checkout-services.js';
import { commitIfAuthorized } from '../worker/commit/commit-trigger.js';
import { GatewayError } from './payment-gateway.js';
import type { EventOutcome } from './stripe-event-handler.js';

export const handledPaypalEventTypes = [
  'CHECKOUT.ORDER.APPROVED',
  'CHECKOUT.ORDER.COMPLETED',
  'PAYMENT.AUTHORIZATION.CREATED',
  'PAYMENT.AUTHORIZATION.VOIDED',
  'PAYMENT.CAPTURE.COMPLETED',
  'PAYMENT.CAPTURE.DENIED',
  'PAYMENT.CAPTURE.REFUNDED',
] as const;

export const paypalEventEnvelope = z.object({
  id: z.string().min(1).max(255),
  event_type: z.string().min(1).max(255),
  resource: z.object({
    id: z.string().min(1).max(255),
    supplementary_data: z.object({ related_ids: z.object({ order_id: z.string().max(255).optional() }).loose() }).loose().optional(),
  }).loose(),
}).loose();
export type PaypalEventEnvelope = z.infer<typeof paypalEventEnvelope>;

/** The PayPal order an event is about: the resource itself for CHECKOUT.ORDER.*, else its related order. */
export function orderIdOf(event: PaypalEventEnvelope): string | undefined {
  if (event.event_type.startsWith('CHECKOUT.ORDER.')) return event.resource.id;
  return event.resource.supplementary_data?.related_ids.order_id;
}

export async function handlePaypalEvent(deps: CheckoutServices, event: PaypalEventEnvelope): Promise<EventOutcome> {
  if (!(handledPaypalEventTypes as readonly string[]).includes(event.event_type)) return 'ignored';
  if (event.event_type === 'PAYMENT.CAPTURE.REFUNDED') {
    // the refund row was written (pending) by the cancellation and names PayPal's refund id once sent
    await deps.ctx.pg.query(`UPDATE refunds SET status = 'succeeded', updated_at = now() WHERE provider_refund_id = $1 AND status = 'pending'`, [event.resource.id]);
    return 'refund_recorded';
  }
  const orderId = orderIdOf(event);
  if (!orderId) return 'ignored';
  try {
    return await commitIfAuthorized(deps, await deps.gateways.of('paypal').retrieve(orderId));
  } catch (err) {
    // an order PayPal does not know (another app's, or forged past verification): nothing to do
    if (err instanceof GatewayError && err.code === 'RESOURCE_NOT_FOUND') return 'ignored';
    throw err;
  }
}
