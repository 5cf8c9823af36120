/**
 * The organiser's queue message is stored as given (markup included) and every page that shows it
 * — the fan's waiting-room page, served by the edge — renders it as text: on arrival (the position
 * update carries the message) and live (the `message` event). A message that were parsed as HTML
 * would run the organiser's markup in every waiting fan's browser. The admin dashboard only sends
 * the message (an input), and no checkout page shows it.
 */
import { describe, it, expect } from 'vitest';
import { newRedis } from '../test/support/databases.js';
import { queueKeys } from '../admission/queue-keys.js';
import { startTestEdge, createSale } from '../test/support/edge-test-harness.js';
import { launchChromium, hasChromium } from '../test/support/chromium.js';

const ADMIN = 'test-admin-token-0123456789';
const ON_ARRIVAL = '<img src=x onerror="window.__ran=(window.__ran||0)+1"><script>alert(1)</script>';
const LIVE = '<b onmouseover="alert(2)">Doors</b> at 7 <svg onload="window.__ran=(window.__ran||0)+1"></svg>';

/** What the checks below read of the page's window (this project's TypeScript has no DOM types). */
interface PageWindow {
  document: { getElementById(id: string): { textContent: string | null; childElementCount: number } | null; querySelectorAll(selector: string): { length: number } };
  MutationObserver: new (callback: (changes: { addedNodes: Iterable<{ nodeType: number }> }[]) => void) => { observe(target: unknown, options: { childList: boolean; subtree: boolean }): void };
  __ran?: number;
  __elementsAdded?: number;
}

describe.skipIf(!hasChromium)('the queue message on the waiting-room page', () => {
  it('is shown as the text the organiser typed, markup and all, and never runs', async () => {
    const redis = newRedis();
    const edge = await startTestEdge({ EDGE_TICK_MS: '100' });
    const browser = await launchChromium();
    const say = (saleId: string, text: string) => fetch(`${edge.url}/v1/sales/${saleId}/controls`, {
      method: 'POST', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: JSON.stringify({ action: 'message', text }),
    });
    try {
      const saleId = await createSale(redis, { ratePerMin: 60 });
      await redis.hset(queueKeys(saleId).settings, 'paused', '1'); // the fan stays on the waiting page
      expect((await say(saleId, ON_ARRIVAL)).status).toBe(200);
      const page = await browser.newPage();
      const dialogs: string[] = [];
      page.on('dialog', (d) => {
        dialogs.push(d.message());
        void d.dismiss();
      });
      await page.goto(`${edge.url}/sales/${saleId}`);
      // functions, not strings: the page's CSP forbids eval (which keeps it; the check runs under it)
      const shows = (text: string) => page.waitForFunction((t) => (globalThis as unknown as PageWindow).document.getElementById('message')?.textContent === t, text, { timeout: 10_000 });
      const elementsInMessage = () => page.evaluate(() => (globalThis as unknown as PageWindow).document.getElementById('message')?.childElementCount);
      await shows(ON_ARRIVAL);
      expect(await page.locator('#message').isVisible()).toBe(true);
      expect(await elementsInMessage()).toBe(0);

      // the live message is overwritten by the next position update: watch every change, not just the end state
      await page.evaluate(() => {
        const w = globalThis as unknown as PageWindow;
        w.__elementsAdded = 0;
        new w.MutationObserver((changes) => {
          for (const c of changes) for (const n of c.addedNodes) if (n.nodeType === 1) w.__elementsAdded = (w.__elementsAdded ?? 0) + 1;
        }).observe(w.document.getElementById('message')!, { childList: true, subtree: true });
      });
      expect((await say(saleId, LIVE)).status).toBe(200);
      await shows(LIVE);
      expect(await elementsInMessage()).toBe(0);
      expect(await page.evaluate(() => (globalThis as unknown as PageWindow).document.querySelectorAll('img:not([src="/favicon.svg"]):not([data-brand-logo]), svg, b, script:not([src])').length)).toBe(0);
      expect(await page.evaluate(() => (globalThis as unknown as PageWindow).__elementsAdded)).toBe(0);
      expect(await page.evaluate(() => (globalThis as unknown as PageWindow).__ran)).toBeUndefined();
      expect(dialogs).toEqual([]);
    } finally {
      await browser.close();
      await edge.close();
      redis.disconnect();
    }
  }, 60_000);
});
