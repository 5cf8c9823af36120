/**
 * The organiser console end to end in headless Chromium, against the whole API: an organiser logs
 * in, creates a venue, uploads its seat CSV (first with a mistake: the page shows the refused line
 * with its number and what is wrong), creates an event with a price per tier and a sale with its
 * settings, publishes it, sees the seat map preview, steers it live; a fan then buys a ticket
 * (admitted, hold, checkout, demo payment: the API calls the pages make); the console's order
 * list shows the order and the organiser refunds it. The organiser brands the sale (a refused colour
 * beside its field, the Markdown message previewed live) and the checkout page shows it. The console fits a 390 px phone screen.
 * Screenshots go to test-artifacts/console-*.png.
 */
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSaleSettings } from '../../admission/sale-controls.js';
import type { CheckoutWorld } from '../../test/support/checkout-harness.js';
import { servedWorld, type ServedWorld } from '../../test/support/served-world.js';
import { until } from '../../test/support/checkout-flow.js';
import { uniqueId } from '../../test/support/databases.js';
import { createAdmin } from '../accounts/admin-bootstrap.js';
import { featureRoutes } from '../api/routes.js';
import { hasChromium } from '../../test/support/chromium.js';

const PHONE = { width: 390, height: 844 };
let w: CheckoutWorld;
let served: ServedWorld;
let browser: Browser;
let base: string;
const adminEmail = `${uniqueId('console-admin')}@usher.local`;
const adminPassword = 'console admin password';

/** The value of an <input type="datetime-local"> for an instant (the browser runs in this process's time zone). */
function localInput(ms: number): string {
  return new Date(ms - new Date(ms).getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

async function shot(page: Page, name: string): Promise<void> {
  mkdirSync('test-artifacts', { recursive: true });
  await page.screenshot({ path: `test-artifacts/console-${name}.png`, fullPage: true });
}

async function overflow(page: Page, width: number): Promise<number> {
  return page.evaluate(`document.documentElement.scrollWidth - ${width}`);
}

describe.skipIf(!hasChromium)('organiser console (headless Chromium)', () => {
  beforeAll(async () => {
    served = await servedWorld({ gateway: 'demo', features: featureRoutes });
    ({ w, base, browser } = served);
    await createAdmin(w.ctx.pg, adminEmail, adminPassword);
  }, 120_000);

  afterAll(async () => {
    await served?.close();
  });

  it('creates a venue from a CSV, an event and a sale from nothing, publishes it; a fan buys; the organiser refunds', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('dialog', (d) => void d.accept());

    // the header's Console link, behind the organiser login
    await page.goto(`${base}/admin/login`);
    await page.getByLabel('E-mail').fill(adminEmail);
    await page.getByLabel('Password').fill(adminPassword);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(/\/admin\/dashboard$/);
    await page.getByRole('navigation', { name: 'Organiser' }).getByRole('link', { name: 'Console' }).click();
    await page.waitForURL(/\/admin\/console$/);
    expect(await page.locator('header.site a[aria-current="page"]').innerText()).toBe('Console');

    // 1. the venue, with a standing floor, then its seats from a CSV
    await page.getByLabel('Venue name').fill('Console Hall');
    await page.getByLabel('City').fill('Leiden');
    await page.getByLabel('Standing areas (optional)').fill('Floor, GA, 40');
    await page.getByRole('button', { name: 'Create the venue' }).click();
    await page.locator('#csv-form').waitFor({ state: 'visible' });
    expect(await page.locator('#csv-result').innerText()).toContain('40 standing places');

    const bad = ['section,row,seat,tier', 'Stalls,A,1,P1', 'Stalls,A,2,VIP', 'Stalls,A,3,P1', 'Stalls,A,1,P1'].join('\n');
    await page.getByLabel('Or paste the seats').fill(bad);
    await page.getByRole('button', { name: 'Upload the seats' }).click();
    await page.locator('#csv-problems').waitFor({ state: 'visible' });
    expect(await page.locator('#csv-summary').innerText()).toBe('No seat was added: 2 lines have a mistake. Fix them and upload again.');
    expect(await page.evaluate('document.activeElement.id')).toBe('csv-summary'); // a screen reader lands on the summary
    const refused = page.locator('#csv-lines li');
    expect(await refused.count()).toBe(2);
    expect(await refused.nth(0).locator('.line-no').innerText()).toBe('Line 3');
    expect(await refused.nth(0).locator('code').innerText()).toBe('Stalls,A,2,VIP');
    expect(await refused.nth(0).locator('.field-error').innerText()).toContain('Unknown tier "VIP"');
    expect(await refused.nth(1).locator('.line-no').innerText()).toBe('Line 5');
    expect(await refused.nth(1).locator('.field-error').innerText()).toContain('first on line 2');
    expect((await w.ctx.pg.query(`SELECT count(*)::int AS n FROM seats st JOIN sections s ON s.id = st.section_id JOIN venues v ON v.id = s.venue_id WHERE v.name = 'Console Hall'`)).rows[0].n).toBe(0);
    await shot(page, 'csv-error');

    const rows = ['section,row,seat,tier'];
    for (const row of ['A', 'B', 'C']) for (let n = 1; n <= 12; n++) rows.push(row === 'C' ? `Balcony,${row},${n},GA` : `Stalls,${row},${n},P1`);
    await page.getByLabel('Or paste the seats').fill(rows.join('\n'));
    await page.getByRole('button', { name: 'Upload the seats' }).click();
    await expect.poll(() => page.locator('#csv-result').innerText()).toContain('36 seats added in 2 new sections');
    expect(await page.locator('#csv-problems').isHidden()).toBe(true);
    await page.getByRole('button', { name: 'Done with this venue' }).click();

    // 2. the event: the venue chosen, a price per tier, a refund policy
    await expect.poll(() => page.locator('#event-prices input').count()).toBe(2);
    await page.getByLabel('Title').fill('Console Night');
    await page.getByLabel('Performer').fill('The Organisers');
    await page.getByLabel('Standing (GA)').fill('35');
    await page.getByLabel('Premium (P1)').fill('79.50');
    await page.getByLabel(/^Refund policy/).selectOption('86400');
    await page.getByRole('button', { name: 'Create and publish the event' }).click();
    await expect.poll(() => page.locator('#sale-event').inputValue()).not.toBe('');
    await expect.poll(() => page.locator('#sale-refund').innerText()).toContain('until 1 day before the show');
    const { rows: [event] } = await w.ctx.pg.query(`SELECT id, status, refund_cutoff_s FROM events WHERE title = 'Console Night'`);
    expect(event).toMatchObject({ status: 'published', refund_cutoff_s: 86400 });

    // 3. the sale, open since a minute ago, with every setting
    const now = Date.now();
    await page.getByLabel('Waiting room opens').fill(localInput(now - 3 * 60_000));
    await page.getByLabel('Sale opens').fill(localInput(now - 2 * 60_000));
    await page.getByLabel('Sale closes').fill(localInput(now + 3_600_000));
    await page.getByLabel('Admission rate (fans per minute)').fill('240');
    await page.getByLabel('Maximum shoppers at once').fill('50');
    await page.getByLabel(/^Hold time/).fill('300');
    await page.getByLabel('Tickets per fan').fill('4');
    await page.getByLabel('Proof-of-work difficulty (bits)').fill('3');
    await page.getByLabel('Queue mode once open').selectOption('passthrough');
    // a mistake first: closing before it opens, said beside the field
    await page.getByLabel('Sale closes').fill(localInput(now - 3_600_000));
    await page.getByRole('button', { name: 'Create the sale' }).click();
    await expect.poll(() => page.locator('#sale-closes-error').innerText()).toBe('The sale must open before it closes.');
    await shot(page, 'setup');
    await page.getByLabel('Sale closes').fill(localInput(now + 3_600_000));
    await page.getByRole('button', { name: 'Create the sale' }).click();
    await page.waitForURL(/\/admin\/console\/sale\?sale=/);
    const saleId = new URL(page.url()).searchParams.get('sale')!;
    const { rows: [saleRow] } = await w.ctx.pg.query('SELECT status, admission_rate_per_min, max_active_shoppers, hold_seconds, per_fan_limit, pow_difficulty FROM sales WHERE id = $1', [saleId]);
    expect(saleRow).toEqual({ status: 'draft', admission_rate_per_min: 240, max_active_shoppers: 50, hold_seconds: 300, per_fan_limit: 4, pow_difficulty: 3 });

    // the sale page: its settings, the seat map preview, publish with the queue mode
    await expect.poll(() => page.locator('#sale-title').innerText()).toBe('Console Night');
    expect(await page.locator('#sale-status').innerText()).toBe('Draft');
    // the refund policy is the event's: it shows once the event has loaded, after the title
    await expect.poll(() => page.locator('#facts').innerText()).toContain('Full refund until 1 day before the show');
    await expect.poll(() => page.locator('svg.seat-map circle').count()).toBe(36);
    expect(await page.locator('#map-summary').innerText()).toBe('3 sections, 36 seats and 40 standing places.');
    expect(await page.locator('#map-legend').innerText()).toMatch(/Premium · .*79[.,]50/);
    expect(await page.locator('#publish-mode').inputValue()).toBe('passthrough');
    await page.getByRole('button', { name: 'Publish the sale' }).click();
    await expect.poll(async () => `${await page.locator('#sale-status').innerText()} ${await page.locator('#publish-result').innerText()}`).toBe('On sale ');
    await expect.poll(() => page.locator('#control-result').innerText()).toBe('Published: 76 places on sale in 8 pools.');
    expect((await readSaleSettings(w.ctx.redis, saleId)).mode).toBe('passthrough');
    expect(await page.locator('#dashboard-link').getAttribute('href')).toBe(`/admin/dashboard?sale=${saleId}`);

    // live controls
    await page.getByLabel('Admission rate (fans per minute)').fill('321');
    await page.getByRole('button', { name: 'Set rate' }).click();
    await expect.poll(() => page.locator('#control-result').innerText()).toBe('Rate set to 321 a minute — done.');
    await page.getByLabel('Maximum shoppers at once').fill('0');
    await page.getByRole('button', { name: 'Set maximum' }).click();
    await expect.poll(() => page.locator('#control-result').innerText()).toBe('Maximum shoppers: enter a whole number of at least 1.');
    await page.getByLabel('Maximum shoppers at once').fill('77');
    await page.getByRole('button', { name: 'Set maximum' }).click();
    await expect.poll(() => page.locator('#control-result').innerText()).toBe('Maximum set to 77 — done.');
    await page.getByLabel('Message to the queue').fill('Doors open at eight.');
    await page.getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => page.locator('#control-result').innerText()).toBe('Message sent — done.');
    await page.getByRole('button', { name: 'Pause admissions' }).click();
    await expect.poll(() => page.locator('#sale-status').innerText()).toBe('Paused');
    await page.getByRole('button', { name: 'Resume' }).click();
    await expect.poll(() => page.locator('#sale-status').innerText()).toBe('On sale');
    expect(await readSaleSettings(w.ctx.redis, saleId)).toMatchObject({ ratePerMin: 321, maxActive: 77, message: 'Doors open at eight.', paused: false, mode: 'passthrough' });

    // branding: a refused colour said beside its field, the Markdown previewed as it is typed, then saved and seen on the checkout page
    await page.getByLabel(/^Headline/).fill('Console tour 2027');
    await page.getByLabel(/^Accent colour/).fill('pink');
    await page.getByLabel(/^Logo address/).fill('/favicon.svg');
    await page.getByLabel(/^Message to fans/).fill('**Doors** at eight.\n\n- Bring photo ID\n- <b>no</b> bags');
    expect(await page.locator('#brand-preview-message strong').innerText()).toBe('Doors');
    expect(await page.locator('#brand-preview-message li').count()).toBe(2);
    expect(await page.locator('#brand-preview-message b').count()).toBe(0);
    expect(await page.locator('#brand-preview-headline').innerText()).toBe('CONSOLE TOUR 2027'); // shown in capitals by the stylesheet
    await page.getByRole('button', { name: 'Save the branding' }).click();
    await expect.poll(() => page.locator('#brand-accent-error').innerText()).toBe('Use a colour like #3a5bd9.');
    expect(await page.locator('#brand-accent').getAttribute('aria-invalid')).toBe('true');
    await page.getByLabel(/^Accent colour/).fill('#c2185b');
    await page.getByLabel(/^Banner colour/).fill('#3b0a45');
    expect(await page.evaluate("getComputedStyle(document.getElementById('brand-preview-head')).backgroundColor")).toBe('rgb(59, 10, 69)');
    await page.getByRole('button', { name: 'Save the branding' }).click();
    await expect.poll(() => page.locator('#branding-result').innerText()).toBe('Branding saved — fans see it within a minute.');
    expect(await page.locator('#brand-accent-error').innerText()).toBe('');
    const { rows: [branded] } = await w.ctx.pg.query('SELECT branding FROM sales WHERE id = $1', [saleId]);
    expect(branded.branding).toEqual({ logoUrl: '/favicon.svg', headline: 'Console tour 2027', accentColor: '#c2185b', bannerColor: '#3b0a45', messageMarkdown: '**Doors** at eight.\n\n- Bring photo ID\n- <b>no</b> bags' });
    await shot(page, 'branding');
    const fanPage = await browser.newPage({ viewport: PHONE });
    await fanPage.goto(`${base}/checkout/${saleId}#pass=${(await w.admit({ saleId })).token}`);
    await fanPage.locator('#event-head:not([hidden])').waitFor();
    expect(await fanPage.locator('#event-head .headline').textContent()).toBe('Console tour 2027');
    expect(await fanPage.locator('#event-head .logo').getAttribute('src')).toBe('/favicon.svg');
    expect(await fanPage.locator('[data-brand-message] strong').innerText()).toBe('Doors');
    expect(await fanPage.locator('[data-brand-message] li').count()).toBe(2);
    expect(await fanPage.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--accent').trim()")).toBe('#c2185b');
    await fanPage.screenshot({ path: 'test-artifacts/console-branding-checkout.png', fullPage: true });
    await fanPage.close();
    // after a reload the form shows what was saved
    await page.reload();
    await expect.poll(() => page.locator('#brand-headline').inputValue()).toBe('Console tour 2027');
    expect(await page.locator('#brand-preview-message strong').innerText()).toBe('Doors');

    // a fan buys two premium seats, as the checkout page does it
    const pass = await w.admit({ saleId });
    const hold = await w.json('POST', `/v1/sales/${saleId}/holds`, { token: pass.token, body: { kind: 'best', tierCode: 'P1', quantity: 2 }, headers: { 'idempotency-key': uniqueId('k') } });
    expect(hold.status, JSON.stringify(hold.body)).toBe(201);
    expect(hold.body.amountMinor).toBe(15900);
    const co = await w.json('POST', `/v1/holds/${hold.body.holdId}/checkout`, { token: pass.token, body: { email: 'console-fan@example.com' }, headers: { 'idempotency-key': uniqueId('k') } });
    expect(co.status, JSON.stringify(co.body)).toBeLessThan(300);
    expect((await w.json('POST', `/v1/holds/${hold.body.holdId}/demo-pay`, { token: pass.token })).status).toBeLessThan(300);
    await until('order confirmed', async () => (await w.ctx.pg.query(`SELECT status FROM orders WHERE id = $1`, [hold.body.holdId])).rows[0]?.status === 'confirmed');
    const { rows: [order] } = await w.ctx.pg.query('SELECT number FROM orders WHERE id = $1', [hold.body.holdId]);

    // the order list shows it; the organiser refunds it in full
    await page.getByRole('button', { name: 'Refresh' }).click();
    await expect.poll(() => page.locator('#orders-count').innerText()).toBe('1 order');
    const line = page.locator(`#orders tr[data-order="${hold.body.holdId}"]`);
    expect(await line.locator('th').innerText()).toBe(order.number);
    expect(await line.innerText()).toMatch(/console-fan@example\.com\s+Paid\s+2\s+.*159[.,]00/);
    await shot(page, 'sale');
    // by keyboard: the button is reached and pressed like any other
    await line.getByRole('button', { name: `Refund order ${order.number}` }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#orders-result').innerText()).toMatch(new RegExp(`^Order ${order.number} refunded: .*159[.,]00\\.$`));
    await expect.poll(() => line.innerText()).toMatch(/Cancelled\s+0\s+.*refunded/);
    const refunds = await w.ctx.pg.query('SELECT amount_minor, status, reason FROM refunds WHERE order_id = $1', [hold.body.holdId]);
    expect(refunds.rows).toEqual([{ amount_minor: 15900, status: 'succeeded', reason: 'organiser' }]);

    // closing ends it: the inventory stops selling, the controls say so in words
    await page.getByRole('button', { name: 'Close the sale' }).click();
    await expect.poll(() => page.locator('#sale-status').innerText()).toBe('Closed');
    await page.getByRole('button', { name: 'Resume' }).click();
    await expect.poll(() => page.locator('#control-result').innerText()).toBe('The sale is closed.');
    const late = await w.json('POST', `/v1/sales/${saleId}/holds`, { token: (await w.admit({ saleId })).token, body: { kind: 'best', tierCode: 'GA', quantity: 1 }, headers: { 'idempotency-key': uniqueId('k') } });
    expect(late.status).toBeGreaterThanOrEqual(400);

    // the console on a phone: nothing wider than the screen
    await page.setViewportSize(PHONE);
    for (const [name, url, ready] of [
      ['phone-sale', page.url(), '#orders tr'],
      ['phone-setup', `${base}/admin/console`, '#sale-list li'],
    ] as const) {
      await page.goto(url);
      await page.locator(ready).first().waitFor();
      expect(await overflow(page, PHONE.width), name).toBe(0);
      await shot(page, name);
    }
    expect(errors).toEqual([]);
  }, 120_000);
});
