/**
 * A purchase with a promo code, loyalty points, a service fee and tax, in headless Chromium, paid
 * through each gateway: demo, Stripe (the stand-in; Stripe.js replaced by a small script that
 * confirms the PaymentIntent at the stand-in with its client secret, as the Payment Element does)
 * and PayPal (the stand-in's approve link). The organiser sets the fee, the venue's tax and the
 * code through the admin API; the fan applies the code and points on the checkout page, picks the
 * gateway, pays, and reads the same breakdown on the checkout page, the order page and the
 * confirmation e-mail; the gateway was asked to authorize and captured exactly its total;
 * cancelling refunds exactly that at the gateway, and the account's points come back.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckoutWorld } from '../../test/support/checkout-harness.js';
import { holdOnCheckoutPage, servedWorld, type ServedWorld } from '../../test/support/served-world.js';
import { orderStatusOf, until } from '../../test/support/checkout-flow.js';
import { adminToken, call } from '../../test/support/admin-test-kit.js';
import { hasChromium } from '../../test/support/chromium.js';
import { featureRoutes } from '../api/routes.js';
import { startNotificationWorker } from '../worker/notifications/notification-worker.js';
import { breakdownLines, priceBreakdown } from './price-breakdown.js';
import type { GatewayName } from '../payments/payment-gateway.js';

let w: CheckoutWorld;
let served: ServedWorld;
let browser: Browser;
let mails: { close(): Promise<void> };
let base: string;

/**
 * Stripe.js for the test: `elements().create('payment').mount()` draws nothing, and
 * `confirmPayment` posts the intent's client secret to api.stripe.com's confirm endpoint (routed to
 * the stand-in below), which is what the real Payment Element does with the fan's card.
 */
const FAKE_STRIPE_JS = `window.Stripe = function (key) {
  var secret;
  return {
    elements: function (o) { secret = o.clientSecret; return { create: function () { return { mount: function () {} }; } }; },
    confirmPayment: function () {
      var id = secret.split('_secret_')[0];
      return fetch('https://api.stripe.com/v1/payment_intents/' + id + '/confirm', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'client_secret=' + encodeURIComponent(secret) + '&key=' + key })
        .then(function (r) { return r.json(); })
        .then(function (pi) { return pi.error ? { error: pi.error } : { paymentIntent: pi }; });
    },
  };
};`;

async function withStripeJs(context: BrowserContext): Promise<void> {
  await context.route('https://js.stripe.com/**', (route) => route.fulfill({ contentType: 'application/javascript', body: FAKE_STRIPE_JS }));
  await context.route('https://api.stripe.com/**', async (route) => {
    const m = /\/v1\/payment_intents\/([^/]+)\/confirm$/.exec(new URL(route.request().url()).pathname);
    const secret = new URLSearchParams(route.request().postData() ?? '').get('client_secret');
    const pi = m ? w.stripe!.intents.get(m[1]!) : undefined;
    if (!pi || pi.client_secret !== secret) return route.fulfill({ status: 400, contentType: 'application/json', body: JSON.stringify({ error: { message: 'No such payment_intent' } }) });
    return route.fulfill({ contentType: 'application/json', headers: { 'access-control-allow-origin': '*' }, body: JSON.stringify(w.stripe!.authorize(pi.id)) });
  });
}

/** What the gateway itself holds for the payment: asked to authorize, captured, refunded (minor units). */
async function atGateway(gateway: GatewayName, paymentId: string): Promise<{ authorize: number; captured: number; refunded: number }> {
  if (gateway === 'stripe') {
    const pi = w.stripe!.intents.get(paymentId)!;
    const refunded = [...w.stripe!.refunds.values()].filter((r) => r.payment_intent === paymentId).reduce((sum, r) => sum + r.amount, 0);
    return { authorize: pi.amount, captured: pi.amount_received, refunded };
  }
  if (gateway === 'paypal') {
    const o = w.paypal!.orders.get(paymentId)!;
    const minor = (v: string) => Math.round(Number(v) * 100);
    return { authorize: minor(o.amount.value), captured: o.capture ? minor(o.amount.value) : 0, refunded: o.refunds.reduce((sum, r) => sum + minor(r.amount.value), 0) };
  }
  const pi = await w.deps.gateways.of('demo').retrieve(paymentId);
  return { authorize: pi.amountMinor, captured: pi.status === 'captured' ? pi.amountMinor : 0, refunded: -1 };
}

const rowsOf = (page: Page) => page.locator('#breakdown tr').evaluateAll((trs) => trs.map((tr) => ({
  key: tr.getAttribute('data-key'), label: tr.querySelector('th')!.textContent, text: tr.querySelector('td')!.textContent!.replace(/\s/g, ' '),
})));

describe.skipIf(!hasChromium)('a purchase with a promo code, points, a fee and tax (headless Chromium, every gateway)', () => {
  beforeAll(async () => {
    served = await servedWorld({ gateways: ['demo', 'stripe', 'paypal'], env: { LOYALTY_EARN_BPS: '1000', STRIPE_PUBLISHABLE_KEY: 'pk_test_standin' }, features: featureRoutes });
    ({ w, base, browser } = served);
    mails = startNotificationWorker(w.deps);
  });
  afterAll(async () => {
    await mails?.close();
    await served?.close();
  });

  let setUp: Promise<void> | undefined;
  const organiserSetsPrices = async () => {
    const admin = await adminToken(w.deps);
    const setup = [
      await call(w.app, admin, 'PUT', `/v1/admin/events/${w.sale.eventId}/fees`, { feeFixedMinor: 150, feePercentBps: 250 }),
      await call(w.app, admin, 'PUT', `/v1/admin/venues/${w.sale.venueId}/tax-location`, { country: 'NL' }),
      await call(w.app, admin, 'PUT', '/v1/admin/tax-rates', { country: 'NL', rateBps: 2100, inclusive: false }),
      await call(w.app, admin, 'POST', '/v1/admin/promo-codes', { code: 'Spring-10', eventId: w.sale.eventId, kind: 'percent', value: 1000, maxUses: 10 }),
    ];
    expect(setup.map((s) => s.status), JSON.stringify(setup.map((s) => s.body))).toEqual([200, 200, 200, 201]);
  };

  it.each(['demo', 'stripe', 'paypal'] as const)('through %s: one breakdown on the page, the order, the e-mail; the gateway authorizes, captures and refunds its total', async (gateway) => {
    await (setUp ??= organiserSetsPrices());

    // a fan account with 700 points, logged in on the fan pages
    const email = `points-fan-${gateway}@example.com`;
    const { rows: [user] } = await w.ctx.pg.query<{ id: string }>(`INSERT INTO users (email, password_hash) VALUES ($1, 'x') RETURNING id`, [email]);
    await w.ctx.pg.query(`SELECT loyalty_post($1, $2, 'earn', 700)`, [user!.id, `seed-points-${gateway}`]);
    const accessToken = await w.deps.accessTokens.sign({ userId: user!.id, email, role: 'fan' });
    const context = await browser.newContext();
    if (gateway === 'stripe') await withStripeJs(context);
    await context.addInitScript((s) => (globalThis as unknown as { localStorage: { setItem(k: string, v: string): void } }).localStorage.setItem('usher.fan.session', s), JSON.stringify({ accessToken, refreshToken: 'unused', user: { id: user!.id, email, role: 'fan' } }));
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));

    await holdOnCheckoutPage(page, { w, base }, 2);
    // the hold already shows the fee and the tax
    expect((await rowsOf(page)).map((r) => r.key)).toEqual(['tickets', 'fee', 'tax', 'total']);

    await page.fill('#promo-code', 'spring-10');
    await page.click('#apply-btn');
    await page.locator('#breakdown tr[data-key="promo"]').waitFor();
    await page.locator('#points-field').waitFor({ state: 'visible' });
    await page.fill('#email', email);
    await page.locator('#gateway-choice').waitFor({ state: 'visible' });
    await page.check(`input[name="gateway"][value="${gateway}"]`);
    // more points than the account has: refused, nothing priced; the corrected checkout then goes through (a new request, not a reused key)
    await page.fill('#points', '701');
    await page.click('#checkout-btn');
    await expect.poll(() => page.locator('#message').textContent()).toMatch(/points/);
    expect((await w.ctx.pg.query('SELECT 1 FROM hold_prices WHERE email = $1', [email])).rowCount).toBe(0);
    await page.fill('#points', '700');
    await page.click('#checkout-btn');
    const payButton = { demo: '#demo-pay-btn', stripe: '#stripe-pay-btn', paypal: '#paypal-pay-btn' }[gateway];
    await page.locator(payButton).waitFor({ state: 'visible' });
    const onCheckout = await rowsOf(page);

    // what it must be: the pure module over the held seats and the organiser's settings
    const holdId = (await w.ctx.pg.query<{ hold_id: string }>('SELECT hold_id FROM hold_prices WHERE email = $1', [email])).rows[0]!.hold_id;
    const items = (await w.ctx.pg.query<{ hold_snapshot: { items: { tierCode: string; priceMinor: number }[] } }>('SELECT hold_snapshot FROM payments WHERE hold_id = $1', [holdId])).rows[0]!.hold_snapshot.items;
    const expected = priceBreakdown(items, { currency: 'EUR', feeFixedMinor: 150, feePercentBps: 250, taxRateBps: 2100, taxInclusive: false },
      { code: 'SPRING-10', kind: 'percent', value: 1000, tierCodes: [] }, 700);
    expect(expected.totalMinor).toBe(24_000 - 2400 - 700 + (2 * 150 + 2 * 300) + Math.round((24_000 - 2400 - 700 + 900) * 0.21));
    const lines = (locale: string) => breakdownLines(expected, locale).map((l) => ({ key: l.key, label: l.label, text: l.text.replace(/\s/g, ' ') }));
    const pageLocale = await page.evaluate(() => Intl.NumberFormat().resolvedOptions().locale);
    expect(onCheckout).toEqual(lines(pageLocale));
    expect(onCheckout.map((r) => r.key)).toEqual(['tickets', 'promo', 'points', 'fee', 'tax', 'total']);

    if (gateway === 'paypal') expect(await page.locator(payButton).getAttribute('href')).toMatch(new RegExp(`^${w.paypal!.url}/checkoutnow\\?token=`));
    await page.click(payButton);
    await page.waitForURL(/\/orders\//, { timeout: 20_000 });
    await page.locator('#status[data-status="confirmed"]').waitFor({ timeout: 20_000 });
    await page.locator('#breakdown tr[data-key="total"]').waitFor();
    expect(await rowsOf(page)).toEqual(lines(pageLocale));

    // the payment, the order and the record all hold the one total
    const money = await w.ctx.pg.query<{ paid: number; ordered: number; fixed: number }>(
      `SELECT p.amount_minor AS paid, o.amount_minor AS ordered, hp.total_minor AS fixed
       FROM payments p JOIN orders o ON o.id = p.hold_id JOIN hold_prices hp ON hp.hold_id = p.hold_id WHERE p.hold_id = $1`, [holdId]);
    expect(money.rows).toEqual([{ paid: expected.totalMinor, ordered: expected.totalMinor, fixed: expected.totalMinor }]);
    const { rows: [payment] } = await w.ctx.pg.query<{ payment_intent_id: string; gateway: string; status: string }>('SELECT payment_intent_id, gateway, status FROM payments WHERE hold_id = $1', [holdId]);
    expect(payment).toMatchObject({ gateway, status: 'captured' });
    const paymentId = payment!.payment_intent_id;
    expect(await atGateway(gateway, paymentId)).toMatchObject({ authorize: expected.totalMinor, captured: expected.totalMinor });
    if (gateway === 'stripe') expect(w.stripe!.count('capture', paymentId)).toBe(1);
    if (gateway === 'paypal') expect(w.paypal!.count('capture', paymentId)).toBe(1);

    // the confirmation e-mail prints the same lines
    const mail = await until('confirmation recorded', async () =>
      (await w.ctx.pg.query<{ body: string }>(`SELECT body FROM notifications WHERE order_id = $1 AND kind = 'confirmation'`, [holdId])).rows[0]);
    for (const l of lines('en-GB')) expect(mail.body.replace(/\s/g, ' ')).toContain(`${l.label}: ${l.text}`);

    // points: 700 spent, 10% of the total earned, shown in the account
    const earned = Math.floor(expected.totalMinor / 10);
    await until('points earned', async () => (await w.ctx.pg.query(`SELECT 1 FROM loyalty_ledger WHERE hold_id = $1 AND kind = 'earn'`, [holdId])).rowCount === 1);
    const account = await context.newPage();
    await account.goto(`${base}/orders`);
    await account.locator('#points').waitFor({ state: 'visible' });
    expect(await account.locator('#points-balance').textContent()).toBe(String(earned));

    // cancel on the order page: the refund is exactly what was paid; points and the code's use come back
    page.on('dialog', (d) => void d.accept());
    await page.click('#cancel-btn');
    await page.locator('#status[data-status="cancelled"]').waitFor();
    const refund = await w.ctx.pg.query<{ amount_minor: number; status: string }>('SELECT amount_minor, status FROM refunds WHERE order_id = $1', [holdId]);
    expect(refund.rows).toEqual([{ amount_minor: expected.totalMinor, status: 'succeeded' }]);
    if (gateway !== 'demo') expect((await atGateway(gateway, paymentId)).refunded).toBe(expected.totalMinor);
    expect(await page.locator('#refund').textContent()).toContain(lines(pageLocale).at(-1)!.text);
    const cancelMail = await until('cancellation recorded', async () =>
      (await w.ctx.pg.query<{ body: string }>(`SELECT body FROM notifications WHERE order_id = $1 AND kind = 'cancellation'`, [holdId])).rows[0]);
    expect(cancelMail.body.replace(/\s/g, ' ')).toContain(`Refund: ${lines('en-GB').at(-1)!.text}`);
    const after = await w.ctx.pg.query<{ balance: number; uses: number }>(
      `SELECT (SELECT balance FROM loyalty_accounts WHERE user_id = $1) AS balance, (SELECT uses FROM promo_codes WHERE code = 'SPRING-10') AS uses`, [user!.id]);
    expect(after.rows[0]).toEqual({ balance: 700, uses: 0 });
    expect(await orderStatusOf(w, holdId)).toBe('cancelled');
    await page.screenshot({ path: `test-artifacts/commerce-order-cancelled-${gateway}.png`, fullPage: true }).catch(() => undefined);
    expect(errors).toEqual([]);
  });

  it('the organiser creates, lists and stops a promo code and sets a fee and a tax rate on the pricing page', async () => {
    const admin = await adminToken(w.deps);
    const context = await browser.newContext();
    await context.addInitScript((t) => (globalThis as unknown as { sessionStorage: { setItem(k: string, v: string): void } }).sessionStorage.setItem('usher.admin.session', t),
      JSON.stringify({ accessToken: admin, refreshToken: 'unused' }));
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${base}/admin/pricing`);
    await page.locator(`#code-event option[value="${w.sale.eventId}"]`).waitFor({ state: 'attached' });
    await page.fill('#code', 'summer-25');
    await page.selectOption('#code-event', w.sale.eventId);
    await page.fill('#value', '25');
    await page.fill('#maxUses', '40');
    await page.fill('#maxUsesPerBuyer', '2');
    await page.click('#code-btn');
    await page.locator('#codes tr[data-code="SUMMER-25"]').waitFor();
    expect(await page.locator('#codes tr[data-code="SUMMER-25"] td').allTextContents()).toEqual(expect.arrayContaining(['SUMMER-25', '25%', '0 of 40 (2 each)']));
    // a taken code is refused beside the field
    await page.fill('#code', 'Summer-25');
    await page.fill('#value', '10');
    await page.click('#code-btn');
    await expect.poll(() => page.locator('#message').textContent()).toMatch(/exists/);
    await page.locator('#codes tr[data-code="SUMMER-25"] button').click();
    await page.locator('#codes tr[data-code="SUMMER-25"] td', { hasText: 'SUMMER-25 (stopped)' }).waitFor();
    expect((await w.ctx.pg.query(`SELECT disabled FROM promo_codes WHERE code = 'SUMMER-25'`)).rows).toEqual([{ disabled: true }]);

    await page.selectOption('#fee-event', w.sale.eventId);
    await page.fill('#feeFixedMinor', '120');
    await page.fill('#feePercent', '1.5');
    await page.click('#fee-btn');
    await expect.poll(() => page.locator('#message').textContent()).toMatch(/Fee saved/);
    await page.fill('#country', 'de');
    await page.fill('#rate', '19');
    await page.check('#inclusive');
    await page.click('#tax-btn');
    // by the country cell alone: 'DE' is also a substring of 'exclude it' in the NL row
    await page.locator('#rates tr').filter({ has: page.locator('td:first-child', { hasText: /^DE$/ }) }).waitFor();
    await page.selectOption('#venue', w.sale.venueId);
    await page.fill('#venue-country', 'de');
    await page.fill('#venue-region', 'by');
    await page.click('#venue-btn');
    await expect.poll(() => page.locator('#message').textContent()).toMatch(/Venue location saved/);
    expect((await w.ctx.pg.query('SELECT country, region FROM venues WHERE id = $1', [w.sale.venueId])).rows).toEqual([{ country: 'DE', region: 'BY' }]);
    const saved = await w.ctx.pg.query(`SELECT e.fee_fixed_minor, e.fee_percent_bps, (SELECT rate_bps FROM tax_rates WHERE country = 'DE' AND region = '') AS rate,
      (SELECT inclusive FROM tax_rates WHERE country = 'DE' AND region = '') AS inclusive FROM events e WHERE e.id = $1`, [w.sale.eventId]);
    expect(saved.rows).toEqual([{ fee_fixed_minor: 120, fee_percent_bps: 150, rate: 1900, inclusive: true }]);
    await page.screenshot({ path: 'test-artifacts/admin-pricing.png', fullPage: true }).catch(() => undefined);
    expect(errors).toEqual([]);
  });
});
