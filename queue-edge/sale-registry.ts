/**
 * Which sales this edge may queue for. A sale is known when its settings hash exists in Redis
 * (written at publish by `initSaleSettings`); if it does not, the edge reads the sale row from
 * Postgres once and initialises the settings itself. Unknown ids are remembered briefly so a
 * flood of bogus ids does not become a flood of Postgres queries.
 */
import type { RedisClient } from '../common/redis-connection.js';
import type { PgPool } from '../common/postgres-pool.js';
import { queueKeys } from '../common/queue-keys.js';
import { initSaleSettings } from '../common/sale-controls.js';

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

interface SaleRow {
  prequeue_opens_at: Date;
  opens_at: Date;
  closes_at: Date;
  admission_rate_per_min: number;
  max_active_shoppers: number;
  pow_difficulty: number;
}

export function saleRegistry(redis: RedisClient, pg: PgPool | undefined): SaleRegistry {
  const known = new Map<string, SaleInfo>();
  const unknownUntil = new Map<string, number>();

  async function fromPostgres(saleId: string): Promise<SaleInfo | null> {
    if (!pg || !UUID.test(saleId)) return null;
    const { rows } = await pg.query<SaleRow>(
      `SELECT prequeue_opens_at, opens_at, closes_at, admission_rate_per_min, max_active_shoppers, pow_difficulty
         FROM sales WHERE id = $1 AND status <> 'draft'`,
      [saleId],
    );
    const row = rows[0];
    if (!row) return null;
    await initSaleSettings(redis, saleId, {
      ratePerMin: row.admission_rate_per_min,
      maxActive: row.max_active_shoppers,
      opensAtMs: row.opens_at.getTime(),
      closesAtMs: row.closes_at.getTime(),
      prequeueOpensAtMs: row.prequeue_opens_at.getTime(),
    });
    await redis.hsetnx(queueKeys(saleId).settings, 'pow_difficulty', String(row.pow_difficulty));
    return { powDifficulty: row.pow_difficulty };
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
