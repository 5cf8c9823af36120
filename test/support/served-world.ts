/**
 * A checkout world as the browser tests need it: served over HTTP on a free port (its pages and
 * API at `base`, which is also the world's PUBLIC_API_URL), a commit worker unless told otherwise,
 * and headless Chromium. `close()` stops them in the order that drains cleanly.
 */
import { serve, type ServerType } from '@hono/node-server';
import type { Browser, Page } from 'playwright-core';
import { startCommitWorker, type RunningWorker } from '../../checkout/worker/commit/commit-worker.js';
import { freePort } from '../../scripts/services.js';
import { checkoutWorld, type CheckoutWorld } from './checkout-harness.js';
import { launchChromium } from './chromium.js';

type WorldOptions = NonNullable<Parameters<typeof checkoutWorld>[0]>;

export interface ServedWorld {
  w: CheckoutWorld;
  base: string;
  browser: Browser;
  close(): Promise<void>;
}

export async function servedWorld(options: WorldOptions = {}, o: { commits?: boolean } = {}): Promise<ServedWorld> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const w = await checkoutWorld({ ...options, env: { PUBLIC_API_URL: base, ...options.env } });
  let server: ServerType | undefined;
  let worker: RunningWorker | undefined;
  let browser: Browser | undefined;
  const close = async (): Promise<void> => {
    await browser?.close();
    await worker?.close();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    await w.close();
  };
  try {
    server = await new Promise<ServerType>((resolve) => { const s = serve({ fetch: w.app.fetch, hostname: '127.0.0.1', port }, () => resolve(s)); });
    if (o.commits !== false) worker = startCommitWorker(w.deps, { concurrency: 2 });
    browser = await launchChromium();
  } catch (err) {
    await close();
    throw err;
  }
  return { w, base, browser, close };
}

/** An admitted fan on the checkout page holding `quantity` places of Block A by the form, as a fan does. */
export async function holdOnCheckoutPage(page: Page, served: Pick<ServedWorld, 'w' | 'base'>, quantity: number): Promise<void> {
  const { w, base } = served;
  const fan = await w.admit();
  await page.goto(`${base}/checkout/${w.sale.saleId}#pass=${fan.token}`);
  await page.locator('#section option').first().waitFor({ state: 'attached' });
  await page.selectOption('#section', w.sale.sectionIds['Block A']!);
  await page.fill('#quantity', String(quantity));
  await page.click('#hold-btn');
  await page.locator('#held').waitFor({ state: 'visible' });
}
