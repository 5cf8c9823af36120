/**
 * A local stand-in for the Stripe API endpoints Usher uses, so tests and the load test run the real
 * stripe-node SDK (pointed here with host/port/protocol) against stateful PaymentIntents:
 * create (with Idempotency-Key replay), retrieve, confirm, capture, cancel, refunds. It records
 * every real state transition so tests can assert "captured exactly once", and builds webhook
 * events signed with `stripe.webhooks.generateTestHeaderString`, as Stripe would send them.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';

export interface StandInIntent {
  id: string;
  object: 'payment_intent';
  amount: number;
  amount_capturable: number;
  amount_received: number;
  currency: string;
  capture_method: string;
  status: Stripe.PaymentIntent.Status;
  client_secret: string;
  metadata: Record<string, string>;
  last_payment_error: { message: string; code: string } | null;
  latest_charge: string | null;
  created: number;
}

export interface StripeStandIn {
  port: number;
  /** Config overrides for PAYMENT_GATEWAY=stripe against this stand-in. */
  env: Record<string, string>;
  webhookSecret: string;
  intents: Map<string, StandInIntent>;
  /** Refunds made, by refund id: what was given back of which intent. */
  refunds: Map<string, { id: string; amount: number; payment_intent: string }>;
  /** Transitions actually made (not replays): `${id}:${action}`. */
  log: string[];
  count(action: 'create' | 'capture' | 'cancel' | 'refund', id?: string): number;
  /** The fan confirms with a card: requires_capture (or a decline). Emits nothing; see `event`. */
  authorize(id: string, outcome?: 'authorized' | 'declined'): StandInIntent;
  /** A webhook event about the intent's current state, signed like Stripe signs it. */
  event(type: string, id: string): { payload: string; signature: string; eventId: string };
  /** Make the next n API calls fail with a 500 (transient outage). */
  failNext(n: number): void;
  close(): Promise<void>;
}

function parseForm(body: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(body)) {
    const m = /^(\w+)\[(\w+)\]$/.exec(k);
    if (m) out[m[1]!] = { ...((out[m[1]!] as Record<string, string>) ?? {}), [m[2]!]: v };
    else out[k] = v;
  }
  return out;
}

export async function startStripeStandIn(options: { webhookSecret?: string; secretKey?: string } = {}): Promise<StripeStandIn> {
  const webhookSecret = options.webhookSecret ?? 'whsec_standin_secret';
  const secretKey = options.secretKey ?? 'sk_test_standin';
  const intents = new Map<string, StandInIntent>();
  const replays = new Map<string, { status: number; body: string }>();
  const refunds = new Map<string, { id: string; amount: number; payment_intent: string }>();
  const log: string[] = [];
  let seq = 0;
  let failures = 0;
  let eventSeq = 0;
  const signer = new Stripe(secretKey);

  const fail = (res: ServerResponse, status: number, code: string, message: string) => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { type: status >= 500 ? 'api_error' : 'invalid_request_error', code, message } }));
  };
  const send = (res: ServerResponse, status: number, obj: unknown) => {
    const body = JSON.stringify(obj);
    res.writeHead(status, { 'content-type': 'application/json', 'request-id': `req_${++seq}` }).end(body);
    return body;
  };

  function handle(method: string, path: string, form: Record<string, unknown>): { status: number; obj: unknown } {
    const m = /^\/v1\/payment_intents(?:\/([^/]+))?(?:\/(capture|cancel|confirm))?$/.exec(path);
    if (path === '/v1/refunds' && method === 'POST') {
      const pi = intents.get(String(form.payment_intent));
      if (!pi) return { status: 404, obj: { code: 'resource_missing' } };
      if (pi.status !== 'succeeded') return { status: 400, obj: { code: 'charge_not_captured' } };
      const amount = form.amount === undefined ? pi.amount_received : Number(form.amount);
      const already = [...refunds.values()].filter((r) => r.payment_intent === pi.id).reduce((s, r) => s + r.amount, 0);
      if (already + amount > pi.amount_received) return { status: 400, obj: { code: 'charge_already_refunded' } };
      const refund = { id: `re_${++seq}`, object: 'refund', amount, payment_intent: pi.id, status: 'succeeded', currency: pi.currency };
      refunds.set(refund.id, refund);
      log.push(`${pi.id}:refund`);
      return { status: 200, obj: refund };
    }
    if (!m) return { status: 404, obj: { code: 'resource_missing' } };
    const [, id, action] = m;
    if (!id && method === 'POST') {
      const pid = `pi_${Date.now().toString(36)}${(++seq).toString(36)}`;
      const pi: StandInIntent = {
        id: pid, object: 'payment_intent', amount: Number(form.amount), amount_capturable: 0, amount_received: 0,
        currency: String(form.currency), capture_method: String(form.capture_method ?? 'automatic'),
        status: 'requires_payment_method', client_secret: `${pid}_secret_${seq}`,
        metadata: (form.metadata as Record<string, string>) ?? {}, last_payment_error: null, latest_charge: null, created: Math.floor(Date.now() / 1000),
      };
      intents.set(pid, pi);
      log.push(`${pid}:create`);
      return { status: 200, obj: pi };
    }
    const pi = id ? intents.get(id) : undefined;
    if (!pi) return { status: 404, obj: { code: 'resource_missing' } };
    if (method === 'GET' && !action) return { status: 200, obj: pi };
    const unexpected = { status: 400, obj: { code: 'payment_intent_unexpected_state', message: `This PaymentIntent's status is ${pi.status}` } };
    if (action === 'capture') {
      if (pi.status !== 'requires_capture') return unexpected;
      Object.assign(pi, { status: 'succeeded', amount_received: pi.amount_capturable, amount_capturable: 0 });
      log.push(`${pi.id}:capture`);
      return { status: 200, obj: pi };
    }
    if (action === 'cancel') {
      if (pi.status === 'succeeded' || pi.status === 'canceled') return unexpected;
      Object.assign(pi, { status: 'canceled', amount_capturable: 0 });
      log.push(`${pi.id}:cancel`);
      return { status: 200, obj: pi };
    }
    if (action === 'confirm') {
      if (!pi.status.startsWith('requires_') || pi.status === 'requires_capture') return unexpected;
      Object.assign(pi, { status: 'requires_capture', amount_capturable: pi.amount, latest_charge: `ch_${++seq}` });
      return { status: 200, obj: pi };
    }
    return { status: 404, obj: { code: 'resource_missing' } };
  }

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.headers.authorization !== `Bearer ${secretKey}`) return fail(res, 401, 'api_key_invalid', 'Invalid API Key provided');
      if (failures > 0) {
        failures--;
        return fail(res, 500, 'api_error', 'stand-in outage');
      }
      const method = req.method ?? 'GET';
      const path = (req.url ?? '/').split('?')[0]!;
      const idem = req.headers['idempotency-key'];
      const replayKey = method === 'POST' && typeof idem === 'string' ? `${path}|${idem}` : undefined;
      const replay = replayKey ? replays.get(replayKey) : undefined;
      if (replay) {
        res.writeHead(replay.status, { 'content-type': 'application/json', 'idempotent-replayed': 'true' }).end(replay.body);
        return;
      }
      const { status, obj } = handle(method, path, parseForm(Buffer.concat(chunks).toString('utf8')));
      const body = status === 200 ? send(res, 200, obj) : (fail(res, status, (obj as { code: string }).code, (obj as { message?: string }).message ?? 'error'), JSON.stringify({ error: obj }));
      // Stripe stores the first answer of a key (success or 4xx) and replays it
      if (replayKey && status < 500) replays.set(replayKey, { status, body });
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;

  return {
    port,
    webhookSecret,
    intents,
    refunds,
    log,
    env: {
      PAYMENT_GATEWAY: 'stripe', STRIPE_SECRET_KEY: secretKey, STRIPE_WEBHOOK_SECRET: webhookSecret,
      STRIPE_API_HOST: '127.0.0.1', STRIPE_API_PORT: String(port), STRIPE_API_PROTOCOL: 'http',
    },
    count(action, id) {
      return log.filter((l) => l.endsWith(`:${action}`) && (id === undefined || l.startsWith(`${id}:`))).length;
    },
    authorize(id, outcome = 'authorized') {
      const pi = intents.get(id);
      if (!pi) throw new Error(`no intent ${id}`);
      if (outcome === 'declined') Object.assign(pi, { status: 'requires_payment_method', last_payment_error: { message: 'Your card was declined.', code: 'card_declined' } });
      else Object.assign(pi, { status: 'requires_capture', amount_capturable: pi.amount, latest_charge: `ch_${++seq}`, last_payment_error: null });
      return pi;
    },
    event(type, id) {
      const pi = intents.get(id);
      if (!pi) throw new Error(`no intent ${id}`);
      const eventId = `evt_${Date.now().toString(36)}_${++eventSeq}`;
      const object = type.startsWith('charge.') ? { id: pi.latest_charge ?? `ch_${id}`, object: 'charge', payment_intent: id, amount_refunded: pi.amount_received } : { ...pi };
      const payload = JSON.stringify({ id: eventId, object: 'event', type, api_version: '2025-01-01', created: Math.floor(Date.now() / 1000), livemode: false, data: { object }, pending_webhooks: 1, request: null });
      return { payload, signature: signer.webhooks.generateTestHeaderString({ payload, secret: webhookSecret }), eventId };
    },
    failNext(n) {
      failures = n;
    },
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
