/** The organiser pages: login, the console, the live dashboard, pricing and review moderation (data from /v1/admin/…, which checks the role). */
import { Hono } from 'hono';
import type { CheckoutServices } from '../checkout-services.js';
import { brandAssets, staticPages, vendorAssets } from './static-pages.js';

export function adminPageRoutes({ ctx }: CheckoutServices): Hono {
  const router = new Hono();
  router.route('/', staticPages({
    folder: 'admin',
    pages: { '/admin/login': 'login.html', '/admin/dashboard': 'dashboard.html', '/admin/console': 'console.html', '/admin/console/sale': 'console-sale.html', '/admin/pricing': 'pricing.html', '/admin/reviews': 'reviews.html' },
    assetPrefix: '/assets/admin',
    assets: ['session.js', 'login.js', 'dashboard.js', 'dashboard-charts.js', 'dashboard-fans.js', 'console.js', 'console-sale.js', 'sale-controls.js', 'pricing.js', 'reviews.js'],
  }));
  router.route('/', brandAssets());
  router.route('/', vendorAssets((err) => ctx.log.error({ err: err.message }, 'uplot is not installed (npm ci): the dashboard will have no charts')));
  return router;
}
