/**
 * The checkout page in headless Chromium (Debian's /usr/bin/chromium, no download): an admitted
 * fan arrives with the pass in the URL fragment, picks a section and quantity, holds, sees the
 * countdown, pays with the demo gateway and lands on the confirmed order page.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckoutWorld } from '../../test/support/checkout-harness.js';
import { holdOnCheckoutPage, servedWorld, type ServedWorld } from '../../test/support/served-world.js';
import { orderStatusOf, startPurchase, until } from '../../test/support/checkout-flow.js';
import { hasChromium } from '../../test/support/chromium.js';


let w: CheckoutWorld;
let served: ServedWorld;
let browser: Browser;
let base: string;

describe.skipIf(!hasChromium)('checkout page (headless Chromium)', () => {
  beforeAll(async () => {
    served = await servedWorld({ gateway: 'demo' });
    ({ w, base, browser } = served);
  });
  afterAll(async () => {
    await served?.close();
  });

  it('holds, counts down, pays with the demo gateway and shows the confirmed order', async () => {
    const fan = await w.admit();
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${base}/checkout/${w.sale.saleId}#pass=${fan.token}`);
    await page.locator('#demo-banner').waitFor({ state: 'visible' });
    expect(page.url()).not.toContain('pass='); // the pass leaves the address bar
    await page.locator('#section option').first().waitFor({ state: 'attached' });
    // the tier and its price are on the picker, before anything is held
    const blockA = await page.locator(`#section option[value="${w.sale.sectionIds['Block A']}"]`).textContent();
    expect(blockA).toMatch(/^Block A · .+ · .*\d+[.,]\d\d.* · \d+ left$/);
    await page.selectOption('#section', w.sale.sectionIds['Block A']!);
    await page.fill('#quantity', '2');
    await page.click('#hold-btn');
    await page.locator('#held').waitFor({ state: 'visible' });
    // release, then hold again with the same pass: the fan keeps their turn
    await page.click('#release-btn');
    await page.locator('#pick').waitFor({ state: 'visible' });
    expect(await page.locator('#message').textContent()).toContain('You keep your turn');
    await page.fill('#quantity', '2');
    await page.click('#hold-btn');
    await page.locator('#held').waitFor({ state: 'visible' });
    expect(await page.locator('#items li').count()).toBe(2);
    expect(await page.locator('#countdown').textContent()).toMatch(/^\d+:\d\d$/);
    await page.fill('#email', 'browser-fan@example.com');
    await page.click('#checkout-btn');
    await page.locator('#demo-pay-btn').waitFor({ state: 'visible' });
    await page.click('#demo-pay-btn');
    await page.waitForURL(/\/orders\//);
    await page.locator('#status[data-status="confirmed"]').waitFor({ timeout: 20_000 });
    expect(await page.locator('#tickets tr').count()).toBe(2);
    expect(errors).toEqual([]);
    const orders = await w.ctx.pg.query(`SELECT email, status, number FROM orders WHERE email = 'browser-fan@example.com'`);
    expect(orders.rows).toEqual([{ email: 'browser-fan@example.com', status: 'confirmed', number: expect.stringMatching(/^USH-/) }]);
    // what the fan reads: the short number, states in words, the time to the minute, a way on
    expect(await page.locator('#number').textContent()).toBe(orders.rows[0].number);
    expect(await page.locator('#status').textContent()).toBe('confirmed');
    expect(await page.locator('#tickets tr td:nth-child(3)').allTextContents()).toEqual(['valid', 'valid']);
    expect(await page.locator('#when').textContent()).not.toMatch(/\d:\d\d:\d\d/);
    expect(await page.locator('nav.next a').allTextContents()).toEqual(['My orders', 'All events']);
  });

  it('sends a hold the API shed (503 overloaded) again after its Retry-After, with the same idempotency key', async () => {
    const page = await browser.newPage();
    const keys: string[] = [];
    // the first hold request is shed as the API does when its PostgreSQL pool is full
    await page.route('**/v1/sales/*/holds', async (route) => {
      keys.push(route.request().headers()['idempotency-key'] ?? '');
      if (keys.length > 1) return route.continue();
      return route.fulfill({
        status: 503, headers: { 'content-type': 'application/problem+json', 'retry-after': '1' },
        body: JSON.stringify({ type: 'https://usher.dev/problems/overloaded', title: 'Service Unavailable', status: 503, code: 'overloaded', retryAfter: 1 }),
      });
    });
    await holdOnCheckoutPage(page, { w, base }, 1);
    expect(keys).toHaveLength(2);
    expect(keys[1]).toBe(keys[0]);
    expect(keys[0]).not.toBe('');
    await page.close();
  });

  it('past the refund cutoff, the order page cancels only once the fan accepts getting nothing back', async () => {
    const b = await startPurchase(w);
    expect((await w.json('POST', `/v1/holds/${b.holdId}/demo-pay`, { token: b.pass.token })).status).toBe(202);
    await until('order confirmed', async () => (await orderStatusOf(w, b.holdId)) === 'confirmed');
    const { rows: [event] } = await w.ctx.pg.query<{ refund_cutoff_s: number }>('SELECT refund_cutoff_s FROM events WHERE id = $1', [w.sale.eventId]);
    await w.ctx.pg.query('UPDATE events SET refund_cutoff_s = $2 WHERE id = $1', [w.sale.eventId, 365 * 86_400]);
    try {
      const page = await browser.newPage();
      const dialogs: string[] = [];
      let accept = false;
      page.on('dialog', (d) => {
        dialogs.push(d.message());
        void (accept ? d.accept() : d.dismiss());
      });
      await page.goto(`${base}/orders/${encodeURIComponent(b.holdId)}#token=${b.orderToken}`);
      await page.locator('#status[data-status="confirmed"]').waitFor();
      expect(await page.locator('#refund').textContent()).toContain('refunds');
      await page.click('#cancel-btn');
      await expect.poll(() => dialogs.length).toBe(1);
      expect(dialogs).toEqual([expect.stringMatching(/refunds nothing/)]);
      expect(await orderStatusOf(w, b.holdId)).toBe('confirmed'); // dismissed: nothing happened
      accept = true;
      await page.click('#cancel-btn');
      await page.locator('#status[data-status="cancelled"]').waitFor();
      expect(dialogs).toHaveLength(2);
      const refunds = await w.ctx.pg.query('SELECT amount_minor FROM refunds WHERE order_id = $1', [b.holdId]);
      expect(refunds.rows).toEqual([{ amount_minor: 0 }]);
    } finally {
      await w.ctx.pg.query('UPDATE events SET refund_cutoff_s = $2 WHERE id = $1', [w.sale.eventId, event!.refund_cutoff_s]);
    }
  });
});
