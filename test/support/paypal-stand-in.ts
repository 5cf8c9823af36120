/**
 * A local stand-in for the PayPal REST endpoints Usher uses, so tests run the real
 * @paypal/paypal-server-sdk (pointed here by PAYPAL_API_BASE_URL) against stateful orders:
 * OAuth client credentials, Orders v2 create / get / authorize (PayPal-Request-Id replayed like
 * PayPal does), authorization capture and void, capture refund, verify-webhook-signature, and the
 * buyer's approve link (`GET /checkoutnow?token=…`, which approves and redirects to the return URL).
 * It records every real transition so tests can assert "captured exactly once", and signs webhook
 * deliveries so only what it signed verifies.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

type OrderStatus = 'CREATED' | 'PAYER_ACTION_REQUIRED' | 'APPROVED' | 'COMPLETED' | 'VOIDED';
type AuthStatus = 'CREATED' | 'CAPTURED' | 'VOIDED' | 'EXPIRED' | 'DENIED';
interface Money { currency_code: string; value: string }

export interface StandInOrder {
  id: string;
  status: OrderStatus;
  amount: Money;
  referenceId: string;
  customId: string;
  returnUrl: string | null;
  cancelUrl: string | null;
  authorization: { id: string; status: AuthStatus } | null;
  capture: { id: string; status: 'COMPLETED' | 'REFUNDED' | 'PARTIALLY_REFUNDED' } | null;
  refunds: { id: string; amount: Money }[];
  /** the next authorize is declined (INSTRUMENT_DECLINED) */
  decline: boolean;
  /** the authorization lapses just as the capture arrives */
  lapseAtCapture: boolean;
}

export type PaypalAction = 'create' | 'authorize' | 'capture' | 'void' | 'refund';

export interface PaypalDelivery { body: string; headers: Record<string, string>; eventId: string }

export interface PaypalStandIn {
  port: number;
  url: string;
  /** Config for the PayPal gateway against this stand-in (add PAYMENT_GATEWAY(S) yourself). */
  env: Record<string, string>;
  webhookId: string;
  orders: Map<string, StandInOrder>;
  /** Transitions actually made (not replays): `${orderId}:${action}`. */
  log: string[];
  count(action: PaypalAction, orderId?: string): number;
  /** The buyer approves at PayPal (what following the approve link does, without the redirect). */
  approve(orderId: string, opts?: { decline?: boolean }): StandInOrder;
  /** PayPal lets the authorization lapse (29 days in real life); `atCapture`: just as the capture arrives. */
  expireAuthorization(orderId: string, opts?: { atCapture?: boolean }): void;
  /** A signed webhook delivery about the order's current state. */
  event(type: string, orderId: string): PaypalDelivery;
  /** Make the next n API calls (OAuth excluded) fail with a 500. */
  failNext(n: number): void;
  close(): Promise<void>;
}

export async function startPaypalStandIn(options: { clientId?: string; clientSecret?: string; webhookId?: string } = {}): Promise<PaypalStandIn> {
  const clientId = options.clientId ?? 'standin-client';
  const clientSecret = options.clientSecret ?? 'standin-secret';
  const webhookId = options.webhookId ?? 'WH-STANDIN-1';
  const signingKey = randomBytes(32);
  const tokens = new Set<string>();
  const orders = new Map<string, StandInOrder>();
  const byAuthorization = new Map<string, string>();
  const byCapture = new Map<string, string>();
  const replays = new Map<string, { status: number; body: string }>();
  const log: string[] = [];
  let seq = 0;
  let failures = 0;
  let base = '';
  const nextId = (prefix: string) => `${prefix}${Date.now().toString(36).toUpperCase()}${(++seq).toString(36).toUpperCase()}`.padEnd(17, 'X').slice(0, 17);

  const problem = (status: number, issue: string, name = status === 422 ? 'UNPROCESSABLE_ENTITY' : status === 404 ? 'RESOURCE_NOT_FOUND' : 'INVALID_REQUEST') =>
    ({ status, obj: { name, message: issue, debug_id: `dbg${++seq}`, details: [{ issue, description: issue }] } });

  function orderJson(o: StandInOrder): unknown {
    const links = [{ href: `${base}/v2/checkout/orders/${o.id}`, rel: 'self', method: 'GET' }];
    if (o.status === 'CREATED' || o.status === 'PAYER_ACTION_REQUIRED') {
      links.push({ href: `${base}/checkoutnow?token=${o.id}`, rel: o.status === 'CREATED' ? 'approve' : 'payer-action', method: 'GET' });
    }
    const payments = o.authorization ? {
      authorizations: [{ id: o.authorization.id, status: o.authorization.status, amount: o.amount, supplementary_data: { related_ids: { order_id: o.id } } }],
      ...(o.capture ? { captures: [{ id: o.capture.id, status: o.capture.status, amount: o.amount, final_capture: true }] } : {}),
      ...(o.refunds.length ? { refunds: o.refunds.map((r) => ({ id: r.id, status: 'COMPLETED', amount: r.amount })) } : {}),
    } : undefined;
    return {
      id: o.id, intent: 'AUTHORIZE', status: o.status,
      purchase_units: [{ reference_id: o.referenceId, custom_id: o.customId, amount: o.amount, ...(payments ? { payments } : {}) }],
      links,
    };
  }

  function handle(method: string, path: string, body: Record<string, unknown>): { status: number; obj: unknown } {
    if (method === 'POST' && path === '/v2/checkout/orders') {
      const unit = (body.purchase_units as Record<string, unknown>[] | undefined)?.[0] ?? {};
      const context = ((body.payment_source as Record<string, Record<string, Record<string, string>>> | undefined)?.paypal?.experience_context) ?? {};
      if (body.intent !== 'AUTHORIZE') return problem(422, 'UNSUPPORTED_INTENT');
      const o: StandInOrder = {
        id: nextId('O'), status: context.return_url ? 'PAYER_ACTION_REQUIRED' : 'CREATED', amount: unit.amount as Money,
        referenceId: String(unit.reference_id ?? ''), customId: String(unit.custom_id ?? ''),
        returnUrl: context.return_url ?? null, cancelUrl: context.cancel_url ?? null,
        authorization: null, capture: null, refunds: [], decline: false, lapseAtCapture: false,
      };
      orders.set(o.id, o);
      log.push(`${o.id}:create`);
      return { status: 201, obj: orderJson(o) };
    }
    let m = /^\/v2\/checkout\/orders\/([^/]+)(\/authorize)?$/.exec(path);
    if (m) {
      const o = orders.get(m[1]!);
      if (!o) return problem(404, 'INVALID_RESOURCE_ID', 'RESOURCE_NOT_FOUND');
      if (method === 'GET' && !m[2]) return { status: 200, obj: orderJson(o) };
      if (method === 'POST' && m[2]) {
        if (o.status === 'COMPLETED') return problem(422, 'ORDER_ALREADY_AUTHORIZED');
        if (o.status !== 'APPROVED') return problem(422, 'ORDER_NOT_APPROVED');
        if (o.decline) {
          o.decline = false;
          return problem(422, 'INSTRUMENT_DECLINED');
        }
        o.status = 'COMPLETED';
        o.authorization = { id: nextId('A'), status: 'CREATED' };
        byAuthorization.set(o.authorization.id, o.id);
        log.push(`${o.id}:authorize`);
        return { status: 201, obj: orderJson(o) };
      }
    }
    m = /^\/v2\/payments\/authorizations\/([^/]+)\/(capture|void)$/.exec(path);
    if (m && method === 'POST') {
      const o = orders.get(byAuthorization.get(m[1]!) ?? '');
      const auth = o?.authorization;
      if (!o || !auth) return problem(404, 'INVALID_RESOURCE_ID', 'RESOURCE_NOT_FOUND');
      if (m[2] === 'capture') {
        if (o.lapseAtCapture && auth.status === 'CREATED') auth.status = 'EXPIRED';
        if (auth.status === 'CAPTURED') return problem(422, 'AUTHORIZATION_ALREADY_CAPTURED');
        if (auth.status === 'VOIDED') return problem(422, 'AUTHORIZATION_VOIDED');
        if (auth.status === 'EXPIRED') return problem(422, 'AUTHORIZATION_EXPIRED');
        auth.status = 'CAPTURED';
        o.capture = { id: nextId('C'), status: 'COMPLETED' };
        byCapture.set(o.capture.id, o.id);
        log.push(`${o.id}:capture`);
        return { status: 201, obj: { id: o.capture.id, status: 'COMPLETED', amount: o.amount, final_capture: true, supplementary_data: { related_ids: { order_id: o.id, authorization_id: auth.id } } } };
      }
      if (auth.status === 'VOIDED') return problem(422, 'PREVIOUSLY_VOIDED');
      if (auth.status !== 'CREATED') return problem(422, 'CANNOT_BE_VOIDED');
      auth.status = 'VOIDED';
      log.push(`${o.id}:void`);
      return { status: 200, obj: { id: auth.id, status: 'VOIDED', amount: o.amount } };
    }
    m = /^\/v2\/payments\/captures\/([^/]+)\/refund$/.exec(path);
    if (m && method === 'POST') {
      const o = orders.get(byCapture.get(m[1]!) ?? '');
      if (!o?.capture) return problem(404, 'INVALID_RESOURCE_ID', 'RESOURCE_NOT_FOUND');
      const amount = (body.amount as Money | undefined) ?? o.amount;
      const refunded = o.refunds.reduce((s, r) => s + Number(r.amount.value), 0);
      if (refunded + Number(amount.value) > Number(o.amount.value) + 1e-9) return problem(422, 'REFUND_AMOUNT_EXCEEDED');
      const refund = { id: nextId('R'), amount };
      o.refunds.push(refund);
      o.capture.status = refunded + Number(amount.value) >= Number(o.amount.value) ? 'REFUNDED' : 'PARTIALLY_REFUNDED';
      log.push(`${o.id}:refund`);
      return { status: 201, obj: { id: refund.id, status: 'COMPLETED', amount } };
    }
    if (method === 'POST' && path === '/v1/notifications/verify-webhook-signature') {
      const ok = body.webhook_id === webhookId && typeof body.transmission_sig === 'string'
        && body.transmission_sig === sign(String(body.transmission_id), String(body.transmission_time), JSON.stringify(body.webhook_event));
      return { status: 200, obj: { verification_status: ok ? 'SUCCESS' : 'FAILURE' } };
    }
    return problem(404, 'NOT_FOUND', 'RESOURCE_NOT_FOUND');
  }

  function sign(transmissionId: string, time: string, eventJson: string): string {
    const digest = createHash('sha256').update(eventJson).digest('hex');
    return createHmac('sha256', signingKey).update(`${transmissionId}|${time}|${webhookId}|${digest}`).digest('base64');
  }

  const send = (res: ServerResponse, status: number, obj: unknown, extra: Record<string, string> = {}) => {
    const body = JSON.stringify(obj);
    res.writeHead(status, { 'content-type': 'application/json', 'paypal-debug-id': `dbg${++seq}`, ...extra }).end(body);
    return body;
  };

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const method = req.method ?? 'GET';
      const url = new URL(req.url ?? '/', 'http://stand-in');
      const raw = Buffer.concat(chunks).toString('utf8');
      if (method === 'POST' && url.pathname === '/v1/oauth2/token') {
        const expected = `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`;
        if (req.headers.authorization !== expected || new URLSearchParams(raw).get('grant_type') !== 'client_credentials') {
          return send(res, 401, { error: 'invalid_client', error_description: 'Client Authentication failed' });
        }
        const token = `A21.standin.${randomBytes(12).toString('hex')}`;
        tokens.add(token);
        return send(res, 200, { scope: 'https://uri.paypal.com/services/payments/payment', access_token: token, token_type: 'Bearer', app_id: 'APP-STANDIN', expires_in: 32400, nonce: 'n' });
      }
      if (method === 'GET' && url.pathname === '/checkoutnow') {
        // the buyer's browser: approve, then back to the merchant's return URL
        const o = orders.get(url.searchParams.get('token') ?? '');
        if (!o) return send(res, 404, { error: 'no such order' });
        if (o.status === 'CREATED' || o.status === 'PAYER_ACTION_REQUIRED') o.status = 'APPROVED';
        const back = o.returnUrl ? `${o.returnUrl}${o.returnUrl.includes('?') ? '&' : '?'}token=${o.id}&PayerID=STANDINPAYER` : null;
        if (!back) return send(res, 200, { approved: o.id });
        res.writeHead(302, { location: back }).end();
        return;
      }
      const bearer = (req.headers.authorization ?? '').replace(/^Bearer /, '');
      if (!tokens.has(bearer)) return send(res, 401, { name: 'AUTHENTICATION_FAILURE', message: 'Authentication failed due to invalid authentication credentials', details: [] });
      if (failures > 0) {
        failures--;
        return send(res, 500, { name: 'INTERNAL_SERVER_ERROR', message: 'stand-in outage', debug_id: 'x', details: [] });
      }
      const requestId = req.headers['paypal-request-id'];
      const replayKey = method === 'POST' && typeof requestId === 'string' ? `${url.pathname}|${requestId}` : undefined;
      const replay = replayKey ? replays.get(replayKey) : undefined;
      if (replay) {
        res.writeHead(replay.status, { 'content-type': 'application/json' }).end(replay.body);
        return;
      }
      let body: Record<string, unknown>;
      try {
        body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      } catch {
        return send(res, 400, { name: 'INVALID_REQUEST', message: 'malformed JSON', details: [{ issue: 'MALFORMED_REQUEST_JSON' }] });
      }
      const { status, obj } = handle(method, url.pathname, body);
      const sent = send(res, status, obj);
      // PayPal answers a repeated PayPal-Request-Id with the first answer (success or business error)
      if (replayKey && status < 500) replays.set(replayKey, { status, body: sent });
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
  let eventSeq = 0;

  return {
    port,
    url: base,
    webhookId,
    orders,
    log,
    env: { PAYPAL_CLIENT_ID: clientId, PAYPAL_CLIENT_SECRET: clientSecret, PAYPAL_WEBHOOK_ID: webhookId, PAYPAL_API_BASE_URL: base },
    count(action, orderId) {
      return log.filter((l) => l.endsWith(`:${action}`) && (orderId === undefined || l.startsWith(`${orderId}:`))).length;
    },
    approve(orderId, { decline = false } = {}) {
      const o = orders.get(orderId);
      if (!o) throw new Error(`no order ${orderId}`);
      if (o.status === 'CREATED' || o.status === 'PAYER_ACTION_REQUIRED') o.status = 'APPROVED';
      o.decline = decline;
      return o;
    },
    expireAuthorization(orderId, { atCapture = false } = {}) {
      const o = orders.get(orderId);
      if (!o) throw new Error(`no order ${orderId}`);
      if (atCapture) o.lapseAtCapture = true;
      else if (o.authorization?.status === 'CREATED') o.authorization.status = 'EXPIRED';
    },
    event(type, orderId) {
      const o = orders.get(orderId);
      if (!o) throw new Error(`no order ${orderId}`);
      const eventId = `WH-${Date.now().toString(36)}-${++eventSeq}`;
      const resource = type.startsWith('CHECKOUT.ORDER.')
        ? orderJson(o)
        : type.startsWith('PAYMENT.CAPTURE.REFUNDED')
          ? { id: o.refunds.at(-1)?.id ?? 'R-none', status: 'COMPLETED', amount: o.refunds.at(-1)?.amount ?? o.amount }
          : { id: (type.startsWith('PAYMENT.CAPTURE') ? o.capture?.id : o.authorization?.id) ?? 'none', status: o.authorization?.status ?? 'CREATED', amount: o.amount, supplementary_data: { related_ids: { order_id: o.id } } };
      const body = JSON.stringify({ id: eventId, event_version: '1.0', create_time: new Date().toISOString(), resource_type: 'checkout-order', event_type: type, summary: type, resource });
      const transmissionId = randomBytes(8).toString('hex');
      const time = new Date().toISOString();
      return {
        body, eventId,
        headers: {
          'paypal-transmission-id': transmissionId, 'paypal-transmission-time': time, 'paypal-transmission-sig': sign(transmissionId, time, JSON.stringify(JSON.parse(body))),
          'paypal-cert-url': `https://api.sandbox.paypal.com/v1/notifications/certs/CERT-STANDIN`, 'paypal-auth-algo': 'SHA256withRSA',
        },
      };
    },
    failNext(n) {
      failures = n;
    },
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
