/**
 * An automated accessibility check (axe-core, WCAG 2.1 A and AA rules) over every fan page, the
 * waiting room (served by a real edge) and the organiser pages, in light and dark colours, in
 * headless Chromium under the pages' real CSP: no serious or critical violation anywhere. Each
 * violation is printed with its rule, the elements and axe's help text, so a failure says what to fix.
 * It found the dashboard's tiles putting a <small> straight into a <dl> (fixed: a second <dd>).
 */
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queueKeys } from '../../admission/queue-keys.js';
import { initSaleSettings } from '../../admission/sale-controls.js';
import type { CheckoutWorld } from '../../test/support/checkout-harness.js';
import { servedWorld, type ServedWorld } from '../../test/support/served-world.js';
import { uniqueId } from '../../test/support/databases.js';
import { startTestEdge, type TestEdge } from '../../test/support/edge-test-harness.js';
import { createAdmin } from '../accounts/admin-bootstrap.js';
import { featureRoutes } from '../api/routes.js';
import { hasChromium } from '../../test/support/chromium.js';

let w: CheckoutWorld;
let served: ServedWorld;
let browser: Browser;
let edge: TestEdge;
let base: string;
let orderUrl: string;
const fanEmail = `${uniqueId('a11y-fan')}@example.com`;
const fanPassword = 'a11y fan password';
const adminEmail = `${uniqueId('a11y-admin')}@usher.local`;
const adminPassword = 'a11y admin password';

/**
 * What axe found that is serious or critical, one line per rule with the elements it names. In
 * dark colours only the contrast rule runs: nothing else depends on the colour scheme.
 */
async function violations(page: Page, scheme: 'light' | 'dark'): Promise<string[]> {
  const axe = new AxeBuilder({ page });
  const result = await (scheme === 'dark' ? axe.withRules(['color-contrast']) : axe.withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 5).join(', ')}`);
}

async function buyOneTicket(): Promise<string> {
  const fan = await w.admit();
  const hold = await w.json('POST', `/v1/sales/${w.sale.saleId}/holds`, { token: fan.token, body: { kind: 'best', sectionId: w.sale.sectionIds.Floor, quantity: 1 }, headers: { 'idempotency-key': uniqueId('k') } });
  expect(hold.status, JSON.stringify(hold.body)).toBe(201);
  const co = await w.json('POST', `/v1/holds/${hold.body.holdId}/checkout`, { token: fan.token, body: { email: fanEmail }, headers: { 'idempotency-key': uniqueId('k') } });
  expect(co.status, JSON.stringify(co.body)).toBeLessThan(300);
  const paid = await w.json('POST', `/v1/holds/${hold.body.holdId}/demo-pay`, { token: fan.token });
  expect(paid.status, JSON.stringify(paid.body)).toBeLessThan(300);
  return String(paid.body.orderUrl).replace(/^https?:\/\/[^/]+/, base);
}

describe.skipIf(!hasChromium)('accessibility of every page (axe-core in headless Chromium)', () => {
  beforeAll(async () => {
    served = await servedWorld({ gateway: 'demo', features: featureRoutes });
    ({ w, base, browser } = served);
    edge = await startTestEdge({ PUBLIC_API_URL: base, EDGE_TICK_MS: '100' });
    orderUrl = await buyOneTicket();
    expect((await w.json('POST', '/v1/auth/register', { body: { email: fanEmail, password: fanPassword } })).status).toBe(201);
    await w.db.pool.query('UPDATE users SET email_verified_at = now() WHERE lower(email) = lower($1)', [fanEmail]);
    await createAdmin(w.ctx.pg, adminEmail, adminPassword);
  }, 120_000);

  afterAll(async () => {
    await edge?.close();
    await served?.close();
  });

  for (const scheme of ['light', 'dark'] as const) {
    it(`has no serious or critical violation on the fan pages and the waiting room (${scheme})`, async () => {
      const page = await (await browser.newContext({ colorScheme: scheme })).newPage();
      const found: Record<string, string[]> = {};
      const check = async (name: string, url: string, ready: () => Promise<unknown>): Promise<void> => {
        await page.goto(url);
        await ready();
        const v = await violations(page, scheme);
        if (v.length) found[name] = v;
      };
      await check('events', `${base}/`, () => page.locator('#status', { hasText: /shown/ }).waitFor());
      await check('event', `${base}/events/${w.sale.eventId}`, () => page.locator('#sales .sale-state').waitFor());
      await check('checkout', `${base}/checkout/${w.sale.saleId}#pass=${(await w.admit()).token}`, async () => { await page.locator('#section option').first().waitFor({ state: 'attached' }); await page.locator('#seatmap-svg[data-ready="1"]').waitFor(); });
      await check('order', orderUrl, () => page.locator('#status[data-status="confirmed"]').waitFor({ timeout: 20_000 }));
      await check('register', `${base}/register`, () => page.locator('#account-form').waitFor());
      await check('verify-email', `${base}/verify-email#token=not-a-real-token`, () => page.locator('#result:not([data-outcome="pending"])').waitFor());
      await check('login', `${base}/orders`, () => page.waitForURL(/\/login\?next=/));
      await page.getByLabel('E-mail').fill(fanEmail);
      await page.getByLabel(/^Password/).fill(fanPassword);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.waitForURL(/\/orders$/);
      await check('my orders', page.url(), () => page.locator('#status', { hasText: /order/ }).waitFor());

      // the waiting room on the edge: a sale open, admissions paused, so the fan waits in line
      await initSaleSettings(w.ctx.redis, w.sale.saleId, { ratePerMin: 60, maxActive: 100, opensAtMs: Date.now() - 60_000, closesAtMs: Date.now() + 3_600_000, prequeueOpensAtMs: Date.now() - 120_000 });
      await w.ctx.redis.hset(queueKeys(w.sale.saleId).settings, 'paused', '1');
      await check('waiting room', `${edge.url}/sales/${w.sale.saleId}`, () => page.waitForLoadState('networkidle'));
      expect(found).toEqual({});
    }, 90_000);

    it(`has no serious or critical violation on the organiser pages (${scheme})`, async () => {
      const page = await (await browser.newContext({ colorScheme: scheme })).newPage();
      const found: Record<string, string[]> = {};
      const check = async (name: string, url: string | null, ready: () => Promise<unknown>): Promise<void> => {
        if (url) await page.goto(url);
        await ready();
        const v = await violations(page, scheme);
        if (v.length) found[name] = v;
      };
      await check('admin login', `${base}/admin/login`, () => page.locator('#login-form').waitFor());
      await page.getByLabel('E-mail').fill(adminEmail);
      await page.getByLabel('Password').fill(adminPassword);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.waitForURL(/\/admin\/dashboard$/);
      await check('sales', null, () => page.locator('#sale-list li').first().waitFor());
      await check('dashboard', `${base}/admin/dashboard?sale=${w.sale.saleId}`, () => page.locator('#updated-line').waitFor());
      await check('console', `${base}/admin/console`, () => page.locator('#sale-list li').first().waitFor());
      // the console with its errors showing: a venue refused, then a CSV refused line by line
      await page.getByRole('button', { name: 'Create the venue' }).click();
      await check('console: venue errors', null, () => page.locator('#venue-name-error', { hasText: /./ }).waitFor());
      await page.getByLabel('Venue name').fill('A11y Hall');
      await page.getByLabel('City').fill('Zwolle');
      await page.getByRole('button', { name: 'Create the venue' }).click();
      await page.locator('#csv-form').waitFor({ state: 'visible' });
      await page.getByLabel('Or paste the seats').fill('section,row,seat,tier\nStalls,A,1,NOPE');
      await page.getByRole('button', { name: 'Upload the seats' }).click();
      await check('console: CSV errors', null, () => page.locator('#csv-lines li').first().waitFor());
      await check('console: sale', `${base}/admin/console/sale?sale=${w.sale.saleId}`, () => page.locator('svg.seat-map circle').first().waitFor());
      expect(found).toEqual({});
    }, 90_000);
  }
});
