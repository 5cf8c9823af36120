/** The organiser pages: login and the live dashboard (data from /v1/admin/…, which checks the role). */
import type { Hono } from 'hono';
import type { AppContext } from '../../common/app-context.js';
import { staticPages, vendorAssets } from './static-pages.js';

export function mountAdminPages(app: Hono, ctx?: AppContext): void {
  app.route('/', staticPages({
    folder: 'admin',
    pages: { '/admin/login': 'login.html', '/admin/dashboard': 'dashboard.html' },
    assetPrefix: '/assets/admin',
    assets: ['session.js', 'login.js', 'dashboard.js', 'dashboard.css'],
  }));
  app.route('/', vendorAssets((err) => ctx?.log.error({ err: err.message }, 'uplot is not installed (npm ci): the dashboard will have no charts')));
}
