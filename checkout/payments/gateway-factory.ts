import type { Config } from '../../common/config.js';
import type { Logger } from '../../common/logger.js';
import type { RedisClient } from '../../common/redis-connection.js';
import { createDemoGateway } from './demo-gateway.js';
import type { PaymentGateway } from './payment-gateway.js';
import { createStripeGateway, stripeClient } from './stripe-gateway.js';

/** The gateway PAYMENT_GATEWAY names. The demo one says so loudly: it takes no money. */
export function createPaymentGateway(config: Config, redis: RedisClient, log?: Logger): PaymentGateway {
  if (config.payments.gateway === 'stripe') return createStripeGateway(stripeClient(config.payments));
  log?.warn('PAYMENT_GATEWAY=demo: DEMO PAYMENTS, no money is taken; set PAYMENT_GATEWAY=stripe for real payments');
  return createDemoGateway(redis);
}
