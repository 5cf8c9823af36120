import type { Config } from '../../common/config.js';
import type { Logger } from '../../common/logger.js';
import type { RedisClient } from '../../common/redis-connection.js';
import { createDemoGateway } from './demo-gateway.js';
import type { GatewayName, PaymentGateway } from './payment-gateway.js';
import { paypalClient } from './paypal-client.js';
import { createPaypalGateway } from './paypal-gateway.js';
import { createStripeGateway, stripeClient } from './stripe-gateway.js';

/**
 * Every gateway this deployment has (PAYMENT_GATEWAYS, the default first). A payment is always
 * driven by the gateway that holds it (`payments.gateway`), whatever the default is now.
 */
export interface PaymentGateways {
  readonly names: readonly GatewayName[];
  readonly default: PaymentGateway;
  /** The named gateway; a payment of a gateway this deployment no longer has is an error to retry later. */
  of(name: GatewayName): PaymentGateway;
  has(name: GatewayName): boolean;
}

export function gatewaySet(list: PaymentGateway[]): PaymentGateways {
  const byName = new Map(list.map((g) => [g.name, g]));
  const first = list[0];
  if (!first) throw new Error('no payment gateway configured');
  return {
    names: list.map((g) => g.name),
    default: first,
    of(name) {
      const g = byName.get(name);
      if (!g) throw new Error(`payment gateway ${name} is not configured here (PAYMENT_GATEWAYS)`);
      return g;
    },
    has: (name) => byName.has(name),
  };
}

function createOne(name: GatewayName, config: Config, redis: RedisClient, log?: Logger): PaymentGateway {
  if (name === 'stripe') return createStripeGateway(stripeClient(config.payments));
  if (name === 'paypal') return createPaypalGateway(paypalClient(config.payments.paypal), redis);
  log?.warn('demo gateway on: DEMO PAYMENTS, no money is taken; set PAYMENT_GATEWAY=stripe or paypal for real payments');
  return createDemoGateway(redis);
}

/** The gateways PAYMENT_GATEWAY and PAYMENT_GATEWAYS name. The demo one says so loudly: it takes no money. */
export function createPaymentGateways(config: Config, redis: RedisClient, log?: Logger): PaymentGateways {
  return gatewaySet(config.payments.gateways.map((name) => createOne(name, config, redis, log)));
}
