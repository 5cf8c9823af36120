/**
 * The inventory as the catalog and admin routes use it: one instance per process context.
 * (`createSeatInventory` is cheap, but its scripts are defined on the Redis client once.)
 */
import type { AppContext } from '../../common/app-context.js';
import type { SeatInventory } from '../../inventory/inventory-api.js';
import { createSeatInventory } from '../../inventory/index.js';

const instances = new WeakMap<AppContext, SeatInventory>();

export function seatInventory(ctx: AppContext): SeatInventory {
  let inventory = instances.get(ctx);
  if (!inventory) {
    inventory = createSeatInventory({ redis: ctx.redis, pg: ctx.pg, log: ctx.log, claimTimeoutS: ctx.config.worker.claimTimeoutS });
    instances.set(ctx, inventory);
  }
  return inventory;
}
