/**
 * E-mail verification in the fan pages, in headless Chromium under their strict CSP: "My orders"
 * tells an unverified account why guest orders are missing and offers the link again; the page
 * the link opens posts the token from the fragment, says the address is verified, and takes the
 * token out of the address bar; an expired link gets a way forward instead.
 */
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueId } from '../../test/support/databases.js';
import { apiHarness, json, type ApiHarness } from '../../test/support/api-test-context.js';
import { fanPageRoutes } from '../pages/fan-pages.js';
import { accountsRoutes } from './accounts-module.js';
import { pricingRoutes } from '../pricing/pricing-routes.js';
import { emailVerificationTokens } from './email-verification-token.js';
import { launchChromium, hasChromium } from '../../test/support/chromium.js';

const tokens = emailVerificationTokens('test-secret-test-secret-test-secret-0123'); // the harness's AUTH_JWT_SECRET

let h: ApiHarness;
let server: ServerType;
let base: string;
let browser: Browser | undefined;

describe.skipIf(!hasChromium)('verify-email page in headless Chromium (needs Debian chromium at /usr/bin/chromium)', () => {
  beforeAll(async () => {
    // My orders also shows the loyalty balance (pricing routes)
    h = await apiHarness([(s) => accountsRoutes(s), fanPageRoutes, pricingRoutes]);
    server = await new Promise<ServerType>((resolve) => { const s = serve({ fetch: h.app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s)); });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => server?.close(r));
    await h?.close();
  });

  it('offers the link on My orders, verifies with it, then explains an expired one', async () => {
    const email = `${uniqueId('fan')}@example.com`;
    const reg = await h.app.request('/v1/auth/register', json({ email, password: 'correct horse battery' }));
    const { user } = (await reg.json()) as { user: { id: string } };
    const page = await browser!.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const failed: string[] = [];
    page.on('response', (r) => { if (r.status() >= 400 && !r.url().endsWith('/favicon.ico')) failed.push(`${r.status()} ${new URL(r.url()).pathname}`); });

    // "My orders" says the address is unverified and offers the link again (too soon after registering)
    await page.goto(`${base}/orders`);
    await page.getByLabel('E-mail').fill(email);
    await page.getByLabel(/^Password/).fill('correct horse battery');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect.poll(() => page.locator('#verify').isVisible(), { timeout: 10_000 }).toBe(true);
    expect(await page.locator('#verify-email').innerText()).toBe(email);
    await page.getByRole('button', { name: 'Send the link again' }).click();
    await expect.poll(() => page.locator('#verify-status').innerText(), { timeout: 10_000 }).toContain('ask again in');

    await page.goto(`${base}/verify-email#token=${await tokens.sign({ userId: user.id, email })}`);
    await expect.poll(() => page.locator('#result').getAttribute('data-outcome'), { timeout: 10_000 }).toBe('verified');
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('E-mail address confirmed');
    expect(await page.locator('#result').innerText()).toContain(email);
    expect(new URL(page.url()).hash).toBe('');
    expect((await h.db.pool.query('SELECT email_verified_at FROM users WHERE id = $1', [user.id])).rows[0].email_verified_at).not.toBeNull();
    await page.goto(`${base}/orders`);
    await expect.poll(() => page.locator('#status').innerText(), { timeout: 10_000 }).toBe('No orders yet.');
    await expect.poll(() => page.locator('#verify').isVisible()).toBe(false);

    await page.goto(`${base}/verify-email#token=${await tokens.sign({ userId: user.id, email }, -60)}`);
    await expect.poll(() => page.locator('#result').getAttribute('data-outcome'), { timeout: 10_000 }).toBe('verification_link_expired');
    expect(await page.locator('#result').innerText()).toContain('expired');
    expect(await page.getByRole('link', { name: 'Go to my orders' }).isVisible()).toBe(true);
    expect(failed).toEqual(['429 /v1/me/verification-email', '410 /v1/auth/verify-email']);
    expect(errors).toEqual([]);
  }, 30_000);
});
