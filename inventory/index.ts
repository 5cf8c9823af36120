/** The inventory's public face: the contract types and the factory. */
import type { CreateSeatInventory } from './inventory-api.js';
import { createSeatInventory as create } from './seat-inventory.js';

export type * from './inventory-api.js';
export { InventoryError } from './inventory-errors.js';
export type { InventoryTuning, UsherSeatInventory } from './seat-inventory.js';
export { makeHoldId, parseHoldId } from './hold-id.js';
export { publishedSales } from './seat-inventory.js';

// the richer factory (adds rebuild and tuning) satisfies the contract other roles code against
export const createSeatInventory = create satisfies CreateSeatInventory;
export { setOnSaleFlag } from './sale-on-sale.js';
