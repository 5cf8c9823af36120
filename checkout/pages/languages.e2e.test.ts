/**
 * The waiting room (edge), checkout and order pages (API) in each of the five languages, in
 * headless Chromium under the pages' real CSP: the language comes from the browser's
 * Accept-Language (Playwright's `locale` sets it and navigator.languages), `<html lang dir>`
 * follow it, and the sale's branding (set through the admin API) shows on every page with the
 * organiser's Markdown rendered as a few safe elements, its HTML as text. The switcher changes the
 * language at once and the choice (a cookie) follows the fan from the edge's port to the API's.
 * The checkout page is seen with its seat picker and, seats held, its price breakdown (fee, VAT, a
 * promo code) in each language; the order page with its breakdown.
 * Screenshots: test-artifacts/lang-<lang>-<page>.png.
 */
import { readFileSync, mkdirSync } from 'node:fs';
import { runInNewContext } from 'node:vm';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckoutWorld } from '../../test/support/checkout-harness.js';
import { servedWorld, type ServedWorld } from '../../test/support/served-world.js';
import { uniqueId } from '../../test/support/databases.js';
import { featureRoutes } from '../api/routes.js';
import { hasChromium } from '../../test/support/chromium.js';
import { startTestEdge, type TestEdge } from '../../test/support/edge-test-harness.js';
import { adminToken } from '../../test/support/admin-test-kit.js';
import { openEmptyQueue } from '../../queue-edge/opening-draw.js';
import { queueKeys } from '../../admission/queue-keys.js';
import { LANGUAGES } from '../../common/page-languages.js';
import { loadConfig } from '../../common/config.js';
import { priceDemoEvent } from '../../scripts/commerce-demo-hook.js';

const PHONE = { width: 390, height: 844 };
type Catalog = Record<string, string>;
const catalogs: Record<string, Catalog> = (() => {
  const window: { UsherCatalogs?: Record<string, Catalog> } = {};
  for (const l of LANGUAGES) runInNewContext(readFileSync(new URL(`./static/brand/i18n-${l}.js`, import.meta.url), 'utf8'), { window });
  return window.UsherCatalogs!;
})();
const LOCALES: Record<string, string> = { en: 'en-GB', es: 'es-ES', fr: 'fr-FR', de: 'de-DE', ja: 'ja-JP' };
const MESSAGE = 'Doors at **7pm**. Bring *photo ID*.\n\n- No bags over A4\n- [FAQ](https://example.com/faq)\n\n<img src=x onerror="window.__ran=1"><script>window.__ran=1</script>';

let w: CheckoutWorld;
let served: ServedWorld;
let browser: Browser;
let edge: TestEdge;
let base: string;
let orderUrl: string;

async function buyOneTicket(): Promise<string> {
  const fan = await w.admit();
  const hold = await w.json('POST', `/v1/sales/${w.sale.saleId}/holds`, { token: fan.token, body: { kind: 'best', sectionId: w.sale.sectionIds.Floor, quantity: 1 }, headers: { 'idempotency-key': uniqueId('k') } });
  expect(hold.status, JSON.stringify(hold.body)).toBe(201);
  const co = await w.json('POST', `/v1/holds/${hold.body.holdId}/checkout`, { token: fan.token, body: { email: `${uniqueId('lang')}@example.com` }, headers: { 'idempotency-key': uniqueId('k') } });
  expect(co.status, JSON.stringify(co.body)).toBeLessThan(300);
  const paid = await w.json('POST', `/v1/holds/${hold.body.holdId}/demo-pay`, { token: fan.token });
  expect(paid.status, JSON.stringify(paid.body)).toBeLessThan(300);
  return String(paid.body.orderUrl).replace(/^https?:\/\/[^/]+/, base);
}

const overflow = (page: Page): Promise<number> => page.evaluate(`document.documentElement.scrollWidth - ${PHONE.width}`);
const shot = async (page: Page, name: string): Promise<void> => {
  mkdirSync('test-artifacts', { recursive: true });
  await page.screenshot({ path: `test-artifacts/${name}.png`, fullPage: true });
};

describe.skipIf(!hasChromium)('the fan pages in five languages, branded (headless Chromium)', () => {
  beforeAll(async () => {
    served = await servedWorld({ gateway: 'demo', features: featureRoutes, sale: { rows: 4, seatsPerRow: 5, gaCapacity: 10, shardCount: 2, perFanLimit: 2 } });
    ({ w, base, browser } = served);
    edge = await startTestEdge({ PUBLIC_API_URL: base, EDGE_TICK_MS: '100' }, { pg: w.db.pool });
    const branded = await w.json('PATCH', `/v1/admin/sales/${w.sale.saleId}`, {
      token: await adminToken(w.deps),
      body: { branding: { logoUrl: '/favicon.svg', accentColor: '#c2185b', bannerColor: '#3b0a45', headline: 'World tour 2027', messageMarkdown: MESSAGE } },
    });
    expect(branded.status, JSON.stringify(branded.body)).toBe(200);
    // a fee, VAT and a promo code (the demo's pricing), so the breakdown has every row to translate
    await priceDemoEvent({ config: loadConfig({ NODE_ENV: 'test' }), pool: w.db.pool, sale: w.sale, say: () => undefined });
    orderUrl = await buyOneTicket();
    // fans ahead, so every language's waiting room shows a line
    const saleId = w.sale.saleId;
    await openEmptyQueue(edge.core.store, saleId);
    await edge.core.redis.hset(queueKeys(saleId).settings, 'rate_per_min', '1', 'max_active', '1');
    for (let i = 0; i < 12; i++) await edge.core.store.join(saleId, uniqueId('ahead'), false);
  }, 120_000);

  afterAll(async () => {
    await edge?.close();
    await served?.close();
  });

  it.each(LANGUAGES)('shows the waiting room, checkout and order pages in %s, from Accept-Language, branded', async (lang) => {
    const c = catalogs[lang]!;
    const context = await browser.newContext({ viewport: PHONE, locale: LOCALES[lang] });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));

    await page.goto(`${edge.url}/sales/${w.sale.saleId}`);
    await page.locator('#ticket', { hasText: /\d/ }).waitFor({ timeout: 15_000 });
    await page.locator('#event-head:not([hidden])').waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe(lang);
    expect(await page.locator('html').getAttribute('dir')).toBe('ltr');
    expect(await page.locator('#title').innerText()).toBe(c['room.title']);
    expect(await page.locator('.lede').innerText()).toBe(c['room.lede']);
    expect(await page.locator('#state').innerText()).toBe(c['room.state.open']);
    expect(await page.locator('#event-title').innerText()).toBe('The Flash Sale Tour');
    // the branding: headline as text, logo from the site, message as a few safe elements, its HTML as text
    expect(await page.locator('[data-brand-headline]').textContent()).toBe('World tour 2027');
    expect(await page.locator('[data-brand-logo]').getAttribute('src')).toBe('/favicon.svg');
    const message = page.locator('[data-brand-message]');
    expect(await message.locator('strong').innerText()).toBe('7pm');
    expect(await message.locator('li').count()).toBe(2);
    expect(await message.locator('a').getAttribute('href')).toBe('https://example.com/faq');
    expect(await message.locator('img, script').count()).toBe(0);
    expect(await message.innerText()).toContain('<script>');
    expect(await page.evaluate('window.__ran')).toBeUndefined();
    expect(await page.evaluate("getComputedStyle(document.getElementById('bar')).backgroundColor")).toBe('rgb(194, 24, 91)');
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    await shot(page, `lang-${lang}-room`);

    await page.goto(`${base}/checkout/${w.sale.saleId}#pass=${(await w.admit()).token}`);
    await page.locator('#event-head:not([hidden])').waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe(lang);
    expect(await page.locator('h1').innerText()).toBe(c['co.title']);
    expect(await page.locator('label[for="email"]').innerText()).toBe(c['co.email']);
    expect(await page.locator('header.site nav a[data-nav="orders"]').innerText()).toBe(c['nav.orders']);
    expect(await page.locator('#event-head .headline').textContent()).toBe('World tour 2027');
    expect(await page.locator('[data-brand-message] strong').innerText()).toBe('7pm');
    // the seat picker: its heading, legend and buttons, the quantity form's heading under it
    await page.locator('#seatmap-svg[data-ready="1"]').waitFor();
    expect(await page.locator('#seatmap-h').innerText()).toBe(c['co.seats.title']);
    const legend = await page.locator('#legend').innerText();
    for (const k of ['seat.legend.selection', 'seat.legend.held', 'seat.legend.sold']) expect(legend).toContain(c[k]);
    expect(await page.locator('#best-together').innerText()).toBe(c['seat.best.together']!.replace('{n}', '2'));
    expect(await page.locator('#pick-h').innerText()).toBe(c['co.orQuantity']);
    expect(await page.locator('#selection').innerText()).toBe(c['seat.none']);
    // hold the best two: the price breakdown (fee, VAT), the promo code and its button
    await page.locator('#best-together').click();
    await page.locator('#held:not([hidden]) #breakdown tr[data-key="total"]').waitFor();
    const row = (key: string) => page.locator(`#breakdown tr[data-key="${key}"] th`).innerText();
    expect(await row('tickets')).toBe(c['bd.tickets']!.replace('{n}', '2'));
    expect(await row('fee')).toBe(c['bd.fee']);
    expect(await row('tax')).toBe(c['bd.tax']!.replace('{rate}', '21'));
    expect(await row('total')).toBe(c['bd.total']);
    expect(await page.locator('label[for="promo-code"] [data-i18n="co.promo"]').innerText()).toBe(c['co.promo']);
    expect(await page.locator('#apply-btn').innerText()).toBe(c['co.apply']);
    expect(await page.locator('#held-h').innerText()).toBe(c['co.held.other']!.replace('{n}', '2'));
    // a promo code applied: its row, named in the language
    await page.locator('#promo-code').fill('DEMO10');
    await page.locator('#apply-btn').click();
    await page.locator('#breakdown tr[data-key="promo"]').waitFor();
    expect(await row('promo')).toBe(c['bd.promo']!.replace('{code}', 'DEMO10'));
    expect(await page.locator('#message').innerText()).toBe(c['co.codeApplied']);
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    await shot(page, `lang-${lang}-checkout`);

    await page.goto(orderUrl);
    await page.locator('#status[data-status="confirmed"]').waitFor({ timeout: 20_000 });
    expect(await page.locator('html').getAttribute('lang')).toBe(lang);
    expect(await page.locator('h1').innerText()).toBe(c['ord.title']);
    expect(await page.locator('#status').innerText()).toBe(c['ord.state.confirmed']);
    expect(await page.locator('#message').innerText()).toBe(c['ord.label.confirmed']);
    expect(await page.locator('#count').innerText()).toBe(c['ord.count.one']!.replace('{n}', '1'));
    expect(await page.locator('#breakdown tr[data-key="fee"] th').innerText()).toBe(c['bd.fee']);
    expect(await page.locator('#breakdown tr[data-key="tickets"] th').innerText()).toBe(c['bd.tickets']!.replace('{n}', '1'));
    await page.locator('#event-head:not([hidden])').waitFor();
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    await shot(page, `lang-${lang}-order`);
    expect(errors).toEqual([]);
    await context.close();
  }, 60_000);

  it('switches language at once with the switcher, and the choice follows the fan to the other port', async () => {
    const context = await browser.newContext({ viewport: PHONE, locale: 'en-US' });
    const page = await context.newPage();
    await page.goto(`${edge.url}/sales/${w.sale.saleId}`);
    await page.locator('#ticket', { hasText: /\d/ }).waitFor({ timeout: 15_000 });
    expect(await page.locator('#title').innerText()).toBe(catalogs.en!['room.title']);
    await page.getByLabel('Language').selectOption('de');
    expect(await page.locator('#title').innerText()).toBe(catalogs.de!['room.title']);
    expect(await page.locator('#state').innerText()).toBe(catalogs.de!['room.state.open']);
    expect(await page.locator('html').getAttribute('lang')).toBe('de');
    // the API's pages read the same cookie (cookies are per host, not per port)
    await page.goto(orderUrl);
    await page.locator('#status[data-status="confirmed"]').waitFor({ timeout: 20_000 });
    expect(await page.locator('h1').innerText()).toBe(catalogs.de!['ord.title']);
    expect(await page.locator('header.site select').inputValue()).toBe('de');
    await page.locator('header.site select').selectOption('ja');
    expect(await page.locator('h1').innerText()).toBe(catalogs.ja!['ord.title']);
    expect(await page.locator('#status').innerText()).toBe(catalogs.ja!['ord.state.confirmed']);
    await context.close();
  }, 60_000);

  it('lays the waiting room out right to left within the screen when the page is rtl', async () => {
    const page = await browser.newPage({ viewport: PHONE });
    await page.goto(`${edge.url}/sales/${w.sale.saleId}`);
    await page.locator('#ticket', { hasText: /\d/ }).waitFor({ timeout: 15_000 });
    await page.locator('[data-brand-message]:not([hidden])').waitFor(); // the branding arrives apart from the socket's first answer
    await page.evaluate("document.documentElement.dir = 'rtl'");
    const message = await page.locator('[data-brand-message]').boundingBox();
    const border = await page.evaluate("getComputedStyle(document.querySelector('[data-brand-message]')).borderRightWidth");
    expect(border).toBe('4px'); // the message's accent line is on its start side, the right in rtl
    expect(message!.x + message!.width).toBeLessThanOrEqual(PHONE.width);
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    await shot(page, 'lang-rtl-room');
  });
});
