/** The organiser pages: login and the live dashboard (data from /v1/admin/…, which checks the role). */
import type { Hono } from 'hono';
import { staticPages, vendorAssets } from '../catalog/static-pages.js';

export function mountAdminPages(app: Hono): void {
  app.route('/', staticPages({
    folder: 'admin',
    pages: { '/admin/login': 'login.html', '/admin/dashboard': 'dashboard.html' },
    assetPrefix: '/assets/admin',
    assets: ['session.js', 'login.js', 'dashboard.js', 'dashboard.css'],
  }));
  app.route('/', vendorAssets());
}
