/**
 * The fan's account page in headless Chromium under the pages' strict CSP: log in, change the
 * name and the phone, change the password (the page keeps its session, the other device's is
 * revoked, the new password logs in); turn texts on (refused in words without a phone, then on
 * with one, and off); and on an event page a review written with HTML shows as
 * text. Screenshots go to test-artifacts/account-*.png.
 */
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedSale } from '../../scripts/seed-sale.js';
import { uniqueId } from '../../test/support/databases.js';
import { apiHarness, json, type ApiHarness } from '../../test/support/api-test-context.js';
import { launchChromium, hasChromium } from '../../test/support/chromium.js';
import { catalogRoutes } from '../catalog/catalog-module.js';
import { reviewRoutes } from '../catalog/review-module.js';
import { fanPageRoutes } from '../pages/fan-pages.js';
import { accountsRoutes } from './accounts-module.js';
import { smsRoutes } from './sms-routes.js';
import { startTwilioStandIn, type TwilioStandIn } from '../../test/support/twilio-stand-in.js';

let h: ApiHarness;
let server: ServerType;
let base: string;
let browser: Browser | undefined;
let twilio: TwilioStandIn | undefined;
const PASSWORD = 'correct horse battery';

describe.skipIf(!hasChromium)('account page in headless Chromium (needs Debian chromium at /usr/bin/chromium)', () => {
  beforeAll(async () => {
    twilio = await startTwilioStandIn();
    h = await apiHarness([(s) => accountsRoutes(s), smsRoutes, (s) => reviewRoutes(s), catalogRoutes, fanPageRoutes], twilio.env);
    server = await new Promise<ServerType>((resolve) => { const s = serve({ fetch: h.app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s)); });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchChromium();
    mkdirSync('test-artifacts', { recursive: true });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => server?.close(r));
    await h?.close();
    await twilio?.close();
  });

  it('changes the name and the password, and turns texts on and off', async () => {
    const email = `${uniqueId('page')}@example.com`;
    const reg = await h.app.request('/v1/auth/register', json({ email, password: PASSWORD }));
    const other = (await reg.json()) as { refreshToken: string; user: { id: string } };
    const page = await browser!.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));

    await page.goto(`${base}/account`);
    await page.waitForURL(/\/login\?next=%2Faccount/);
    await page.getByLabel('E-mail').fill(email);
    await page.getByLabel(/^Password/).fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(`${base}/account`);
    await expect.poll(() => page.locator('#account').isVisible(), { timeout: 10_000 }).toBe(true);
    expect(await page.locator('#current-email').innerText()).toBe(email);
    expect(await page.locator('header [data-who]').innerText()).toBe(email);

    // texts: without a phone number the switch is refused in words and stays off
    expect(await page.locator('#sms-result').innerText()).toBe('Texts need a phone number: add one under Profile first.');
    await page.getByLabel('Send me texts about my orders').check();
    await expect.poll(() => page.locator('#sms-result').innerText(), { timeout: 10_000 }).toBe('Texts need a phone number on your account: add one under Profile and save it, then turn texts on.');
    expect(await page.getByLabel('Send me texts about my orders').isChecked()).toBe(false);
    expect((await h.db.pool.query('SELECT sms_opt_in FROM users WHERE id = $1', [other.user.id])).rows).toEqual([{ sms_opt_in: false }]);

    await page.getByLabel(/^Name/).fill('Grace H.');
    await page.getByLabel(/^Phone/).fill('+44 7700 900123');
    await page.getByRole('button', { name: 'Save profile' }).click();
    await expect.poll(() => page.locator('#profile-result').innerText(), { timeout: 10_000 }).toBe('Saved.');
    const row = (await h.db.pool.query('SELECT display_name, phone FROM users WHERE id = $1', [other.user.id])).rows[0];
    expect(row).toEqual({ display_name: 'Grace H.', phone: '+447700900123' });
    // a number that is not one is said so beside the field
    await page.getByLabel(/^Phone/).fill('07700 900123');
    await page.getByRole('button', { name: 'Save profile' }).click();
    await expect.poll(() => page.locator('#phone-error').innerText(), { timeout: 10_000 }).toContain('E.164');
    await page.getByLabel(/^Phone/).fill('+447700900123');

    // with the number saved, the switch turns texts on, and off again
    await page.getByLabel('Send me texts about my orders').check();
    await expect.poll(() => page.locator('#sms-result').innerText(), { timeout: 10_000 }).toBe('Texts are on: we send your confirmations and reminders to +447700900123.');
    expect((await h.db.pool.query('SELECT sms_opt_in FROM users WHERE id = $1', [other.user.id])).rows).toEqual([{ sms_opt_in: true }]);
    await page.reload();
    await expect.poll(() => page.getByLabel('Send me texts about my orders').isChecked(), { timeout: 10_000 }).toBe(true);
    await page.getByLabel('Send me texts about my orders').uncheck();
    await expect.poll(() => page.locator('#sms-result').innerText(), { timeout: 10_000 }).toBe('Texts are off.');
    expect((await h.db.pool.query('SELECT sms_opt_in FROM users WHERE id = $1', [other.user.id])).rows).toEqual([{ sms_opt_in: false }]);

    await page.getByLabel('Current password').fill('not my password');
    await page.getByLabel(/^New password/).fill('an even better password');
    await page.getByRole('button', { name: 'Change password' }).click();
    await expect.poll(() => page.locator('#password-result').innerText(), { timeout: 10_000 }).toBe('That is not your current password.');
    await page.getByLabel('Current password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Change password' }).click();
    await expect.poll(() => page.locator('#password-result').innerText(), { timeout: 10_000 }).toContain('Password changed');
    await page.screenshot({ path: 'test-artifacts/account-page.png', fullPage: true });

    // the other device is logged out; the page is not; the new password logs in
    expect((await h.app.request('/v1/auth/refresh', json({ refreshToken: other.refreshToken }))).status).toBe(401);
    await page.reload();
    await expect.poll(() => page.locator('#account').isVisible(), { timeout: 10_000 }).toBe(true);
    expect(await page.getByLabel(/^Name/).inputValue()).toBe('Grace H.');
    expect((await h.app.request('/v1/auth/login', json({ email, password: 'an even better password' }))).status).toBe(200);
    expect(errors).toEqual([]);
  }, 60_000);

  it('shows a review written with HTML as text on the event page', async () => {
    const sale = await seedSale(h.db.pool, {
      key: uniqueId('page-rev'), title: 'Review Night', startsAt: new Date(Date.now() - 86_400_000),
      sections: [{ name: 'Floor', kind: 'ga', capacity: 10, tierCode: 'GA' }], tiers: [{ code: 'GA', name: 'Standing', priceMinor: 2000 }],
      sale: { prequeueOpensAt: new Date(Date.now() - 9e8), opensAt: new Date(Date.now() - 8e8), closesAt: new Date(Date.now() - 7e8), status: 'closed' },
    });
    const { rows } = await h.db.pool.query<{ id: string }>(`INSERT INTO users (email, display_name) VALUES ($1, '<i>Mallory</i>') RETURNING id`, [`${uniqueId('x')}@example.com`]);
    await h.db.pool.query(`INSERT INTO reviews (event_id, user_id, rating, body) VALUES ($1, $2, 4, $3)`, [sale.eventId, rows[0]!.id, '<img src=x onerror="window.pwned=1">Great <b>show</b>']);
    const page = await browser!.newPage();
    await page.goto(`${base}/events/${sale.eventId}`);
    await expect.poll(() => page.locator('#reviews li').count(), { timeout: 10_000 }).toBe(1);
    expect(await page.locator('#rating-summary').innerText()).toBe('★ 4.0 from 1 review');
    expect(await page.locator('#reviews .review-body').innerText()).toBe('<img src=x onerror="window.pwned=1">Great <b>show</b>');
    expect(await page.locator('#reviews strong').innerText()).toBe('<i>Mallory</i>');
    expect(await page.locator('#reviews img, #reviews b, #reviews i').count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as unknown as { pwned?: number }).pwned)).toBeUndefined();
    expect(await page.locator('#review-note').innerText()).toBe('Had a ticket? Log in to review this event.');
    await page.screenshot({ path: 'test-artifacts/account-event-reviews.png', fullPage: true });
  }, 30_000);
});
