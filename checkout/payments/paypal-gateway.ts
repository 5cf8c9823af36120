/**
 * The PayPal gateway: Orders v2 with intent AUTHORIZE through the official SDK, mapped onto the
 * provider-neutral manual-capture machine of payment-gateway.ts:
 *   create order (PayPal-Request-Id from the hold: one order per hold) → the fan approves at PayPal
 *   → authorize the approved order (PayPal-Request-Id from the order: one authorization per order)
 *   → capture the authorization after the commit, or void it.
 * The "payment intent id" Usher stores is the PayPal order id. PayPal cannot cancel an order that
 * is not authorized yet, so a cancel leaves a mark in Redis first: an order marked cancelled is
 * never authorized afterwards, and an authorization that raced the mark is voided by whichever
 * side sees both (see `cancel`).
 */
import {
  ApiError, CheckoutPaymentIntent, PaypalExperienceUserAction, PaypalWalletContextShippingPreference, OrdersController, PaymentsController, type Client, type LinkDescription, type PurchaseUnit,
} from '@paypal/paypal-server-sdk';
import { z } from 'zod';
import { minorUnitDigits } from '../../common/money.js';
import type { RedisClient } from '../../common/redis-connection.js';
import { redisKeys } from '../../common/redis-keys.js';
import { GatewayError, type PaymentGateway, type PaymentIntentStatus, type PaymentIntentView } from './payment-gateway.js';

/** The parts of an order (or of an authorize answer) we read. */
interface OrderLike {
  id?: string | undefined;
  status?: string | undefined;
  purchaseUnits?: PurchaseUnit[] | undefined;
  links?: LinkDescription[] | undefined;
}

/** 24000 EUR → "240.00"; 500 JPY → "500": integer arithmetic, the currency's own decimals. */
export function toPaypalValue(minor: number, currency: string): string {
  const digits = minorUnitDigits(currency);
  if (digits === 0) return String(minor);
  const s = String(minor).padStart(digits + 1, '0');
  return `${s.slice(0, -digits)}.${s.slice(-digits)}`;
}

export function fromPaypalValue(value: string, currency: string): number {
  const digits = minorUnitDigits(currency);
  const [whole = '0', frac = ''] = value.split('.');
  return Number(whole) * 10 ** digits + Number(frac.padEnd(digits, '0').slice(0, digits) || '0');
}

function authorizationStatus(status: string | undefined): PaymentIntentStatus {
  switch (status) {
    case 'CREATED': return 'authorized';
    case 'PENDING': return 'processing';
    case 'CAPTURED': case 'PARTIALLY_CAPTURED': return 'captured';
    default: return 'cancelled'; // VOIDED, DENIED, EXPIRED
  }
}

export function viewOfOrder(order: OrderLike, lastError: string | null = null): PaymentIntentView {
  const unit = order.purchaseUnits?.[0];
  const auth = unit?.payments?.authorizations?.[0];
  let status: PaymentIntentStatus = 'requires_payment';
  if (order.status === 'VOIDED') status = 'cancelled';
  else if (order.status === 'COMPLETED') status = auth ? authorizationStatus(auth.status) : 'processing';
  const currency = unit?.amount?.currencyCode ?? 'XXX';
  const approve = order.links?.find((l) => l.rel === 'approve' || l.rel === 'payer-action');
  return {
    id: order.id ?? '',
    status,
    amountMinor: unit?.amount ? fromPaypalValue(unit.amount.value, currency) : 0,
    currency,
    clientSecret: null,
    metadata: { ...(unit?.referenceId ? { hold_id: unit.referenceId } : {}), ...(unit?.customId ? { sale_id: unit.customId } : {}) },
    lastError,
    approveUrl: status === 'requires_payment' ? (approve?.href ?? null) : null,
  };
}

/** PayPal's reason: the first detail's issue (INSTRUMENT_DECLINED, AUTHORIZATION_VOIDED…) or the error name. */
function issueOf(err: unknown): string | undefined {
  if (!(err instanceof ApiError)) return undefined;
  const result = err.result as { name?: string; details?: { issue?: string }[] } | undefined;
  if (result?.details?.[0]?.issue) return result.details[0].issue;
  if (result?.name) return result.name;
  try {
    const parsed = JSON.parse(typeof err.body === 'string' ? err.body : '{}') as { name?: string; details?: { issue?: string }[]; error?: string };
    return parsed.details?.[0]?.issue ?? parsed.name ?? parsed.error;
  } catch {
    return undefined;
  }
}

/** Transient: network, timeouts, 5xx, 429, and 409 (a previous call with this request id is in progress). */
export function translatePaypalError(err: unknown): GatewayError {
  if (err instanceof GatewayError) return err;
  if (err instanceof ApiError) {
    const transient = err.statusCode >= 500 || err.statusCode === 429 || err.statusCode === 409 || err.statusCode === 408;
    return new GatewayError(issueOf(err) ?? `paypal_${err.statusCode}`, `PayPal answered ${err.statusCode}`, transient);
  }
  return new GatewayError('paypal_unreachable', (err as Error)?.message ?? 'PayPal request failed', true);
}

const requestId = {
  authorizeOrder: (orderId: string) => `usher-paypal-order-${orderId}-authorize`,
  voidRace: (orderId: string) => `usher-paypal-order-${orderId}-void`,
};

/** The transmission headers PayPal signs a webhook delivery with. */
export interface PaypalWebhookHeaders {
  'paypal-transmission-id': string;
  'paypal-transmission-time': string;
  'paypal-transmission-sig': string;
  'paypal-cert-url': string;
  'paypal-auth-algo': string;
}

export interface PaypalGateway extends PaymentGateway {
  readonly name: 'paypal';
  /**
   * PayPal's own check of a delivery (POST /v1/notifications/verify-webhook-signature, sent
   * through the SDK's authenticated transport): true only for SUCCESS.
   */
  verifyWebhook(headers: PaypalWebhookHeaders, event: unknown, webhookId: string): Promise<boolean>;
}

const verifyAnswer = z.object({ verification_status: z.string() });

export function createPaypalGateway(client: Client, redis: RedisClient, markTtlS = 60 * 86_400): PaypalGateway {
  const orders = new OrdersController(client);
  const payments = new PaymentsController(client);
  const cancelledMark = redisKeys.paypalCancelled;

  async function call<T>(fn: () => Promise<{ result: T }>): Promise<T> {
    try {
      return (await fn()).result;
    } catch (err) {
      throw translatePaypalError(err);
    }
  }
  const getOrder = (id: string) => call(() => orders.getOrder({ id }));
  const isMarkedCancelled = async (id: string) => (await redis.exists(cancelledMark(id))) === 1;

  /** Voids the order's live authorization, if any; a void already done answers the same. */
  async function voidAuthorization(order: OrderLike, key: string): Promise<OrderLike> {
    const auth = order.purchaseUnits?.[0]?.payments?.authorizations?.[0];
    if (!auth?.id || (auth.status !== 'CREATED' && auth.status !== 'PENDING')) return order;
    try {
      await payments.voidPayment({ authorizationId: auth.id, paypalRequestId: key, prefer: 'return=minimal' });
    } catch (err) {
      const e = translatePaypalError(err);
      if (e.code !== 'AUTHORIZATION_ALREADY_VOIDED' && e.code !== 'PREVIOUSLY_VOIDED') throw e;
    }
    return getOrder(order.id ?? '');
  }

  /** An approved order is authorized here, once (its request id); a declined one says why. */
  async function settleApproval(order: OrderLike): Promise<PaymentIntentView> {
    const id = order.id ?? '';
    if (order.status !== 'APPROVED') return viewOfOrder(order);
    if (await isMarkedCancelled(id)) return { ...viewOfOrder(order), status: 'cancelled', approveUrl: null };
    let authorized: OrderLike;
    try {
      authorized = await call(() => orders.authorizeOrder({ id, paypalRequestId: requestId.authorizeOrder(id), prefer: 'return=representation' }));
    } catch (err) {
      const e = err as GatewayError;
      if (e.code === 'ORDER_ALREADY_AUTHORIZED') authorized = await getOrder(id);
      else if (!e.transient) return viewOfOrder(order, e.code); // INSTRUMENT_DECLINED and kin: the fan may try again
      else throw e;
    }
    // a cancel that marked the order while we authorized: void what we just made
    if (await isMarkedCancelled(id)) authorized = await voidAuthorization(authorized, requestId.voidRace(id));
    return viewOfOrder(authorized);
  }

  return {
    name: 'paypal',
    async verifyWebhook(headers, event, webhookId) {
      const req = client.getRequestBuilderFactory()('POST', '/v1/notifications/verify-webhook-signature');
      req.header('Content-Type', 'application/json');
      req.json({
        auth_algo: headers['paypal-auth-algo'], cert_url: headers['paypal-cert-url'], transmission_id: headers['paypal-transmission-id'],
        transmission_sig: headers['paypal-transmission-sig'], transmission_time: headers['paypal-transmission-time'], webhook_id: webhookId, webhook_event: event,
      });
      req.authenticate([{ oauth2: true }]);
      const answer = await call(() => req.callAsText());
      const parsed = verifyAnswer.safeParse(JSON.parse(answer));
      return parsed.success && parsed.data.verification_status === 'SUCCESS';
    },
    async authorize(req) {
      const order = await call(() => orders.createOrder({
        paypalRequestId: req.idempotencyKey,
        prefer: 'return=representation',
        body: {
          intent: CheckoutPaymentIntent.Authorize,
          ...(req.returnUrl ? { paymentSource: { paypal: { experienceContext: { returnUrl: req.returnUrl, cancelUrl: req.cancelUrl ?? req.returnUrl, userAction: PaypalExperienceUserAction.Continue, shippingPreference: PaypalWalletContextShippingPreference.NoShipping } } } } : {}),
          purchaseUnits: [{
            referenceId: req.holdId,
            customId: req.saleId,
            description: req.description.slice(0, 127),
            amount: { currencyCode: req.currency.toUpperCase(), value: toPaypalValue(req.amountMinor, req.currency) },
          }],
        },
      }));
      return viewOfOrder(order);
    },
    async retrieve(id) {
      return settleApproval(await getOrder(id));
    },
    async capture(id, idempotencyKey) {
      const view = await settleApproval(await getOrder(id));
      if (view.status === 'captured') return view;
      if (view.status !== 'authorized') throw new GatewayError('payment_intent_unexpected_state', `PayPal order is ${view.status}`, false);
      const order = await getOrder(id);
      const auth = order.purchaseUnits?.[0]?.payments?.authorizations?.[0];
      try {
        await call(() => payments.captureAuthorizedPayment({ authorizationId: auth?.id ?? '', paypalRequestId: idempotencyKey, prefer: 'return=minimal', body: { finalCapture: true } }));
      } catch (err) {
        if ((err as GatewayError).code !== 'AUTHORIZATION_ALREADY_CAPTURED') throw err;
      }
      const after = viewOfOrder(await getOrder(id));
      if (after.status !== 'captured') throw new GatewayError('payment_intent_unexpected_state', `PayPal authorization is ${after.status} after capture`, false);
      return after;
    },
    async cancel(id, idempotencyKey) {
      // the mark first: from here on no path authorizes this order (settleApproval checks it before and after)
      await redis.set(cancelledMark(id), '1', 'EX', markTtlS);
      const order = await getOrder(id);
      if (order.status === 'COMPLETED') {
        const view = viewOfOrder(await voidAuthorization(order, idempotencyKey));
        if (view.status === 'captured') throw new GatewayError('payment_intent_unexpected_state', 'PayPal payment is already captured', false);
        return view;
      }
      // never authorized: nothing is reserved, and the mark keeps it that way
      return { ...viewOfOrder(order), status: 'cancelled', approveUrl: null };
    },
    async refund(id, amountMinor, idempotencyKey) {
      const order = await getOrder(id);
      const unit = order.purchaseUnits?.[0];
      const capture = unit?.payments?.captures?.[0];
      if (!capture?.id) throw new GatewayError('charge_not_captured', 'the PayPal payment was not captured', false);
      const currency = unit?.amount?.currencyCode ?? capture.amount?.currencyCode ?? 'EUR';
      const r = await call(() => payments.refundCapturedPayment({
        captureId: capture.id ?? '', paypalRequestId: idempotencyKey, prefer: 'return=representation',
        body: { amount: { currencyCode: currency, value: toPaypalValue(amountMinor, currency) } },
      }));
      const status = r.status === 'COMPLETED' ? 'succeeded' : r.status === 'FAILED' || r.status === 'CANCELLED' ? 'failed' : 'pending';
      return { refundId: r.id ?? idempotencyKey, status };
    },
  };
}
