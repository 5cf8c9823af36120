/**
 * What each Stripe event means for us. Order-independent: the event only says which intent to look
 * at; its current state is re-read from Stripe, so a late `amount_capturable_updated` after a
 * `canceled` (or any other order) leads to the same outcome.
 */
import { z } from 'zod';
import type { CheckoutServices } from '../checkout-services.js';
import { commitIfAuthorized, type TriggerOutcome } from '../worker/commit/commit-trigger.js';

export const handledEventTypes = [
  'payment_intent.amount_capturable_updated',
  'payment_intent.succeeded',
  'payment_intent.payment_failed',
  'payment_intent.canceled',
  'charge.refunded',
] as const;

export const stripeEventEnvelope = z.object({
  id: z.string().min(1),
  type: z.string().min(1),
  data: z.object({ object: z.object({ id: z.string(), payment_intent: z.string().nullish() }).loose() }),
});
export type StripeEventEnvelope = z.infer<typeof stripeEventEnvelope>;

export type EventOutcome = TriggerOutcome | 'ignored' | 'refund_recorded';

export async function handleStripeEvent(deps: CheckoutServices, event: StripeEventEnvelope): Promise<EventOutcome> {
  if (!(handledEventTypes as readonly string[]).includes(event.type)) return 'ignored';
  if (event.type === 'charge.refunded') {
    const pi = event.data.object.payment_intent;
    if (!pi) return 'ignored';
    // the refund row was written (pending) by the cancellation before it asked Stripe
    await deps.ctx.pg.query(
      `UPDATE refunds SET status = 'succeeded', updated_at = now() WHERE payment_intent_id = $1 AND status = 'pending'`,
      [pi],
    );
    return 'refund_recorded';
  }
  return commitIfAuthorized(deps, await deps.gateways.of('stripe').retrieve(event.data.object.id));
}
