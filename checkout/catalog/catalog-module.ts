/** Mounts the catalog on the API with the process's replica pool and inventory. */
import type { Hono } from 'hono';
import type { AppContext } from '../../common/app-context.js';
import { seatInventory } from '../admin/seat-inventory.js';
import { createCatalogRouter } from './catalog-routes.js';

export function mountCatalog(app: Hono, ctx: AppContext): void {
  const inventory = seatInventory(ctx);
  app.route('/', createCatalogRouter({
    pgRead: ctx.pgRead,
    availability: (saleId) => inventory.availability(saleId),
    publicEdgeUrl: ctx.config.http.publicEdgeUrl,
  }));
}
