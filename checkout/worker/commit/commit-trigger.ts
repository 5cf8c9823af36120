/**
 * The one way a payment becomes a commit job, shared by the webhook, the client's confirm call,
 * the demo pay button and the reconciler: re-read the intent (never trust the message), record
 * what it says, and enqueue the commit only when the money is actually authorized.
 */
import type { CheckoutServices } from '../../checkout-services.js';
import type { PaymentIntentView } from '../../payments/payment-gateway.js';
import { advancePayment } from '../../payments/payment-records.js';

export type TriggerOutcome = 'enqueued' | 'not_authorized' | 'cancelled' | 'failed' | 'unknown_hold';

export async function commitIfAuthorized(deps: CheckoutServices, pi: PaymentIntentView): Promise<TriggerOutcome> {
  const holdId = pi.metadata.hold_id;
  if (!holdId) return 'unknown_hold';
  switch (pi.status) {
    case 'authorized':
    case 'captured':
      await advancePayment(deps.ctx.pg, pi.id, 'authorized');
      // enqueue after the row says authorized: the reconciler re-enqueues if we die in between
      await deps.commits.enqueue(holdId);
      return 'enqueued';
    case 'cancelled':
      await advancePayment(deps.ctx.pg, pi.id, 'cancelled', 'payment_cancelled');
      return 'cancelled';
    case 'requires_payment':
      if (pi.lastError) {
        await advancePayment(deps.ctx.pg, pi.id, 'failed', pi.lastError);
        return 'failed';
      }
      return 'not_authorized';
    default:
      return 'not_authorized';
  }
}
