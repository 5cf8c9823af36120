/** The catalog's routes, on the process's replica pool and inventory. */
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { CheckoutServices } from '../checkout-services.js';
import { createCatalogRouter } from './catalog-routes.js';

export function catalogRoutes({ ctx, inventory }: CheckoutServices): OpenAPIHono {
  return createCatalogRouter({
    pgRead: ctx.pgRead,
    availability: (saleId) => inventory.availability(saleId),
    publicEdgeUrl: ctx.config.http.publicEdgeUrl,
  });
}
