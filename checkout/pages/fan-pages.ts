/**
 * The fan's pages: events list with search (`/`), an event (`/events/:id`), my orders (`/orders`),
 * log in and register (`/login`, `/register`: one page, two modes), and the page the e-mail
 * verification link opens (`/verify-email#token=…`).
 */
import type { Hono } from 'hono';
import { brandAssets, staticPages } from './static-pages.js';

export function fanPageRoutes(): Hono {
  const router = staticPages({
    folder: 'fan',
    pages: { '/': 'events.html', '/events/:id': 'event.html', '/orders': 'orders.html', '/login': 'account.html', '/register': 'account.html', '/verify-email': 'verify-email.html' },
    assetPrefix: '/assets/fan',
    assets: ['events.js', 'event.js', 'orders.js', 'account.js', 'verify-email.js'],
  });
  router.route('/', brandAssets());
  return router;
}
