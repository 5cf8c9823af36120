/** Test support: the catalog routes with a real inventory whose availability calls are counted, and a short cache TTL. */
import type { FeatureRoutes } from '../../checkout/api/routes.js';
import { createCatalogRouter } from '../../checkout/catalog/catalog-routes.js';

export function countedCatalogRoutes(calls: { availability: number }, cacheTtlMs: number): FeatureRoutes {
  return ({ ctx, inventory }) => createCatalogRouter({
    pgRead: ctx.pgRead,
    availability: (saleId) => { calls.availability++; return inventory.availability(saleId); },
    publicEdgeUrl: 'http://edge.test',
    cacheTtlMs,
  });
}
