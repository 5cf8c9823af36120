/**
 * The moderators' review list (/admin/reviews) in headless Chromium against the whole API: an
 * admin picks the event, sees its reviews (text shown as text), cannot hide one without a reason,
 * hides it with one (gone from the public list, the author still sees it with the reason), and
 * shows it again; axe finds no serious or critical WCAG 2.1 AA violation on it. Screenshot: test-artifacts/admin-reviews.png.
 */
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckoutWorld } from '../../test/support/checkout-harness.js';
import { servedWorld, type ServedWorld } from '../../test/support/served-world.js';
import { adminToken } from '../../test/support/admin-test-kit.js';
import { hasChromium } from '../../test/support/chromium.js';
import { featureRoutes } from '../api/routes.js';

let w: CheckoutWorld;
let served: ServedWorld;
let browser: Browser;
let base: string;

describe.skipIf(!hasChromium)('review moderation page (headless Chromium)', () => {
  beforeAll(async () => {
    served = await servedWorld({ gateway: 'demo', features: featureRoutes }, { commits: false });
    ({ w, base, browser } = served);
  });
  afterAll(async () => {
    await served?.close();
  });

  it('lists an event\'s reviews; Hide needs a reason and hides; Show shows again', async () => {
    const author = async (email: string, name: string) =>
      (await w.ctx.pg.query<{ id: string }>(`INSERT INTO users (email, display_name) VALUES ($1, $2) RETURNING id`, [email, name])).rows[0]!.id;
    const rude = await author('rude@example.com', 'Rude Fan');
    const kind = await author('kind@example.com', 'Kind Fan');
    const review = async (userId: string, rating: number, body: string) =>
      (await w.ctx.pg.query<{ id: string }>('INSERT INTO reviews (event_id, user_id, rating, body) VALUES ($1, $2, $3, $4) RETURNING id', [w.sale.eventId, userId, rating, body])).rows[0]!.id;
    const bad = await review(rude, 1, '<b>spam</b> buy cheap tickets elsewhere');
    await review(kind, 5, 'Great night');
    const publicIds = async () => ((await w.json('GET', `/v1/events/${w.sale.eventId}/reviews`)).body.items as { id: string }[]).map((r) => r.id);
    expect(await publicIds()).toContain(bad);

    const admin = await adminToken(w.deps);
    const context = await browser.newContext();
    await context.addInitScript((t) => (globalThis as unknown as { sessionStorage: { setItem(k: string, v: string): void } }).sessionStorage.setItem('usher.admin.session', t),
      JSON.stringify({ accessToken: admin, refreshToken: 'unused' }));
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${base}/admin/reviews`);
    await page.locator(`#event option[value="${w.sale.eventId}"]`).waitFor({ state: 'attached' });
    await page.selectOption('#event', w.sale.eventId);
    await expect.poll(() => page.locator('#reviews tr').count()).toBe(2);
    expect(page.url()).toContain(`?event=${w.sale.eventId}`);
    const row = page.locator(`#reviews tr[data-review="${bad}"]`);
    expect(await row.locator('.review-body').innerText()).toBe('<b>spam</b> buy cheap tickets elsewhere');
    expect(await page.locator('#reviews b').count()).toBe(0);
    expect(await row.locator('.review-status').innerText()).toBe('shown');
    expect(await page.locator('header a[data-nav="reviews"]').getAttribute('aria-current')).toBe('page');

    // no reason: refused beside the field, nothing sent
    await row.getByRole('button', { name: 'Hide' }).click();
    expect(await row.locator('.field-error').innerText()).toBe('Give a reason: the author is told why.');
    const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
    expect(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
    expect((await w.ctx.pg.query('SELECT hidden_at FROM reviews WHERE id = $1', [bad])).rows).toEqual([{ hidden_at: null }]);

    await row.getByLabel('Reason for hiding the review by Rude Fan').fill('advertising');
    await row.getByRole('button', { name: 'Hide' }).click();
    await page.locator(`#reviews tr[data-review="${bad}"][data-hidden="true"]`).waitFor();
    expect(await page.locator(`#reviews tr[data-review="${bad}"] .review-status`).innerText()).toBe('hidden: advertising');
    expect(await page.locator('#message').innerText()).toBe('Review hidden.');
    expect((await w.ctx.pg.query('SELECT hidden_reason FROM reviews WHERE id = $1', [bad])).rows).toEqual([{ hidden_reason: 'advertising' }]);
    expect(await publicIds()).not.toContain(bad);
    const rudeToken = await w.deps.accessTokens.sign({ userId: rude, email: 'rude@example.com', role: 'fan' });
    expect((await w.json('GET', `/v1/events/${w.sale.eventId}/reviews/mine`, { token: rudeToken })).body.review).toMatchObject({ id: bad, hidden: { reason: 'advertising' } });
    await page.screenshot({ path: 'test-artifacts/admin-reviews.png', fullPage: true }).catch(() => undefined);

    // a reload keeps the event and shows the hidden review to the moderator
    await page.reload();
    await page.locator(`#reviews tr[data-review="${bad}"][data-hidden="true"]`).waitFor();
    await page.locator(`#reviews tr[data-review="${bad}"]`).getByRole('button', { name: 'Show' }).click();
    await page.locator(`#reviews tr[data-review="${bad}"][data-hidden="false"]`).waitFor();
    expect(await page.locator('#message').innerText()).toBe('Review shown again.');
    expect(await publicIds()).toContain(bad);
    expect(errors).toEqual([]);
  });

  it('the list route is for moderators only', async () => {
    expect((await w.json('GET', `/v1/admin/events/${w.sale.eventId}/reviews`)).status).toBe(401);
  });
});
