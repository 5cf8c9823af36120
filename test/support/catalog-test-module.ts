/** Test support: the catalog mounted with a real inventory whose availability calls are counted, and a short cache TTL. */
import type { RouteModule } from '../../checkout/api/routes.js';
import { seatInventory } from '../../checkout/admin/seat-inventory.js';
import { createCatalogRouter } from '../../checkout/catalog/catalog-routes.js';

export function catalogHarnessModule(calls: { availability: number }, cacheTtlMs: number): RouteModule {
  return (app, ctx) => {
    const inventory = seatInventory(ctx);
    app.route('/', createCatalogRouter({
      pgRead: ctx.pgRead,
      availability: (saleId) => { calls.availability++; return inventory.availability(saleId); },
      publicEdgeUrl: 'http://edge.test',
      cacheTtlMs,
    }));
  };
}
