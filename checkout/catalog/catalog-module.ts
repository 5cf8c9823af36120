/** The catalog's routes, on the process's replica pool and inventory. */
import type { Hono } from 'hono';
import type { CheckoutServices } from '../checkout-services.js';
import { createCatalogRouter } from './catalog-routes.js';

export function catalogRoutes({ ctx, inventory }: CheckoutServices): Hono {
  return createCatalogRouter({
    pgRead: ctx.pgRead,
    availability: (saleId) => inventory.availability(saleId),
    publicEdgeUrl: ctx.config.http.publicEdgeUrl,
  });
}
