/**
 * The fan's static pages, served by the API: the checkout page (`/checkout/:saleId`, pass in the
 * URL fragment so it never reaches a server log) and the order page (`/orders/:id#token=…`).
 * Files are read once at start; the page learns everything else from the JSON API.
 */
import { readFileSync } from 'node:fs';
import { Hono } from 'hono';
import type { ApiEnv } from '../api/api-env.js';
import type { CheckoutServices } from '../checkout-services.js';
import { brandAssets, withSiteHeader } from './static-pages.js';
import { withLanguageScripts } from '../../common/page-languages.js';

const dir = new URL('./static/checkout/', import.meta.url);
const load = (name: string) => readFileSync(new URL(name, dir), 'utf8');
const loadPage = (name: string) => withLanguageScripts(withSiteHeader(load(name)));

const types: Record<string, string> = { js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' };

export function checkoutPageRoutes(deps: CheckoutServices): Hono<ApiEnv> {
  const { payments } = deps.ctx.config;
  const settings = JSON.stringify({ gateway: deps.gateways.default.name, gateways: deps.gateways.names, publishableKey: payments.stripePublishableKey ?? null });
  const checkoutHtml = loadPage('checkout.html').replace('"__USHER_SETTINGS__"', settings);
  const orderHtml = loadPage('order.html');
  const assets = new Map(['checkout.js', 'order.js', 'sale-head.js', 'seat-map.js', 'seat-map.css'].map((f) => [f, load(f)]));
  const router = new Hono<ApiEnv>();
  // the stylesheet, header script and helpers every page shares (these pages may be served alone)
  router.route('/', brandAssets());
  const page = (html: string) => ({
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    // Stripe.js only when a publishable key is set; nothing else from outside
    'content-security-policy': "default-src 'self'; script-src 'self' https://js.stripe.com; frame-src https://js.stripe.com; connect-src 'self' https://api.stripe.com; style-src 'self' 'unsafe-inline'; img-src 'self' data: https:",
    'referrer-policy': 'no-referrer',
    'content-length': String(Buffer.byteLength(html)),
  });
  router.get('/checkout/:saleId', (c) => c.body(checkoutHtml, 200, page(checkoutHtml)));
  router.get('/orders/:id', (c) => c.body(orderHtml, 200, page(orderHtml)));
  router.get('/static/checkout/:file', (c) => {
    const file = c.req.param('file');
    const body = assets.get(file);
    if (body === undefined) return c.notFound();
    return c.body(body, 200, { 'content-type': types[file.split('.').pop() ?? ''] ?? 'text/plain', 'cache-control': 'public, max-age=300' });
  });
  return router;
}
