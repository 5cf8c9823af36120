/**
 * Checkout's own domain errors. Code throws these with a precise reason; `domain-problems.ts`, and
 * only it, turns them into HTTP statuses.
 */
export type CheckoutErrorCode =
  | 'hold_not_found'
  | 'hold_not_yours'
  | 'hold_not_payable' // not HELD any more (claimed, sold, released)
  | 'hold_expired'
  | 'payment_not_started' // checkout not called yet
  | 'payment_not_authorized' // the fan has not completed payment
  | 'payment_failed'
  | 'payment_cancelled'
  | 'wrong_gateway' // demo-only endpoint on a Stripe deployment, a PayPal-only one on another
  | 'gateway_not_offered' // the sale does not take the gateway asked for
  | 'gateway_in_use' // the hold's payment was started with another gateway
  | 'order_not_found'
  | 'order_forbidden'
  | 'order_not_cancellable' // committed but not yet confirmed: try again shortly
  | 'order_already_cancelled'
  | 'refund_cutoff_passed' // cancelling now refunds less than was paid: the fan must say they accept that
  | 'idempotency_key_reused'
  | 'idempotency_in_progress'
  | 'webhook_signature'
  | 'dependency_down'
  | 'promo_code_invalid' // one answer for unknown, expired, used up, not for this event or buyer: no enumeration
  | 'points_need_account' // points are spent from an account: check out logged in
  | 'points_insufficient'
  | 'checkout_priced' // the hold was priced (code, points) by an earlier checkout; it cannot change
  | 'promo_code_taken'
  | 'zero_total'; // the code and points leave nothing to pay: no gateway takes a zero payment

export class CheckoutError extends Error {
  constructor(
    readonly code: CheckoutErrorCode,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'CheckoutError';
  }
}
