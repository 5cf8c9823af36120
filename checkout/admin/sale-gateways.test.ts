/** The organiser chooses the gateways a sale offers: created with a list, changed, reset; checked against the deployment's. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiHarness, type ApiHarness } from '../../test/support/api-test-context.js';
import { adminToken, call, venueEventSale } from '../../test/support/admin-test-kit.js';
import { adminRoutes } from './admin-module.js';
import { paymentRoutes } from '../payments/payment-routes.js';

let h: ApiHarness;
let admin: string;
beforeAll(async () => {
  // PayPal credentials only make the gateway exist; nothing here calls PayPal
  h = await apiHarness([adminRoutes, paymentRoutes], {
    PAYMENT_GATEWAY: 'demo', PAYMENT_GATEWAYS: 'demo,paypal', PAYPAL_CLIENT_ID: 'id', PAYPAL_CLIENT_SECRET: 'secret', PAYPAL_WEBHOOK_ID: 'WH-1',
  });
  admin = await adminToken(h.services);
});
afterAll(() => h?.close());

describe('a sale\'s payment gateways', () => {
  it('null by default (every configured gateway, the default first); set, narrowed and reset by the organiser', async () => {
    const { saleId } = await venueEventSale(h.app, admin);
    expect((await call(h.app, admin, 'GET', `/v1/admin/sales/${saleId}`)).body.payment_gateways).toBeNull();
    expect((await call(h.app, '', 'GET', `/v1/sales/${saleId}/payment-gateways`)).body).toEqual({ saleId, gateways: ['demo', 'paypal'], default: 'demo' });

    const set = await call(h.app, admin, 'PATCH', `/v1/admin/sales/${saleId}`, { paymentGateways: ['paypal', 'demo'] });
    expect([set.status, set.body.payment_gateways]).toEqual([200, ['paypal', 'demo']]);
    // the checkout's cache is told at once in this process
    expect((await call(h.app, '', 'GET', `/v1/sales/${saleId}/payment-gateways`)).body).toMatchObject({ gateways: ['paypal', 'demo'], default: 'paypal' });

    const reset = await call(h.app, admin, 'PATCH', `/v1/admin/sales/${saleId}`, { paymentGateways: null });
    expect([reset.status, reset.body.payment_gateways]).toEqual([200, null]);
  });

  it('refuses a gateway this deployment lacks (422), an unknown one, an empty list and a repeat, and changes nothing', async () => {
    const { saleId } = await venueEventSale(h.app, admin);
    const lacking = await call(h.app, admin, 'PATCH', `/v1/admin/sales/${saleId}`, { paymentGateways: ['stripe'] });
    expect([lacking.status, lacking.body.code]).toEqual([422, 'gateway_not_configured']);
    for (const bad of [['bitcoin'], [], ['paypal', 'paypal']]) {
      const r = await call(h.app, admin, 'PATCH', `/v1/admin/sales/${saleId}`, { paymentGateways: bad });
      expect([r.status, r.body.code]).toEqual([422, 'validation_failed']);
    }
    expect((await call(h.app, admin, 'GET', `/v1/admin/sales/${saleId}`)).body.payment_gateways).toBeNull();
  });

  it('takes the list at creation', async () => {
    const base = await venueEventSale(h.app, admin);
    const sale = await call(h.app, admin, 'POST', '/v1/admin/sales', {
      eventId: base.eventId, prequeueOpensAt: new Date(Date.now() - 120_000).toISOString(), opensAt: new Date(Date.now() - 60_000).toISOString(),
      closesAt: new Date(Date.now() + 86_400_000).toISOString(), admissionRatePerMin: 120, maxActiveShoppers: 10, shardCount: 2, paymentGateways: ['paypal'],
    });
    expect([sale.status, sale.body.payment_gateways]).toEqual([201, ['paypal']]);
  });
});
