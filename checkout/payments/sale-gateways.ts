/**
 * Which gateways a sale offers: the organiser's list (sales.payment_gateways) narrowed to what this
 * deployment has configured, in the organiser's order; a sale that names none offers every
 * configured gateway, the default first. Read through a short per-process cache: checkout is a hot
 * path and an organiser's change may take a few seconds to show.
 */
import type { PgPool } from '../../common/postgres-pool.js';
import { createTtlCache } from '../../common/ttl-cache.js';
import { CheckoutError } from '../checkout-errors.js';
import type { PaymentGateways } from './gateway-factory.js';
import type { GatewayName, PaymentGateway } from './payment-gateway.js';

export interface SaleGateways {
  offered(saleId: string): Promise<GatewayName[]>;
  /** The gateway a checkout uses: the one asked for if the sale offers it, else the sale's first. */
  choose(saleId: string, asked: GatewayName | undefined): Promise<PaymentGateway>;
  forget(saleId: string): void;
}

export function offeredGateways(configured: readonly GatewayName[], chosen: readonly GatewayName[] | null): GatewayName[] {
  return chosen === null ? [...configured] : chosen.filter((g) => configured.includes(g));
}

export function saleGateways(pg: PgPool, gateways: PaymentGateways, ttlMs = 5_000): SaleGateways {
  const cache = createTtlCache<string, GatewayName[] | null>({ ttlMs, max: 10_000 });
  const offered = async (saleId: string) => {
    const chosen = await cache.get(saleId, async () => {
      const { rows } = await pg.query<{ payment_gateways: GatewayName[] | null }>('SELECT payment_gateways FROM sales WHERE id = $1', [saleId]);
      return rows[0]?.payment_gateways ?? null;
    });
    return offeredGateways(gateways.names, chosen);
  };
  return {
    offered,
    async choose(saleId, asked) {
      const list = await offered(saleId);
      const name = asked ?? list[0];
      if (!name) throw new CheckoutError('gateway_not_offered', 'this sale offers no payment gateway this deployment has');
      if (!list.includes(name)) throw new CheckoutError('gateway_not_offered', `this sale does not take ${name}; it offers ${list.join(', ')}`);
      return gateways.of(name);
    },
    forget: (saleId) => cache.delete(saleId),
  };
}
