/**
 * The Stripe gateway: PaymentIntents with manual capture through the real SDK. `host`/`port`/
 * `protocol` come from config so tests and the load test talk to a local stand-in with the same SDK.
 */
import Stripe from 'stripe';
import type { Config } from '../../common/config.js';
import { GatewayError, type PaymentGateway, type PaymentIntentStatus, type PaymentIntentView } from './payment-gateway.js';

export function stripeClient(payments: Config['payments']): Stripe {
  if (!payments.stripeSecretKey) throw new Error('STRIPE_SECRET_KEY is required for the Stripe gateway');
  return new Stripe(payments.stripeSecretKey, {
    // The SDK retries network failures itself, reusing the idempotency key it generated or ours.
    maxNetworkRetries: 2,
    timeout: 20_000,
    telemetry: false,
    ...(payments.stripeApiHost ? { host: payments.stripeApiHost } : {}),
    ...(payments.stripeApiPort ? { port: payments.stripeApiPort } : {}),
    ...(payments.stripeApiProtocol ? { protocol: payments.stripeApiProtocol } : {}),
  });
}

const statusOf: Record<Stripe.PaymentIntent.Status, PaymentIntentStatus> = {
  requires_payment_method: 'requires_payment',
  requires_confirmation: 'requires_payment',
  requires_action: 'requires_payment',
  processing: 'processing',
  requires_capture: 'authorized',
  succeeded: 'captured',
  canceled: 'cancelled',
};

export function viewOf(pi: Stripe.PaymentIntent): PaymentIntentView {
  return {
    id: pi.id,
    status: statusOf[pi.status] ?? 'requires_payment',
    amountMinor: pi.amount,
    currency: pi.currency.toUpperCase(),
    clientSecret: pi.client_secret,
    metadata: { ...(pi.metadata ?? {}) },
    lastError: pi.last_payment_error?.message ?? null,
  };
}

/** Transient: the request may not have happened or may succeed if repeated with the same key. */
function translate(err: unknown): GatewayError {
  const e = err as { type?: string; code?: string; message?: string; statusCode?: number };
  const transient =
    e.type === 'StripeConnectionError' || e.type === 'StripeAPIError' || e.type === 'StripeRateLimitError' || (e.statusCode ?? 0) >= 500;
  return new GatewayError(e.code ?? e.type ?? 'stripe_error', e.message ?? 'Stripe request failed', transient);
}

export function createStripeGateway(stripe: Stripe): PaymentGateway {
  async function call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw translate(err);
    }
  }
  /** Capture/cancel of an intent already past that step answers its state instead of failing. */
  async function settle(id: string, fn: () => Promise<Stripe.PaymentIntent>, done: PaymentIntentStatus): Promise<PaymentIntentView> {
    try {
      return viewOf(await fn());
    } catch (err) {
      const translated = translate(err);
      if (translated.code === 'payment_intent_unexpected_state') {
        const now = viewOf(await call(() => stripe.paymentIntents.retrieve(id)));
        if (now.status === done) return now;
      }
      throw translated;
    }
  }
  return {
    name: 'stripe',
    async authorize(req) {
      const pi = await call(() =>
        stripe.paymentIntents.create(
          {
            amount: req.amountMinor,
            currency: req.currency.toLowerCase(),
            capture_method: 'manual',
            automatic_payment_methods: { enabled: true },
            receipt_email: req.email,
            description: req.description,
            metadata: { hold_id: req.holdId, sale_id: req.saleId, ...(req.traceparent ? { traceparent: req.traceparent } : {}) },
          },
          { idempotencyKey: req.idempotencyKey },
        ),
      );
      return viewOf(pi);
    },
    async retrieve(id) {
      return viewOf(await call(() => stripe.paymentIntents.retrieve(id)));
    },
    capture(id, idempotencyKey) {
      return settle(id, () => stripe.paymentIntents.capture(id, {}, { idempotencyKey }), 'captured');
    },
    cancel(id, idempotencyKey) {
      return settle(id, () => stripe.paymentIntents.cancel(id, {}, { idempotencyKey }), 'cancelled');
    },
    async refund(id, amountMinor, idempotencyKey) {
      const r = await call(() => stripe.refunds.create({ payment_intent: id, amount: amountMinor }, { idempotencyKey }));
      const status = r.status === 'succeeded' ? 'succeeded' : r.status === 'failed' || r.status === 'canceled' ? 'failed' : 'pending';
      return { refundId: r.id, status };
    },
  };
}
