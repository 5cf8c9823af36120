/**
 * The API's feature routes, in the order they are mounted. Each entry builds its router from the
 * process's services (checkout-services.ts); add one here to serve it.
 */
import type { Hono } from 'hono';
import type { CheckoutServices } from '../checkout-services.js';
import { accountsRoutes } from '../accounts/accounts-module.js';
import { adminRoutes } from '../admin/admin-module.js';
import { catalogRoutes } from '../catalog/catalog-module.js';
import { reviewRoutes } from '../catalog/review-module.js';
import { holdRoutes } from '../holds/hold-routes.js';
import { seatMapRoutes } from '../seatmap/seat-map-routes.js';
import { orderRoutes } from '../orders/order-routes.js';
import { adminPageRoutes } from '../pages/admin-pages.js';
import { checkoutPageRoutes } from '../pages/checkout-pages.js';
import { fanPageRoutes } from '../pages/fan-pages.js';
import { paymentRoutes } from '../payments/payment-routes.js';
import { pricingRoutes } from '../pricing/pricing-routes.js';
import { stripeWebhookRoutes } from '../payments/stripe-webhook-routes.js';
import { paypalWebhookRoutes } from '../payments/paypal-webhook-routes.js';
import { smsRoutes } from '../accounts/sms-routes.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- routers carry their own Env types
export type FeatureRoutes = (services: CheckoutServices) => Hono<any> | Promise<Hono<any>>;

/** Buying: holds, the seat map and its live states, payments, prices (quote, points), the Stripe and PayPal webhooks, orders, and the checkout and order pages. */
export const checkoutFeatures: FeatureRoutes[] = [holdRoutes, seatMapRoutes, paymentRoutes, pricingRoutes, stripeWebhookRoutes, paypalWebhookRoutes, orderRoutes, checkoutPageRoutes];

export const featureRoutes: FeatureRoutes[] = [
  ...checkoutFeatures, catalogRoutes, (s) => reviewRoutes(s), (s) => accountsRoutes(s), smsRoutes, adminRoutes, adminPageRoutes, fanPageRoutes,
];
