/**
 * The fan's pages: events list with search (`/`), an event (`/events/:id`), my orders (`/orders`),
 * and the page the e-mail verification link opens (`/verify-email#token=…`).
 */
import type { Hono } from 'hono';
import { staticPages } from './static-pages.js';

export function fanPageRoutes(): Hono {
  return staticPages({
    folder: 'fan',
    pages: { '/': 'events.html', '/events/:id': 'event.html', '/orders': 'orders.html', '/verify-email': 'verify-email.html' },
    assetPrefix: '/assets/fan',
    assets: ['fan.css', 'common.js', 'events.js', 'event.js', 'orders.js', 'verify-email.js'],
  });
}
