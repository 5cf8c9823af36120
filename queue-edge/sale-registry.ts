/**
 * Which sales this edge may queue for. A sale is known when its settings hash exists in Redis
 * (written at publish by `initSaleSettings`); if it does not, the edge reads the sale row from
 * Postgres once and initialises the settings itself. Unknown ids are remembered briefly so a
 * flood of bogus ids does not become a flood of Postgres queries.
 */
import type { RedisClient } from '../common/redis-connection.js';
import type { PgPool } from '../common/postgres-pool.js';
import { queueKeys } from '../admission/queue-keys.js';
import { initSaleSettingsFromPostgres } from '../admission/sale-controls.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const UNKNOWN_TTL_MS = 5000;

export interface SaleInfo {
  powDifficulty: number;
}

export interface SaleRegistry {
  /** The sale's join-time settings, or null for a sale that does not exist (or is a draft). */
  lookup(saleId: string): Promise<SaleInfo | null>;
  /** Keeps the cached difficulty current from each tick's answer. */
  update(saleId: string, info: SaleInfo): void;
}

export function saleRegistry(redis: RedisClient, pg: PgPool | undefined): SaleRegistry {
  const known = new Map<string, SaleInfo>();
  const unknownUntil = new Map<string, number>();

  async function fromPostgres(saleId: string): Promise<SaleInfo | null> {
    if (!pg || !UUID.test(saleId)) return null;
    const init = await initSaleSettingsFromPostgres(redis, pg, saleId, { publishedOnly: true });
    return init ? { powDifficulty: init.powDifficulty ?? 0 } : null;
  }

  return {
    async lookup(saleId) {
      const cached = known.get(saleId);
      if (cached) return cached;
      if ((unknownUntil.get(saleId) ?? 0) > Date.now()) return null;
      const [rate, pow] = await redis.hmget(queueKeys(saleId).settings, 'rate_per_min', 'pow_difficulty');
      const info = rate !== null ? { powDifficulty: Number(pow ?? 0) } : await fromPostgres(saleId);
      if (info) known.set(saleId, info);
      else unknownUntil.set(saleId, Date.now() + UNKNOWN_TTL_MS);
      return info;
    },
    update(saleId, info) {
      known.set(saleId, info);
    },
  };
}
