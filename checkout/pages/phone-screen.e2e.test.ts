/**
 * Every fan page and the organiser dashboard on a 390×844 phone screen, in headless Chromium under
 * the pages' real CSP, against the whole API: no page is wider than the screen; the header reaches
 * Events, My orders and Log in / Register everywhere; counts read as words ("1 order", "1 ticket");
 * the API's validation failures show beside their fields in plain words; the search form's fields
 * line up. The waiting room (served by the edge) too, in each of its states: moving, paused, sold
 * out, closed and had-your-turn each fit the screen, name the event, and the end states replace
 * the waiting frame with a message and a way on. Screenshots of each page go to test-artifacts/
 * (phone-*.png).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckoutWorld } from '../../test/support/checkout-harness.js';
import { servedWorld, type ServedWorld } from '../../test/support/served-world.js';
import { uniqueId } from '../../test/support/databases.js';
import { createAdmin } from '../accounts/admin-bootstrap.js';
import { featureRoutes } from '../api/routes.js';
import { hasChromium } from '../../test/support/chromium.js';
import { startTestEdge, createSale, newVisitor, type TestEdge } from '../../test/support/edge-test-harness.js';
import { queueKeys } from '../../admission/queue-keys.js';
import { adminToken } from '../../test/support/admin-test-kit.js';
import { openEmptyQueue } from '../../queue-edge/opening-draw.js';
import { storedPlaceJson } from '../../admission/visitor-place.js';
import type { SeatStatus } from '../../queue-edge/queue-store.js';

const PHONE = { width: 390, height: 844 };

let w: CheckoutWorld;
let served: ServedWorld;
let browser: Browser;
let base: string;
let orderUrl: string;
let edge: TestEdge;
let seatStatus: SeatStatus = 'on_sale';
const fanEmail = `${uniqueId('phone-fan')}@example.com`;
const fanPassword = 'phone fan password';
const adminEmail = `${uniqueId('phone-admin')}@usher.local`;
const adminPassword = 'phone admin password';

/** A paid one-ticket guest order, bought through the API as the checkout page would. */
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

/** The page's width beyond the screen, 0 when it fits. */
async function overflow(page: Page): Promise<number> {
  // a string, so it runs in the page: this file is type-checked for Node, which has no `document`
  return page.evaluate(`document.documentElement.scrollWidth - ${PHONE.width}`);
}

async function shot(page: Page, name: string): Promise<void> {
  mkdirSync('test-artifacts', { recursive: true });
  await page.screenshot({ path: `test-artifacts/phone-${name}.png`, fullPage: true });
}

describe.skipIf(!hasChromium)('pages on a 390×844 phone screen (headless Chromium)', () => {
  beforeAll(async () => {
    served = await servedWorld({ gateway: 'demo', features: featureRoutes, sale: { rows: 4, seatsPerRow: 5, gaCapacity: 10, shardCount: 2, perFanLimit: 1 } });
    ({ w, base, browser } = served);
    orderUrl = await buyOneTicket();
    // the fan's account, its address verified, so the guest order is theirs under My orders
    expect((await w.json('POST', '/v1/auth/register', { body: { email: fanEmail, password: fanPassword } })).status).toBe(201);
    await w.db.pool.query('UPDATE users SET email_verified_at = now() WHERE lower(email) = lower($1)', [fanEmail]);
    await createAdmin(w.ctx.pg, adminEmail, adminPassword);
    // the edge on its own port, reading the sale's event from the same PostgreSQL; its links go to the API's pages
    edge = await startTestEdge({ PUBLIC_API_URL: base, EDGE_TICK_MS: '100' }, { pg: w.db.pool, seatStatus: async () => seatStatus });
  }, 120_000);

  afterAll(async () => {
    await edge?.close();
    await served?.close();
  });

  it('fits every fan page and the dashboard in 390 px, with the header and counts in words', async () => {
    const page = await browser.newPage({ viewport: PHONE });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const wide: string[] = [];
    const visit = async (name: string, url: string, ready: () => Promise<unknown>): Promise<void> => {
      await page.goto(url);
      await ready();
      const extra = await overflow(page);
      if (extra > 0) wide.push(`${name} is ${PHONE.width + extra} px wide`);
      await shot(page, name);
    };
    const header = async (): Promise<string[]> => page.locator('header.site nav a:visible').allInnerTexts();

    await visit('events', `${base}/`, () => page.locator('#status', { hasText: /shown/ }).waitFor());
    expect(await page.locator('#status').innerText()).toBe('1 event shown');
    expect(await header()).toEqual(['Events', 'My orders', 'Log in', 'Register']);

    await visit('event', `${base}/events/${w.sale.eventId}`, () => page.locator('#sales .sale-state').waitFor());
    expect(await page.locator('#sales').innerText()).toContain('Up to 1 ticket per fan.');

    await visit('register', `${base}/register`, () => page.locator('#account-form').waitFor());
    await visit('checkout', `${base}/checkout/${w.sale.saleId}#pass=${(await w.admit()).token}`, () => page.locator('#section option').first().waitFor({ state: 'attached' }));
    expect(await header()).toContain('Log in');
    // the event, named at the top of the checkout page
    await page.locator('#event-head:not([hidden])').waitFor();
    expect(await page.locator('#event-head .event-title').innerText()).toBe('The Flash Sale Tour');

    await visit('order', orderUrl, () => page.locator('#status[data-status="confirmed"]').waitFor({ timeout: 20_000 }));
    expect(await page.locator('#count').innerText()).toBe('1 ticket');
    expect(await header()).toEqual(['Events', 'My orders', 'Log in', 'Register']);
    expect(await page.locator('nav.next a').allInnerTexts()).toEqual(['My orders', 'All events']);
    await page.emulateMedia({ colorScheme: 'dark' });
    await shot(page, 'order-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    const icon = await page.request.get(`${base}/favicon.svg`);
    expect([icon.status(), icon.headers()['content-type']]).toEqual([200, 'image/svg+xml']);
    expect(await page.locator('link[rel="icon"]').getAttribute('href')).toBe('/favicon.svg');

    await visit('verify-email', `${base}/verify-email#token=not-a-real-token`, () => page.locator('#result:not([data-outcome="pending"])').waitFor());

    // My orders without a session goes to log in, and back after it
    await visit('login', `${base}/orders`, () => page.waitForURL(/\/login\?next=%2Forders$/));
    await page.getByLabel('E-mail').fill(fanEmail);
    await page.getByLabel(/^Password/).fill(fanPassword);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(/\/orders$/);
    await visit('orders', page.url(), () => page.locator('#status', { hasText: /order/ }).waitFor());
    expect(await page.locator('#status').innerText()).toBe('1 order');
    expect(await page.locator('#orders .order-line').innerText()).toMatch(/^Order USH-\S+ · 1 ticket · /);
    expect(await header()).toEqual(['Events', 'My orders']);
    expect(await page.locator('header.site [data-logout]').isVisible()).toBe(true);

    // the organiser: the list of sales is the page after login, then a sale's live dashboard
    await page.goto(`${base}/admin/dashboard`);
    await page.waitForURL(/\/admin\/login/);
    await page.getByLabel('E-mail').fill(adminEmail);
    await page.getByLabel('Password').fill(adminPassword);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(/\/admin\/dashboard$/);
    await visit('sales', `${base}/admin/dashboard`, () => page.locator('#sale-list li').first().waitFor());
    expect(await page.locator('#pick-h').innerText()).toBe('Sales');
    expect(await page.locator('#pick-count').innerText()).toBe('1 sale');
    await page.locator('#sale-list a').first().click();
    await page.waitForURL(/\?sale=/);
    await visit('dashboard', page.url(), () => page.locator('#updated-line').waitFor());
    expect(await page.locator('#sale-title').innerText()).toBe('The Flash Sale Tour');
    expect(await page.locator('.u-legend').first().innerText()).not.toContain('--');
    // a refused setting is said in words, not as a field path
    await page.getByLabel('Admission rate (fans per minute)').fill('0');
    await page.getByRole('button', { name: 'Set rate' }).click();
    await expect.poll(() => page.locator('#control-result').innerText(), { timeout: 10_000 }).toBe('Admission rate: enter a whole number of at least 1.');

    expect(wide).toEqual([]);
    expect(errors).toEqual([]);
  }, 90_000);

  it('says what is wrong with a field beside it, in plain words', async () => {
    const page = await browser.newPage({ viewport: PHONE });
    await page.goto(`${base}/register`);
    await page.getByLabel('E-mail').fill('not an address');
    await page.getByLabel(/^Password/).fill('short');
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect.poll(() => page.locator('#password-error').innerText(), { timeout: 10_000 }).toBe('Use at least 10 characters.');
    expect(await page.locator('#email-error').innerText()).toBe('Enter an e-mail address like name@example.com.');
    expect(await page.locator('#password').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#form-error').innerText()).toBe('');
    expect(await page.locator('main').innerText()).not.toMatch(/invalid body|body\.|Too small/);

    // a corrected field loses its message; the API still refuses the short password
    await page.getByLabel('E-mail').fill(`${uniqueId('fix')}@example.com`);
    expect(await page.locator('#email-error').innerText()).toBe('');
    await Promise.all([page.waitForResponse((r) => r.url().endsWith('/v1/auth/register')), page.getByRole('button', { name: 'Create account' }).click()]);
    await expect.poll(() => page.locator('#password-error').innerText(), { timeout: 10_000 }).toBe('Use at least 10 characters.');
    expect(await page.locator('#email-error').innerText()).toBe('');
  });

  it('lines the search fields up: Category sits with City, as tall as it', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${base}/`);
    const city = await page.locator('#city').boundingBox();
    const category = await page.locator('#category').boundingBox();
    const from = await page.locator('#from').boundingBox();
    expect(category!.y).toBeCloseTo(city!.y, 0);
    expect(category!.height).toBeCloseTo(city!.height, 0);
    expect(from!.height).toBeCloseTo(city!.height, 0);
    await page.locator('#status', { hasText: /shown/ }).waitFor();
    await page.screenshot({ path: 'test-artifacts/events-desktop.png', fullPage: true });
  });
  /** What the fan reads on the waiting room: the frame shown, its title, the visible text. */
  async function room(page: Page): Promise<{ frame: string | null; title: string; text: string }> {
    return { frame: await page.locator('body').getAttribute('data-frame'), title: await page.locator('#title').innerText(), text: await page.locator('main').innerText() };
  }
  const control = (saleId: string, body: unknown) => fetch(`${edge.url}/v1/sales/${saleId}/controls`, {
    method: 'POST', headers: { authorization: 'Bearer test-admin-token-0123456789', 'content-type': 'application/json' }, body: JSON.stringify(body),
  });

  it('shows the waiting room in 390 px in every state, naming the event; end states replace the waiting frame', async () => {
    const saleId = w.sale.saleId;
    expect((await control(saleId, { action: 'set_rate', ratePerMin: 1 })).status).toBe(200);
    expect((await control(saleId, { action: 'set_max_shoppers', maxActive: 1 })).status).toBe(200);
    // the sale opened before any edge ran: its opening draw had nobody in the pre-queue (as createSale does)
    await openEmptyQueue(edge.core.store, saleId);
    // fans ahead of ours, joined as the socket would
    for (let i = 0; i < 25; i++) await edge.core.store.join(saleId, uniqueId('ahead'), false);

    const page = await browser.newPage({ viewport: PHONE });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const wide: string[] = [];
    const check = async (name: string): Promise<void> => {
      const extra = await overflow(page);
      if (extra > 0) wide.push(`waiting room (${name}) is ${PHONE.width + extra} px wide`);
      await shot(page, `room-${name}`);
    };
    await page.goto(`${edge.url}/sales/${saleId}`);
    // moving: the place, the people ahead, the bar and the wait at a glance, under the event's name
    await page.locator('#ticket', { hasText: /Your number/ }).waitFor({ timeout: 15_000 });
    await expect.poll(async () => Number((await page.locator('#ahead').innerText()).replace(/\D/g, '')), { timeout: 10_000 }).toBeGreaterThan(0);
    expect(await page.locator('#event-title').innerText()).toBe('The Flash Sale Tour');
    expect(await page.locator('#event-when').innerText()).toMatch(/· .+, .+$/);
    expect(await page.locator('#eta').innerText()).toMatch(/min/);
    expect(await page.locator('#progress').isVisible()).toBe(true);
    expect((await room(page)).frame).toBe('waiting');
    // the sale had a pre-queue but nobody was in it: no draw to show
    expect(await page.locator('#draw').isVisible()).toBe(false);
    await check('moving');
    // the edge's port has the site's icon too
    const icon = await page.request.get(`${edge.url}/favicon.svg`);
    expect([icon.status(), icon.headers()['content-type']]).toEqual([200, 'image/svg+xml']);
    expect(await icon.text()).toBe(readFileSync(new URL('./static/brand/favicon.svg', import.meta.url), 'utf8'));

    expect((await control(saleId, { action: 'pause' })).status).toBe(200);
    await expect.poll(async () => (await room(page)).frame, { timeout: 10_000 }).toBe('paused');
    let r = await room(page);
    expect(r.title).toBe('The sale is paused');
    expect(r.text).toMatch(/You keep your place in line \(number \d+\)/);
    expect(r.text).not.toMatch(/Keep this page open\. When|people ahead|Estimated wait/i);
    expect(await page.locator('#end nav a:visible').allInnerTexts()).toEqual(['Event page', 'All events', 'My orders']);
    expect(await page.locator('#link-orders').getAttribute('href')).toBe(`${base}/orders`);
    await check('paused');
    expect((await control(saleId, { action: 'resume' })).status).toBe(200);
    await expect.poll(async () => (await room(page)).frame, { timeout: 10_000 }).toBe('waiting');

    seatStatus = 'sold_out';
    await expect.poll(async () => (await room(page)).frame, { timeout: 10_000 }).toBe('sold_out');
    r = await room(page);
    expect(r.title).toBe('Sold out');
    expect(r.text).not.toMatch(/people ahead|Estimated wait/i);
    await check('sold-out');
    seatStatus = 'on_sale';
    await expect.poll(async () => (await room(page)).frame, { timeout: 10_000 }).toBe('waiting');

    // had your turn: a visitor whose lease is over comes back
    const { token, visitorId } = await newVisitor(edge.url);
    await w.ctx.redis.hset(queueKeys(saleId).visitors, visitorId, storedPlaceJson({ state: 'admitted', pass: 'used', exp: Date.now() - 1000, jti: uniqueId('gone') }));
    const done = await browser.newPage({ viewport: PHONE });
    await done.addInitScript((t: string) => (globalThis as unknown as { localStorage: { setItem(k: string, v: string): void } }).localStorage.setItem('usher.visitorToken', t), token);
    await done.goto(`${edge.url}/sales/${saleId}`);
    await expect.poll(async () => (await room(done)).frame, { timeout: 10_000 }).toBe('done');
    r = await room(done);
    expect(r.title).toBe('You have had your turn');
    expect(r.text).toContain('My orders');
    expect(r.text).not.toMatch(/Keep this page open\. When|people ahead|Estimated wait/i);
    const extraDone = await overflow(done);
    if (extraDone > 0) wide.push(`waiting room (had-your-turn) is ${PHONE.width + extraDone} px wide`);
    await shot(done, 'room-had-your-turn');

    // closed by the organiser through the API (which also records it in PostgreSQL, for the event page)
    const closed = await w.json('POST', `/v1/admin/sales/${saleId}/controls`, { token: await adminToken(w.deps), body: { action: 'close' } });
    expect(closed.status, JSON.stringify(closed.body)).toBe(200);
    await expect.poll(async () => (await room(page)).frame, { timeout: 10_000 }).toBe('closed');
    r = await room(page);
    expect(r.title).toBe('This sale is closed');
    expect(r.text).not.toMatch(/Keep this page open\. When|people ahead|Estimated wait/i);
    await check('closed');
    // the event page agrees: closed, in one sentence, no queue to join
    const event = await browser.newPage({ viewport: PHONE });
    await event.goto(`${base}/events/${w.sale.eventId}`);
    await event.locator('#sales .sale-state').waitFor();
    expect(await event.locator('#sales .sale-state').allInnerTexts()).toEqual(['This sale has closed.']);
    expect(await event.locator('#sales').innerText()).not.toMatch(/opens|On sale/);
    expect(await event.getByRole('link', { name: 'Join the queue' }).count()).toBe(0);

    expect(wide).toEqual([]);
    expect(errors).toEqual([]);
  }, 90_000);

  it('shows the draw only where there was a pre-queue, its seed wrapped within 390 px', async () => {
    const redis = w.ctx.redis;
    const saleId = await createSale(redis, { prequeueOpensAtMs: Date.now() - 1000, opensAtMs: Date.now() + 6000, ratePerMin: 1, maxActive: 1 });
    const page = await browser.newPage({ viewport: PHONE });
    await page.goto(`${edge.url}/sales/${saleId}`);
    await page.locator('#state[data-state="prequeue"]').waitFor({ timeout: 10_000 });
    expect(await page.locator('#draw').isVisible()).toBe(true);
    await page.locator('#draw-status', { hasText: /seed [0-9a-f]{64}/ }).waitFor({ timeout: 30_000 });
    expect(await page.locator('#draw-verify').isVisible()).toBe(true);
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    await shot(page, 'room-drawn');
  }, 60_000);
});
