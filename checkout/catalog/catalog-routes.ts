/**
 * Public catalog routes: `GET /v1/events` (search, filters, keyset pages), `GET /v1/events/:id`,
 * and `GET /v1/sales/:sale/page` (what the checkout and order pages show about their sale).
 * Reads go to the replica pool (`ctx.pgRead`) when one is configured.
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { PgPool } from '../../common/postgres-pool.js';
import type { Availability } from '../../inventory/inventory-api.js';
import { histogram } from '../../common/metrics.js';
import { Problem } from '../../common/problem.js';
import { apiRoute, apiRouter, jsonAnswer } from '../api/api-route.js';
import { eventListQuerySchema } from './catalog-query.js';
import { searchEvents } from './catalog-search.js';
import { createEventDetailReader } from './catalog-detail.js';
import { eventDetailSchema, eventIdParams, eventPageSchema } from './catalog-schemas.js';
import { readSalePage, salePageSchema, type SalePage } from '../../admission/sale-page.js';
import { saleParams } from '../holds/hold-schemas.js';

const SALE_PAGE_CACHE_MS = 5000;

const catalogSeconds = histogram('usher_catalog_request_duration_seconds', 'catalog request latency', ['route']);

export interface CatalogDeps {
  pgRead: PgPool;
  availability: (saleId: string) => Promise<Availability>;
  publicEdgeUrl: string;
  cacheTtlMs?: number;
}

export function createCatalogRouter(deps: CatalogDeps): OpenAPIHono {
  const router = apiRouter();
  const readDetail = createEventDetailReader({
    pgRead: deps.pgRead, availability: deps.availability, publicEdgeUrl: deps.publicEdgeUrl,
    ...(deps.cacheTtlMs ? { ttlMs: deps.cacheTtlMs } : {}),
  });

  router.openapi(apiRoute({
    method: 'get', path: '/v1/events', summary: 'Search published events: text, city, category, dates, price, seats left; keyset pages', tags: ['catalog'],
    request: { query: eventListQuerySchema },
    responses: { 200: jsonAnswer(eventPageSchema, 'one page of events (cached 5 s)') },
  }), async (c) => {
    const end = catalogSeconds.startTimer({ route: 'list' });
    const page = await searchEvents(deps.pgRead, c.req.valid('query'));
    end();
    return c.json(page, 200, { 'cache-control': 'public, max-age=5' });
  });

  router.openapi(apiRoute({
    method: 'get', path: '/v1/events/{id}', summary: 'One event: venue, sections, price tiers, its sales with live availability', tags: ['catalog'],
    request: { params: eventIdParams },
    responses: { 200: jsonAnswer(eventDetailSchema, 'the event (cached 2 s)'), 404: { description: 'no such published event' } },
  }), async (c) => {
    const end = catalogSeconds.startTimer({ route: 'detail' });
    const { id } = c.req.valid('param');
    const event = await readDetail(id);
    end();
    if (!event) throw new Problem(404, 'event_not_found', `no event ${id}`);
    return c.json(event, 200, { 'cache-control': 'public, max-age=2' });
  });
  // the checkout page of every admitted fan asks once: one PostgreSQL read per sale per 5 s per process
  const salePages = new Map<string, { at: number; value: Promise<SalePage | null> }>();
  router.openapi(apiRoute({
    method: 'get', path: '/v1/sales/{sale}/page', summary: "What a sale's pages show: the event's name, date and venue, whether there was a pre-queue, the organiser's branding", tags: ['catalog'],
    request: { params: saleParams },
    responses: { 200: jsonAnswer(salePageSchema, 'the sale as its pages show it (cached 5 s)'), 404: { description: 'no such published sale' } },
  }), async (c) => {
    const { sale } = c.req.valid('param');
    let hit = salePages.get(sale);
    if (!hit || Date.now() - hit.at > SALE_PAGE_CACHE_MS) {
      hit = { at: Date.now(), value: readSalePage(deps.pgRead, sale) };
      hit.value.catch(() => salePages.delete(sale));
      salePages.set(sale, hit);
      if (salePages.size > 1000) salePages.delete(salePages.keys().next().value!);
    }
    const page = await hit.value;
    // a draft published a moment later must not stay a 404 for the cache's life
    if (!page) salePages.delete(sale);
    if (!page) throw new Problem(404, 'sale_not_found', `no published sale ${sale}`);
    return c.json(page, 200, { 'cache-control': 'public, max-age=5' });
  });
  return router;
}
