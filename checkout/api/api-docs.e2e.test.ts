/**
 * `/docs` in headless Chromium with every request off this origin refused: Swagger UI must render
 * each operation of `/openapi.json` from files the API serves itself (no CDN, no validator).
 */
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiHarness, type ApiHarness } from '../../test/support/api-test-context.js';
import { featureRoutes } from './routes.js';
import { launchChromium, hasChromium } from '../../test/support/chromium.js';


let h: ApiHarness;
let server: ServerType;
let browser: Browser;
let base: string;

describe.skipIf(!hasChromium)('/docs (headless Chromium, offline)', () => {
  beforeAll(async () => {
    h = await apiHarness(featureRoutes);
    server = await new Promise<ServerType>((resolve) => {
      const s = serve({ fetch: h.app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    await h?.close();
  });

  it('renders every operation from same-origin files only', async () => {
    const page = await browser.newPage();
    const offOrigin: string[] = [];
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(base) || url.startsWith('data:')) return route.continue();
      offOrigin.push(url);
      return route.abort();
    });
    const doc = (await (await h.app.request('/openapi.json')).json()) as { paths: Record<string, object> };
    const operations = Object.values(doc.paths).reduce((n, ops) => n + Object.keys(ops).length, 0);
    await page.goto(`${base}/docs`);
    await page.locator('.opblock').nth(operations - 1).waitFor({ state: 'attached', timeout: 20_000 });
    expect(await page.locator('.opblock').count()).toBe(operations);
    expect(await page.locator('.info .title').textContent()).toContain('Usher API');
    expect(offOrigin).toEqual([]);
    expect(errors).toEqual([]);
  });
});
