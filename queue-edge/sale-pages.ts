/**
 * What the waiting-room page shows about its sale (admission/sale-page.ts: the event's name, date
 * and venue, whether there was a pre-queue, the branding), read from PostgreSQL at most once per
 * sale every CACHE_MS per edge process, however many fans load the page. Without PostgreSQL (an
 * edge run on Redis alone) the page still learns from the queue settings whether there was a
 * pre-queue, and names no event.
 */
import type { RedisClient } from '../common/redis-connection.js';
import type { PgPool } from '../common/postgres-pool.js';
import { queueKeys } from '../admission/queue-keys.js';
import { readSalePage, type Branding, type SalePage } from '../admission/sale-page.js';

const CACHE_MS = 30_000;
const MAX_CACHED = 1000;

export interface SalePageFacts {
  page: SalePage | null;
  hadPrequeue: boolean;
  branding: Branding;
}

export interface SalePages {
  about(saleId: string): Promise<SalePageFacts>;
}

export function salePages(redis: RedisClient, pg: PgPool | undefined): SalePages {
  const cache = new Map<string, { at: number; value: Promise<SalePageFacts> }>();

  async function read(saleId: string): Promise<SalePageFacts> {
    const page = pg ? await readSalePage(pg, saleId) : null;
    if (page) return { page, hadPrequeue: page.hadPrequeue, branding: page.branding };
    const [opens, prequeue] = await redis.hmget(queueKeys(saleId).settings, 'opens_at_ms', 'prequeue_opens_at_ms');
    return { page: null, hadPrequeue: Number(prequeue ?? 0) < Number(opens ?? 0), branding: {} };
  }

  return {
    about(saleId) {
      const hit = cache.get(saleId);
      if (hit && Date.now() - hit.at < CACHE_MS) return hit.value;
      const value = read(saleId);
      value.catch(() => cache.delete(saleId)); // a failed read is not kept
      cache.set(saleId, { at: Date.now(), value });
      if (cache.size > MAX_CACHED) cache.delete(cache.keys().next().value!);
      return value;
    },
  };
}
