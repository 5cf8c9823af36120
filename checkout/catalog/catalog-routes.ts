/**
 * Public catalog routes: `GET /v1/events` (search, filters, keyset pages) and `GET /v1/events/:id`.
 * Reads go to the replica pool (`ctx.pgRead`) when one is configured.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import type { PgPool } from '../../common/postgres-pool.js';
import type { Availability } from '../../inventory/inventory-api.js';
import { histogram } from '../../common/metrics.js';
import { Problem } from '../../common/problem.js';
import { pathOf, queryOf } from '../accounts/http-input.js';
import { eventListQuerySchema } from './catalog-query.js';
import { searchEvents } from './catalog-search.js';
import { createEventDetailReader } from './catalog-detail.js';

const catalogSeconds = histogram('usher_catalog_request_duration_seconds', 'catalog request latency', ['route']);

export interface CatalogDeps {
  pgRead: PgPool;
  availability: (saleId: string) => Promise<Availability>;
  publicEdgeUrl: string;
  cacheTtlMs?: number;
}

export function createCatalogRouter(deps: CatalogDeps): Hono {
  const router = new Hono();
  const readDetail = createEventDetailReader({
    pgRead: deps.pgRead, availability: deps.availability, publicEdgeUrl: deps.publicEdgeUrl,
    ...(deps.cacheTtlMs ? { ttlMs: deps.cacheTtlMs } : {}),
  });

  router.get('/v1/events', async (c) => {
    const end = catalogSeconds.startTimer({ route: 'list' });
    const query = queryOf(c, eventListQuerySchema);
    const page = await searchEvents(deps.pgRead, query);
    end();
    return c.json(page, 200, { 'cache-control': 'public, max-age=5' });
  });

  router.get('/v1/events/:id', async (c) => {
    const end = catalogSeconds.startTimer({ route: 'detail' });
    const { id } = pathOf(c, z.object({ id: z.uuid() }));
    const event = await readDetail(id);
    end();
    if (!event) throw new Problem(404, 'event_not_found', `no event ${id}`);
    return c.json(event, 200, { 'cache-control': 'public, max-age=2' });
  });
  return router;
}
