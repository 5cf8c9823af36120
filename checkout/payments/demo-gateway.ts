/**
 * DEMO GATEWAY — takes no money. For keyless demo runs and the load test: PaymentIntents are
 * simulated in Redis (so the API and worker processes share them) with the same state machine as
 * Stripe's manual capture. Pages and logs say "demo payment" wherever it is used.
 */
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Result } from 'ioredis';
import { defineScripts } from '../../common/lua-script-loader.js';
import type { RedisClient } from '../../common/redis-connection.js';
import { GatewayError, type PaymentGateway, type PaymentIntentView } from './payment-gateway.js';
import { redisKeys } from '../../common/redis-keys.js';

export interface DemoGateway extends PaymentGateway {
  readonly name: 'demo';
  /** What the checkout page's "Pay (demo)" button does: the fan's card is "authorized". */
  simulateAuthorization(paymentIntentId: string): Promise<PaymentIntentView>;
}

const key = redisKeys.demoPayment;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    usherDemoTransition(key: string, fromJson: string, to: string): Result<string, Context>;
  }
}

/** lua/demoTransition-1.lua: check-then-write in one step, by EVALSHA (ioredis defineCommand) */
const demoLuaDir = fileURLToPath(new URL('./lua/', import.meta.url));

export function createDemoGateway(redis: RedisClient, ttlS = 14 * 86_400): DemoGateway {
  defineScripts(redis, demoLuaDir, { usherDemoTransition: 'demoTransition' });
  async function read(id: string): Promise<PaymentIntentView> {
    const raw = await redis.get(key(id));
    if (!raw) throw new GatewayError('resource_missing', `no demo payment ${id}`, false);
    return JSON.parse(raw) as PaymentIntentView;
  }
  async function transition(id: string, from: string[], to: string): Promise<PaymentIntentView> {
    try {
      const raw = await redis.usherDemoTransition(key(id), JSON.stringify(from), to);
      return JSON.parse(raw) as PaymentIntentView;
    } catch (err) {
      if (String(err).includes('NOT_FOUND')) throw new GatewayError('resource_missing', `no demo payment ${id}`, false);
      throw new GatewayError('demo_unavailable', String(err), true);
    }
  }
  return {
    name: 'demo',
    async authorize(req) {
      const id = `demo_pi_${createHash('sha256').update(req.idempotencyKey).digest('hex').slice(0, 24)}`;
      const view: PaymentIntentView = {
        id,
        status: 'requires_payment',
        amountMinor: req.amountMinor,
        currency: req.currency,
        clientSecret: `${id}_secret_demo`,
        metadata: { hold_id: req.holdId, sale_id: req.saleId, demo: 'true', ...(req.traceparent ? { traceparent: req.traceparent } : {}) },
        lastError: null,
      };
      // NX: the idempotency key names the intent; a repeat returns the first one unchanged.
      await redis.set(key(id), JSON.stringify(view), 'EX', ttlS, 'NX');
      return read(id);
    },
    retrieve: read,
    async capture(id) {
      const pi = await transition(id, ['authorized'], 'captured');
      if (pi.status !== 'captured') throw new GatewayError('payment_intent_unexpected_state', `demo payment is ${pi.status}`, false);
      return pi;
    },
    async cancel(id) {
      const pi = await transition(id, ['requires_payment', 'processing', 'authorized'], 'cancelled');
      if (pi.status !== 'cancelled') throw new GatewayError('payment_intent_unexpected_state', `demo payment is ${pi.status}`, false);
      return pi;
    },
    async refund(id, amountMinor, idempotencyKey) {
      const pi = await read(id);
      if (pi.status !== 'captured') throw new GatewayError('charge_not_captured', `demo payment is ${pi.status}`, false);
      if (amountMinor > pi.amountMinor) throw new GatewayError('amount_too_large', 'refund exceeds the payment', false);
      return { refundId: `demo_re_${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 24)}`, status: 'succeeded' };
    },
    simulateAuthorization(id) {
      return transition(id, ['requires_payment'], 'authorized');
    },
  };
}
