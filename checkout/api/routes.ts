/**
 * The API's feature routers. Each module mounts its routes on the shared app and builds what it
 * needs from the process context; add a module here to expose it.
 */
import type { Hono } from 'hono';
import type { AppContext } from '../../common/app-context.js';
import { checkoutModule } from '../checkout-routes.js';
import { mountCatalog } from '../catalog/catalog-module.js';
import { mountAccounts } from '../accounts/accounts-module.js';
import { mountAdmin } from '../admin/admin-module.js';
import { mountAdminPages } from '../pages/admin-pages.js';
import { mountFanPages } from '../pages/fan-pages.js';

export type RouteModule = (app: Hono, ctx: AppContext) => Promise<void> | void;

export const routeModules: RouteModule[] = [checkoutModule, mountCatalog, mountAccounts, mountAdmin, mountAdminPages, mountFanPages];
