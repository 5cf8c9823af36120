/**
 * Steps each feature adds to the demo after the sale is seeded (publishing the seat pools, creating
 * the first admin, …), so scripts/demo.ts stays one flow.
 */
import type pg from 'pg';
import type { Config } from '../common/config.js';
import type { SeededSale } from './seed-sale.js';
import { publishDemoInventory } from './inventory-demo-hook.js';
import { createDemoAdmin } from './accounts-demo-hook.js';
import { priceDemoEvent } from './commerce-demo-hook.js';

export interface DemoHookContext {
  config: Config;
  pool: pg.Pool;
  sale: SeededSale;
  say: (line: string) => void;
}

export const demoHooks: ((ctx: DemoHookContext) => Promise<void>)[] = [publishDemoInventory, createDemoAdmin, priceDemoEvent];
