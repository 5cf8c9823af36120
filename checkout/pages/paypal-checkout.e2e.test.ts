/**
 * Paying with PayPal from the checkout page in headless Chromium: the sale offers card (demo here)
 * and PayPal, the fan picks PayPal, follows the approve link to (the stand-in of) PayPal, comes
 * back to the checkout page, which confirms, and lands on the confirmed order; captured once.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckoutWorld } from '../../test/support/checkout-harness.js';
import { holdOnCheckoutPage, servedWorld, type ServedWorld } from '../../test/support/served-world.js';
import { hasChromium } from '../../test/support/chromium.js';

let w: CheckoutWorld;
let served: ServedWorld;
let browser: Browser;
let base: string;

describe.skipIf(!hasChromium)('checkout page with PayPal (headless Chromium)', () => {
  beforeAll(async () => {
    served = await servedWorld({ gateways: ['demo', 'paypal'] });
    ({ w, base, browser } = served);
  });
  afterAll(async () => {
    await served?.close();
  });

  it('offers the sale\'s gateways, goes to PayPal to approve, comes back and shows the confirmed order', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await holdOnCheckoutPage(page, { w, base }, 1);
    await page.locator('#gateway-choice').waitFor({ state: 'visible' });
    expect(await page.locator('#gateway-options label').allTextContents()).toEqual([' Demo (no money)', ' PayPal']);
    await page.check('input[name="gateway"][value="paypal"]');
    await page.fill('#email', 'paypal-fan@example.com');
    await page.click('#checkout-btn');
    const link = page.locator('#paypal-pay-btn');
    await link.waitFor({ state: 'visible' });
    expect(await link.getAttribute('href')).toMatch(new RegExp(`^${w.paypal!.url}/checkoutnow\\?token=`));
    await link.click();
    // PayPal (the stand-in) approves and sends the fan back; the page confirms and moves on
    await page.waitForURL(/\/orders\//, { timeout: 20_000 });
    await page.locator('#status[data-status="confirmed"]').waitFor({ timeout: 20_000 });
    expect(errors).toEqual([]);
    const { rows } = await w.ctx.pg.query(`SELECT o.status, p.gateway, p.status AS payment FROM orders o JOIN payments p ON p.hold_id = o.id WHERE o.email = 'paypal-fan@example.com'`);
    expect(rows).toEqual([{ status: 'confirmed', gateway: 'paypal', payment: 'captured' }]);
    expect(w.paypal!.count('capture')).toBe(1);
    await page.close();
  });
});
