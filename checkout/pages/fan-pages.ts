/**
 * The fan's pages: events list with search (`/`), an event (`/events/:id`), my orders (`/orders`),
 * log in and register (`/login`, `/register`: one page, two modes), the page the e-mail
 * verification and change-of-address links open (`/verify-email#token=…`, `#change=…`), the
 * fan's account (`/account`) and a forgotten password (`/reset-password`, `#token=…` from the link).
 */
import type { Hono } from 'hono';
import { brandAssets, staticPages } from './static-pages.js';

export function fanPageRoutes(): Hono {
  const router = staticPages({
    folder: 'fan',
    pages: { '/': 'events.html', '/events/:id': 'event.html', '/orders': 'orders.html', '/login': 'account.html', '/register': 'account.html', '/verify-email': 'verify-email.html',
      '/account': 'account-settings.html', '/reset-password': 'reset-password.html' },
    assetPrefix: '/assets/fan',
    assets: ['events.js', 'event.js', 'orders.js', 'account.js', 'verify-email.js', 'account-settings.js', 'reset-password.js', 'event-reviews.js'],
  });
  router.route('/', brandAssets());
  return router;
}
