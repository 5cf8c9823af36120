/**
 * End to end in Debian's headless Chromium: a fan opens the waiting-room page, sees a position,
 * is admitted and lands on the checkout page (a stand-in API started here) with the pass in the
 * URL fragment. Screenshots go to test-artifacts/.
 */
import { describe, it, expect } from 'vitest';
import { createServer } from 'node:http';
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { JWK } from 'jose';
import { newRedis } from '../test/support/databases.js';
import { queueKeys } from '../admission/queue-keys.js';
import { passVerifier } from '../admission/admission-pass.js';
import { startTestEdge, createSale, newVisitor, Fan } from '../test/support/edge-test-harness.js';
import { hashedVisitorId } from './fair-draw.js';
import { launchChromium } from '../test/support/chromium.js';


describe('the waiting-room page', () => {
  it('shows a position, admits the fan and sends them to checkout with the pass in the fragment', async () => {
    const checkout = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><title>Checkout</title><h1>Checkout for ${req.url}</h1>`);
    });
    await new Promise<void>((r) => checkout.listen(0, '127.0.0.1', r));
    const apiUrl = `http://127.0.0.1:${(checkout.address() as AddressInfo).port}`;
    const redis = newRedis();
    const edge = await startTestEdge({ PUBLIC_API_URL: apiUrl, EDGE_TICK_MS: '200' });
    const browser = await launchChromium();
    try {
      const saleId = await createSale(redis, { ratePerMin: 600, maxActive: 10 });
      await redis.hset(queueKeys(saleId).settings, 'paused', '1');
      // Two fans already wait, so the page has people ahead of it.
      const others = await Promise.all([0, 1].map(async () => {
        const fan = await Fan.open(edge.wsUrl(saleId));
        await fan.join((await newVisitor(edge.url)).token);
        return fan;
      }));
      const page = await (await browser.newContext({ viewport: { width: 390, height: 844 }, bypassCSP: true })).newPage();
      await page.goto(`${edge.url}/sales/${saleId}`);
      await page.waitForFunction("document.getElementById('ahead')?.textContent === '2'");
      expect(await page.textContent('#state')).toContain('paused');
      expect(await page.getAttribute('#position-region', 'aria-live')).toBe('polite');
      // the fan's own hashed draw id, computed by the page from its visitor token, and the published draw
      const token = (await page.evaluate("localStorage.getItem('usher.visitorToken')")) as string;
      const sub = (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { sub: string }).sub;
      await page.waitForFunction(`document.getElementById('draw-id')?.textContent === '${hashedVisitorId(saleId, sub)}'`);
      await page.waitForSelector('#draw-verify:not([hidden])', { state: 'attached' });
      expect(await page.getAttribute('#draw-link', 'href')).toBe(`/v1/sales/${saleId}/draw`);
      // this sale had no pre-queue: the draw is kept off the page (phone-screen.e2e.test.ts shows one that had)
      expect(await page.isVisible('#draw')).toBe(false);
      mkdirSync('test-artifacts', { recursive: true });
      await page.screenshot({ path: 'test-artifacts/waiting-room.png', fullPage: true });

      await fetch(`${edge.url}/v1/sales/${saleId}/controls`, {
        method: 'POST', headers: { authorization: 'Bearer test-admin-token-0123456789' }, body: JSON.stringify({ action: 'message', text: 'Doors open at 7pm' }),
      });
      await page.waitForFunction("document.getElementById('message')?.textContent === 'Doors open at 7pm'");
      await redis.hset(queueKeys(saleId).settings, 'paused', '0');
      await page.waitForURL(/\/checkout\//, { timeout: 20_000 });
      const landed = new URL(page.url());
      expect(landed.origin + landed.pathname).toBe(`${apiUrl}/checkout/${saleId}`);
      const pass = decodeURIComponent(landed.hash.replace(/^#pass=/, ''));
      const jwks = (await (await fetch(`${edge.url}/.well-known/jwks.json`)).json()) as { keys: JWK[] };
      expect((await passVerifier({ jwks }).verify(pass, saleId)).saleId).toBe(saleId);
      await page.screenshot({ path: 'test-artifacts/waiting-room-checkout.png' });
      await Promise.all(others.map((f) => f.close()));
    } finally {
      await browser.close();
      await edge.close();
      redis.disconnect();
      checkout.close();
    }
  }, 60_000);
});
