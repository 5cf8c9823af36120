/** The fan's pages: events list with search (`/`), an event (`/events/:id`), my orders (`/orders`). */
import type { Hono } from 'hono';
import { staticPages } from './static-pages.js';

export function mountFanPages(app: Hono): void {
  app.route('/', staticPages({
    folder: 'fan',
    pages: { '/': 'events.html', '/events/:id': 'event.html', '/orders': 'orders.html' },
    assetPrefix: '/assets/fan',
    assets: ['fan.css', 'common.js', 'events.js', 'event.js', 'orders.js'],
  }));
}
