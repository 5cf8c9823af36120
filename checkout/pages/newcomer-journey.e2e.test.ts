/**
 * Issue 14's "done when", end to end in headless Chromium against the roles the demo runs: the API
 * (served on a port), a real edge (its own port, the waiting room and the admission tick, reading
 * the same PostgreSQL and Redis) and the commit worker. An organiser logs in, creates a venue from a
 * CSV file with reserved rows, an event with a price per tier and a sale whose queue mode is chosen
 * on the sale form (kept with the draft: the sale page shows it after a reload), and publishes it.
 * A fan, in a browser context of their own, opens the event page, joins the waiting room on the
 * edge, waits for the draw, is admitted, picks 2 seats on the map, holds them, pays with the demo
 * gateway and sees the order; the console's order list then shows it.
 * Screenshots of each step go to test-artifacts/newcomer-*.png.
 */
import { mkdirSync } from 'node:fs';
import { serve, type ServerType } from '@hono/node-server';
import type { Browser, Page } from 'playwright-core';
import type { JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSaleSettings } from '../../admission/sale-controls.js';
import { checkoutWorld, type CheckoutWorld } from '../../test/support/checkout-harness.js';
import { uniqueId } from '../../test/support/databases.js';
import { startTestEdge, type TestEdge } from '../../test/support/edge-test-harness.js';
import { launchChromium, hasChromium } from '../../test/support/chromium.js';
import { createAdmin } from '../accounts/admin-bootstrap.js';
import { featureRoutes } from '../api/routes.js';
import { startCommitWorker, type RunningWorker } from '../worker/commit/commit-worker.js';
import { freePort } from '../../scripts/services.js';

let w: CheckoutWorld;
let server: ServerType;
let edge: TestEdge;
let browser: Browser;
let worker: RunningWorker;
let base: string;
const adminEmail = `${uniqueId('newcomer-admin')}@usher.local`;
const adminPassword = 'newcomer admin password';
const fanEmail = 'newcomer-fan@example.com';

/** The value of an <input type="datetime-local"> for an instant (the browser runs in this process's time zone). */
function localInput(ms: number): string {
  return new Date(ms - new Date(ms).getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

let step = 0;
async function shot(page: Page, name: string): Promise<void> {
  mkdirSync('test-artifacts', { recursive: true });
  step += 1;
  await page.screenshot({ path: `test-artifacts/newcomer-${String(step).padStart(2, '0')}-${name}.png`, fullPage: true });
}

describe.skipIf(!hasChromium)('a newcomer runs a sale from the console; a fan buys seats in the browser (API + edge + worker)', () => {
  beforeAll(async () => {
    const port = await freePort();
    const edgePort = await freePort();
    base = `http://127.0.0.1:${port}`;
    const edgeEnv = { PUBLIC_API_URL: base, EDGE_TICK_MS: '100' };
    // the API trusts the edge's pass keys (kept in Redis, shared by every edge): read them from a first edge
    const first = await startTestEdge(edgeEnv, { port: edgePort });
    const jwks = (await (await fetch(`${first.url}/.well-known/jwks.json`)).json()) as { keys: JWK[] };
    await first.close();
    w = await checkoutWorld({ gateway: 'demo', env: { PUBLIC_API_URL: base, PUBLIC_EDGE_URL: `http://127.0.0.1:${edgePort}` }, features: featureRoutes, passJwks: jwks });
    server = await new Promise<ServerType>((resolve) => { const s = serve({ fetch: w.app.fetch, hostname: '127.0.0.1', port }, () => resolve(s)); });
    // the edge as the demo runs it: the sale's event from PostgreSQL, seat status from the inventory
    edge = await startTestEdge(edgeEnv, { port: edgePort, pg: w.db.pool, seatStatus: async (saleId) => (await w.deps.inventory.availability(saleId)).status });
    worker = startCommitWorker(w.deps, { concurrency: 2 });
    browser = await launchChromium();
    await createAdmin(w.ctx.pg, adminEmail, adminPassword);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await worker?.close();
    await edge?.close();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    await w?.close();
  });

  it('venue from a CSV, event, sale, publish; the fan waits, picks 2 seats, pays, sees the order; the console lists it', async () => {
    const organiser = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
    const page = await organiser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(`console: ${e.message}`));
    page.on('dialog', (d) => void d.accept());

    await page.goto(`${base}/admin/login`);
    await page.getByLabel('E-mail').fill(adminEmail);
    await page.getByLabel('Password').fill(adminPassword);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(/\/admin\/dashboard$/);
    await page.getByRole('navigation', { name: 'Organiser' }).getByRole('link', { name: 'Console' }).click();
    await page.waitForURL(/\/admin\/console$/);

    // 1. the venue, its tiers, then its reserved rows from a CSV file
    await page.getByLabel('Venue name').fill('Newcomer Hall');
    await page.getByLabel('City').fill('Utrecht');
    await page.getByLabel('Price tiers').fill('P1, Stalls\nP2, Circle');
    await page.getByRole('button', { name: 'Create the venue' }).click();
    await page.locator('#csv-form').waitFor({ state: 'visible' });
    const csv = ['section,row,seat,tier'];
    for (const row of ['A', 'B', 'C']) for (let n = 1; n <= 10; n++) csv.push(`Stalls,${row},${n},P1`);
    for (const row of ['D', 'E']) for (let n = 1; n <= 12; n++) csv.push(`Circle,${row},${n},P2`);
    await page.getByLabel('Seat file (CSV)').setInputFiles({ name: 'newcomer-hall.csv', mimeType: 'text/csv', buffer: Buffer.from(csv.join('\n') + '\n') });
    await expect.poll(() => page.getByLabel('Or paste the seats').inputValue()).toContain('Circle,E,12,P2');
    await page.getByRole('button', { name: 'Upload the seats' }).click();
    await expect.poll(() => page.locator('#csv-result').innerText()).toContain('54 seats added in 2 new sections');
    await shot(page, 'venue');
    await page.getByRole('button', { name: 'Done with this venue' }).click();

    // 2. the event, a price per tier
    await expect.poll(() => page.locator('#event-prices input').count()).toBe(2);
    await page.getByLabel('Title').fill('Newcomer Night');
    await page.getByLabel('Performer').fill('The First Timers');
    await page.getByLabel('Stalls (P1)').fill('45');
    await page.getByLabel('Circle (P2)').fill('30');
    await page.getByRole('button', { name: 'Create and publish the event' }).click();
    await expect.poll(() => page.locator('#sale-event').inputValue()).not.toBe('');
    await shot(page, 'event');

    // 3. the sale: open since a minute ago, the queue mode (a draw per window) chosen on the form
    const now = Date.now();
    await page.getByLabel('Waiting room opens').fill(localInput(now - 3 * 60_000));
    await page.getByLabel('Sale opens').fill(localInput(now - 2 * 60_000));
    await page.getByLabel('Sale closes').fill(localInput(now + 3_600_000));
    await page.getByLabel('Admission rate (fans per minute)').fill('600');
    await page.getByLabel('Maximum shoppers at once').fill('20');
    await page.getByLabel('Tickets per fan').fill('4');
    await page.getByLabel('Queue mode once open').selectOption('random');
    await page.getByRole('button', { name: 'Create the sale' }).click();
    await page.waitForURL(/\/admin\/console\/sale\?sale=/);
    const saleId = new URL(page.url()).searchParams.get('sale')!;
    // the mode is kept with the draft, not in the page address: a reload still shows it
    expect(new URL(page.url()).searchParams.get('mode')).toBeNull();
    await page.reload();
    await expect.poll(() => page.locator('#sale-title').innerText()).toBe('Newcomer Night');
    await expect.poll(() => page.locator('#publish-mode').inputValue()).toBe('random');
    await shot(page, 'sale-draft');

    await page.getByRole('button', { name: 'Publish the sale' }).click();
    await expect.poll(() => page.locator('#sale-status').innerText()).toBe('On sale');
    await expect.poll(() => page.locator('#control-result').innerText()).toMatch(/^Published: 54 places on sale/);
    expect((await readSaleSettings(w.ctx.redis, saleId)).mode).toBe('random');
    expect(await page.locator('#mode').inputValue()).toBe('random');
    await shot(page, 'published');

    // 4. the fan, in a browser of their own: the event page, then the waiting room on the edge
    const fanContext = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    const fan = await fanContext.newPage();
    const fanErrors: string[] = [];
    fan.on('pageerror', (e) => fanErrors.push(`${fan.url()}: ${e.message}`));
    const { rows: [event] } = await w.ctx.pg.query(`SELECT id FROM events WHERE title = 'Newcomer Night'`);
    await fan.goto(`${base}/events/${event.id}`);
    const join = fan.getByRole('link', { name: 'Join the queue' });
    await join.waitFor();
    expect(await join.getAttribute('href')).toBe(`${edge.url}/sales/${saleId}`);
    await shot(fan, 'fan-event');
    await join.click();
    await fan.waitForURL(`${edge.url}/sales/${saleId}`);
    // random mode: the fan waits for the window's draw (10 s windows), then is admitted; a fan who
    // arrives just as a window closes may be drawn before the page is seen waiting
    const waited = await fan.locator('#state[data-state="draw"]').waitFor({ timeout: 15_000 }).then(() => true, () => false);
    if (waited) {
      await expect.poll(() => fan.locator('#event-title').innerText()).toBe('Newcomer Night');
      await shot(fan, 'fan-waiting-room');
    } else expect(fan.url()).toMatch(new RegExp(`^${base}/checkout/${saleId}`));
    // admitted at the window's draw: the room sends the fan on to the checkout page with the pass
    // (in the address's fragment, which the page then takes out of the address bar)
    await fan.waitForURL(new RegExp(`^${base}/checkout/${saleId}`), { timeout: 30_000, waitUntil: 'commit' });

    // 5. two seats on the map, held, paid with the demo gateway
    await fan.locator('#seatmap-svg[data-ready="1"]').waitFor({ timeout: 30_000 });
    expect(await fan.locator('#seatmap-svg circle').count()).toBe(54);
    await expect.poll(() => fan.locator('#seatmap-svg circle[data-i="0"]').getAttribute('class')).toBe('f');
    await fan.locator('#seatmap-svg circle[data-i="0"]').click();
    await fan.locator('#seatmap-svg circle[data-i="1"]').click();
    expect(await fan.locator('#selection').textContent()).toMatch(/^Selected: Stalls, row A, seat 1; Stalls, row A, seat 2 — /);
    await shot(fan, 'fan-seats-picked');
    await fan.click('#hold-seats-btn');
    await fan.locator('#held').waitFor({ state: 'visible' });
    expect(await fan.locator('#items li').allTextContents()).toEqual([expect.stringMatching(/^Stalls, row A, seat 1/), expect.stringMatching(/^Stalls, row A, seat 2/)]);
    await shot(fan, 'fan-held');
    await fan.fill('#email', fanEmail);
    await fan.click('#checkout-btn');
    await fan.locator('#demo-pay-btn').waitFor({ state: 'visible' });
    await shot(fan, 'fan-pay');
    await fan.click('#demo-pay-btn');
    await fan.waitForURL(/\/orders\//);
    await fan.locator('#status[data-status="confirmed"]').waitFor({ timeout: 20_000 });
    expect(await fan.locator('#count').innerText()).toBe('2 tickets');
    await shot(fan, 'fan-order');

    // 6. the console's order list shows it
    const { rows: [order] } = await w.ctx.pg.query(`SELECT o.id, o.number, o.amount_minor FROM orders o WHERE o.sale_id = $1`, [saleId]);
    expect(order.amount_minor).toBe(9000);
    await page.getByRole('button', { name: 'Refresh' }).click();
    await expect.poll(() => page.locator('#orders-count').innerText()).toBe('1 order');
    const line = page.locator(`#orders tr[data-order="${order.id}"]`);
    expect(await line.locator('th').innerText()).toBe(order.number);
    expect(await line.innerText()).toMatch(new RegExp(`${fanEmail.replace(/\./g, '\\.')}\\s+Paid\\s+2\\s+.*90[.,]00`));
    await shot(page, 'console-orders');

    expect(errors).toEqual([]);
    expect(fanErrors).toEqual([]);
  }, 180_000);
});
