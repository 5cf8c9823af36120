/**
 * What checkout needs from a payment provider, and nothing more: authorize with manual capture,
 * re-read, capture, cancel, refund. Every mutating call takes an idempotency key derived from the
 * hold or order, so a retried job or request can never charge, cancel or refund twice.
 */

/** Every gateway Usher can take payments through (payments.gateway, sales.payment_gateways). */
export const gatewayNames = ['stripe', 'paypal', 'demo'] as const;
export type GatewayName = (typeof gatewayNames)[number];

/** The provider-neutral states of an authorization (Stripe's PaymentIntent statuses, narrowed). */
export type PaymentIntentStatus =
  | 'requires_payment' // created, fan has not paid yet (requires_payment_method / _confirmation / _action)
  | 'processing'
  | 'authorized' // requires_capture: money reserved, not taken
  | 'captured' // succeeded
  | 'cancelled';

export interface PaymentIntentView {
  id: string;
  status: PaymentIntentStatus;
  amountMinor: number;
  currency: string;
  /** Stripe's client secret: the browser confirms the payment with it. */
  clientSecret: string | null;
  /** hold_id and sale_id as written at creation. */
  metadata: Record<string, string>;
  /** The last payment error, if the fan's attempt failed. */
  lastError: string | null;
  /** Where the fan approves the payment at the provider (PayPal's approve link); null for in-page flows. */
  approveUrl?: string | null;
}

export interface AuthorizeRequest {
  holdId: string;
  saleId: string;
  amountMinor: number;
  currency: string;
  email: string;
  description: string;
  idempotencyKey: string;
  /**
   * The fan's trace (the pass's `tp` claim: the same for every checkout of the hold, so the
   * idempotent create is repeated with the same parameters), kept in the intent's metadata so the
   * webhook continues the trace.
   */
  traceparent?: string;
  /** Off-site approval (PayPal): where the provider sends the fan back after approving or cancelling. */
  returnUrl?: string;
  cancelUrl?: string;
}

export interface PaymentGateway {
  readonly name: GatewayName;
  authorize(req: AuthorizeRequest): Promise<PaymentIntentView>;
  /**
   * The payment's current state. A provider whose fan approves off-site (PayPal) completes an
   * approved payment's authorization here, idempotently: every path that looks (webhook, confirm,
   * reconciler, commit) then sees "authorized" the same way.
   */
  retrieve(paymentIntentId: string): Promise<PaymentIntentView>;
  /** Takes the authorized money. Capturing an already captured intent answers its current state. */
  capture(paymentIntentId: string, idempotencyKey: string): Promise<PaymentIntentView>;
  /** Releases an authorization. Cancelling a cancelled intent answers its current state. */
  cancel(paymentIntentId: string, idempotencyKey: string): Promise<PaymentIntentView>;
  refund(paymentIntentId: string, amountMinor: number, idempotencyKey: string): Promise<{ refundId: string; status: 'pending' | 'succeeded' | 'failed' }>;
}

/**
 * A provider error. `transient` ones (network, 5xx, rate limits) are retried by the caller; the
 * others are answers (card declined, intent in the wrong state) and must not be retried blindly.
 */
export class GatewayError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly transient: boolean,
  ) {
    super(message);
    this.name = 'GatewayError';
  }
}

/** Idempotency keys: one per (hold|order, operation), stable across retries and processes. */
export const paymentKeys = {
  authorize: (holdId: string) => `usher-hold-${holdId}-authorize`,
  capture: (holdId: string) => `usher-hold-${holdId}-capture`,
  cancel: (holdId: string) => `usher-hold-${holdId}-cancel`,
  refund: (orderId: string) => `usher-order-${orderId}-refund`,
  cancelForOrder: (orderId: string) => `usher-order-${orderId}-void`,
};
