/**
 * End to end in headless Chromium: an organiser looks a waiting fan up on the dashboard's fan
 * panel, bans them with a reason, and sees the ban in the audit log; a screenshot is kept.
 */
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queueKeys } from '../../admission/queue-keys.js';
import { initSaleSettings } from '../../admission/sale-controls.js';
import { storedPlaceJson } from '../../admission/visitor-place.js';
import { seedSale, type SeededSale } from '../../scripts/seed-sale.js';
import { uniqueId } from '../../test/support/databases.js';
import { createAdmin } from '../accounts/admin-bootstrap.js';
import { accountsRoutes } from '../accounts/accounts-module.js';
import { adminRoutes } from './admin-module.js';
import { adminPageRoutes } from '../pages/admin-pages.js';
import { apiHarness, type ApiHarness } from '../../test/support/api-test-context.js';
import { launchChromium, hasChromium } from '../../test/support/chromium.js';

let h: ApiHarness;
let server: ServerType;
let base: string;
let browser: Browser | undefined;
let sale: SeededSale;
const email = `${uniqueId('organiser')}@usher.local`;
const password = 'fan panel password 1';
const visitor = uniqueId('visitor');

describe.skipIf(!hasChromium)('the dashboard\'s fan panel in headless Chromium', () => {
  beforeAll(async () => {
    h = await apiHarness([(s) => accountsRoutes(s), adminRoutes, adminPageRoutes]);
    await createAdmin(h.ctx.pg, email, password);
    sale = await seedSale(h.db.pool, {
      key: uniqueId('e2e'), title: 'Fan Panel Night',
      sections: [{ name: 'Floor', kind: 'ga', capacity: 100, tierCode: 'GA' }],
      tiers: [{ code: 'GA', name: 'Standing', priceMinor: 4500 }],
    });
    await h.services.inventory.publish(sale.saleId);
    await initSaleSettings(h.ctx.redis, sale.saleId, { ratePerMin: 60, maxActive: 10, opensAtMs: Date.now() - 60_000, closesAtMs: Date.now() + 3_600_000, prequeueOpensAtMs: Date.now() - 120_000 });
    const k = queueKeys(sale.saleId);
    await h.ctx.redis.zadd(k.waiting, 42, visitor);
    await h.ctx.redis.hset(k.visitors, visitor, storedPlaceJson({ state: 'waiting', ticket: 42 }));
    server = await new Promise<ServerType>((resolve) => { const s = serve({ fetch: h.app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s)); });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => server?.close(r));
    await h?.close();
  });

  it('looks a fan up, bans them with a reason, and shows the audit entry', async () => {
    const page = await browser!.newPage({ viewport: { width: 1280, height: 1600 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('dialog', (d) => void d.accept());
    await page.goto(`${base}/admin/dashboard?sale=${sale.saleId}`);
    await page.waitForURL(/\/admin\/login\?next=/);
    await page.getByLabel('E-mail').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(/\/admin\/dashboard\?sale=/);

    await page.locator('#fan-query').fill(visitor);
    await page.getByRole('button', { name: 'Look up' }).click();
    await expect.poll(() => page.locator('#fan-found').innerText(), { timeout: 10_000 }).toContain('Waiting · ticket 42');
    // no reason: nothing is sent
    await page.locator(`#fan-found button[data-action="ban"]`).click();
    await expect.poll(() => page.locator('#fan-result').innerText()).toContain('Give a reason');
    expect(await h.ctx.redis.hexists(queueKeys(sale.saleId).banned, visitor)).toBe(0);

    await page.getByLabel('Reason (required to act)').fill('scalper bot, 40 tabs');
    await page.locator(`#fan-found button[data-action="ban"]`).click();
    await expect.poll(() => page.locator('#fan-result').innerText(), { timeout: 10_000 }).toContain('Ban — done');
    expect(await h.ctx.redis.hexists(queueKeys(sale.saleId).banned, visitor)).toBe(1);
    await expect.poll(() => page.locator('#fan-found').innerText(), { timeout: 10_000 }).toContain(`banned by ${email}: scalper bot, 40 tabs`);
    await expect.poll(() => page.locator('#audit-rows').innerText(), { timeout: 10_000 }).toContain('fan.ban');
    expect(await page.locator('#audit-rows').innerText()).toContain('scalper bot, 40 tabs');
    expect(await page.locator('#audit-rows').innerText()).toContain(email);

    mkdirSync('test-artifacts', { recursive: true });
    await page.locator('#fan-panel').screenshot({ path: 'test-artifacts/dashboard-fans.png' });
    expect(errors).toEqual([]);
  });
});
