/**
 * End to end in headless Chromium: an organiser logs in, opens the live dashboard during a small
 * simulated sale (edges' stats, queue, shoppers, holds and orders written as the real roles
 * write them), sees the numbers move, changes the admission rate, and a screenshot is kept.
 */
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queueKeys } from '../../admission/queue-keys.js';
import { initSaleSettings, readSaleSettings } from '../../admission/sale-controls.js';
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
let ticker: ReturnType<typeof setInterval> | undefined;
const email = `${uniqueId('organiser')}@usher.local`;
const password = 'dashboard password 1';

/** One tick of a small sale, as the edges (stats hash, queue) and checkout (holds, orders) would leave it. */
async function simulateTick(n: number): Promise<void> {
  const k = queueKeys(sale.saleId);
  const now = Date.now();
  await h.ctx.redis.hset(k.stats, `connected:edge-a`, String(200 + n * 7), `seen:edge-a`, String(now), `connected:edge-dead`, '999', `seen:edge-dead`, String(now - 60_000));
  await h.ctx.redis.hincrby(k.stats, 'admitted', 3);
  await h.ctx.redis.incrby(k.seq, 5);
  await h.ctx.redis.zadd(k.waiting, n, `visitor-${n}-a`, n + 0.5, `visitor-${n}-b`);
  await h.ctx.redis.zadd(k.active, now + 600_000, `jti-${n}`);
  await h.services.inventory.hold(sale.saleId, `jti-${n}`, { kind: 'best', tierCode: 'GA', quantity: 1 }).catch(() => undefined);
  if (n % 2 === 0) {
    await h.db.pool.query(`INSERT INTO orders (id, sale_id, event_id, email, payment_intent_id, amount_minor, currency, status) VALUES ($1, $2, $3, 'f@x.io', $1, 4500, 'EUR', 'confirmed')`,
      [`e2e-${sale.saleId}-${n}`, sale.saleId, sale.eventId]);
  }
}

describe.skipIf(!hasChromium)('live dashboard in headless Chromium (needs Debian chromium at /usr/bin/chromium)', () => {
  beforeAll(async () => {
    h = await apiHarness([(s) => accountsRoutes(s), adminRoutes, adminPageRoutes]);
    await createAdmin(h.ctx.pg, email, password);
    sale = await seedSale(h.db.pool, {
      key: uniqueId('e2e'), title: 'Dashboard Night',
      sections: [{ name: 'Floor', kind: 'ga', capacity: 500, tierCode: 'GA' }, { name: 'Block A', kind: 'reserved', rows: 5, seatsPerRow: 10, tierCode: 'P1' }],
      tiers: [{ code: 'GA', name: 'Standing', priceMinor: 4500 }, { code: 'P1', name: 'Premium', priceMinor: 9000 }],
    });
    await h.services.inventory.publish(sale.saleId);
    await initSaleSettings(h.ctx.redis, sale.saleId, { ratePerMin: 600, maxActive: 300, opensAtMs: Date.now() - 60_000, closesAtMs: Date.now() + 3_600_000, prequeueOpensAtMs: Date.now() - 120_000 });
    server = await new Promise<ServerType>((resolve) => { const s = serve({ fetch: h.app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s)); });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    let n = 0;
    await simulateTick(n++);
    ticker = setInterval(() => void simulateTick(n++).catch(() => undefined), 400);
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    clearInterval(ticker);
    await browser?.close();
    await new Promise((r) => server?.close(r));
    await h?.close();
  });

  it('logs in, sees the figures move, changes the rate, keeps a screenshot', async () => {
    const page = await browser!.newPage({ viewport: { width: 1280, height: 1400 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${base}/admin/dashboard?sale=${sale.saleId}`);
    await page.waitForURL(/\/admin\/login\?next=/);
    await page.getByLabel('E-mail').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(/\/admin\/dashboard\?sale=/);

    const text = (id: string): Promise<string> => page.locator(`#${id}`).innerText();
    const number = async (id: string): Promise<number> => Number((await text(id)).replace(/[^0-9.]/g, ''));
    await expect.poll(() => text('queue-length'), { timeout: 15_000 }).not.toBe('—');
    expect(await text('sale-title')).toBe('Dashboard Night');
    const first = { queue: await number('queue-length'), connected: await number('fans-connected'), holds: await number('holds') };
    // only the live edge counts; the one not seen for a minute is ignored
    expect(first.connected).toBeLessThan(999);
    await expect.poll(() => number('queue-length'), { timeout: 15_000 }).toBeGreaterThan(first.queue);
    await expect.poll(() => number('fans-connected'), { timeout: 15_000 }).toBeGreaterThan(first.connected);
    await expect.poll(() => number('holds'), { timeout: 15_000 }).toBeGreaterThan(first.holds);
    await expect.poll(() => number('admitted-per-min'), { timeout: 15_000 }).toBeGreaterThan(0);
    expect(await number('rate-setting')).toBe(600);
    expect(await text('revenue')).toMatch(/[1-9]/);
    expect(await number('remaining')).toBe(550);

    await page.getByLabel('Admission rate (fans per minute)').fill('321');
    await page.getByRole('button', { name: 'Set rate' }).click();
    await expect.poll(() => text('control-result'), { timeout: 10_000 }).toContain('Rate set to 321');
    expect((await readSaleSettings(h.ctx.redis, sale.saleId)).ratePerMin).toBe(321);
    await expect.poll(() => number('rate-setting'), { timeout: 10_000 }).toBe(321);

    // let the charts draw a few points before the picture
    await page.waitForTimeout(2500);
    mkdirSync('test-artifacts', { recursive: true });
    await page.screenshot({ path: 'test-artifacts/dashboard.png', fullPage: true });
    expect(errors).toEqual([]);
  });
});
