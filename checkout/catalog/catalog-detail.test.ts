import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedSale, type SeededSale } from '../../scripts/seed-sale.js';
import { freshDatabase, uniqueId, type FreshDatabase } from '../../test/support/databases.js';
import { apiHarness, type ApiHarness } from '../../test/support/api-test-context.js';
import { adminPageRoutes } from '../pages/admin-pages.js';
import { countedCatalogRoutes } from '../../test/support/catalog-test-module.js';
import { catalogRoutes } from './catalog-module.js';
import { fanPageRoutes } from '../pages/fan-pages.js';

const spec = (key: string, title: string) => ({
  key, title, sections: [{ name: 'Floor', kind: 'ga' as const, capacity: 40, tierCode: 'GA' }, { name: 'Block A', kind: 'reserved' as const, rows: 2, seatsPerRow: 5, tierCode: 'P1' }],
  tiers: [{ code: 'GA', name: 'Standing', priceMinor: 4500 }, { code: 'P1', name: 'Premium', priceMinor: 9000 }],
});

describe('GET /v1/events/:id', () => {
  let h: ApiHarness;
  let sale: SeededSale;
  const calls = { availability: 0 };
  beforeAll(async () => {
    // a TTL long enough that 70 requests fit in it on a loaded machine; the lapse is polled for below
    h = await apiHarness([countedCatalogRoutes(calls, 2000)]);
    sale = await seedSale(h.db.pool, spec(uniqueId('detail'), 'Detail Night'));
    await h.services.inventory.publish(sale.saleId);
  });
  afterAll(() => h?.close());

  it('shows venue, sections, tiers and live availability, asking Redis once per sale per TTL however many ask', async () => {
    const many = await Promise.all(Array.from({ length: 50 }, () => h.app.request(`/v1/events/${sale.eventId}`)));
    expect(many.every((r) => r.status === 200)).toBe(true);
    for (let i = 0; i < 20; i++) await h.app.request(`/v1/events/${sale.eventId}`);
    expect(calls.availability).toBe(1);
    const body = (await many[0]!.json()) as { title: string; venue: { city: string }; tiers: unknown[]; sections: unknown[]; sales: { queueUrl: string; availability: { status: string; sections: { free: number }[] } }[] };
    expect(body).toMatchObject({ title: 'Detail Night', venue: { city: 'Amsterdam' } });
    expect(body.tiers).toHaveLength(2);
    expect(body.sections).toHaveLength(2);
    expect(body.sales[0]!.queueUrl).toBe(`http://edge.test/sales/${sale.saleId}`);
    expect(body.sales[0]!.availability.status).toBe('on_sale');
    expect(body.sales[0]!.availability.sections.reduce((n, s) => n + s.free, 0)).toBe(50);

    // a hold shows up once the short cache lapses
    await h.services.inventory.hold(sale.saleId, 'jti-detail', { kind: 'best', tierCode: 'GA', quantity: 4 });
    const free = async () => ((await (await h.app.request(`/v1/events/${sale.eventId}`)).json()) as typeof body).sales[0]!.availability.sections.reduce((n, s) => n + s.free, 0);
    const deadline = Date.now() + 10_000;
    while ((await free()) !== 46 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(await free()).toBe(46);
    // the lapse cost one more Redis read, not one per request polled meanwhile
    expect(calls.availability).toBe(2);
  });

  it('answers 404 for drafts and unknown events, 400 for a malformed id', async () => {
    await h.db.pool.query(`UPDATE events SET status = 'draft' WHERE id = $1`, [sale.eventId]);
    expect((await h.app.request(`/v1/events/00000000-0000-4000-8000-000000000000`)).status).toBe(404);
    expect((await h.app.request(`/v1/events/not-a-uuid`)).status).toBe(400);
    await h.db.pool.query(`UPDATE events SET status = 'published' WHERE id = $1`, [sale.eventId]);
  });
});

describe('read replica', () => {
  let h: ApiHarness;
  let replica: FreshDatabase;
  beforeAll(async () => {
    replica = await freshDatabase();
    replica.pool.on('error', () => undefined);
    h = await apiHarness([catalogRoutes], { DATABASE_REPLICA_URL: replica.url });
  });
  afterAll(async () => {
    await h?.close();
    await replica?.drop();
  });

  it('serves the list and the event page from DATABASE_REPLICA_URL', async () => {
    const onReplica = await seedSale(replica.pool, spec(uniqueId('replica'), 'Alpha On The Replica'));
    const onPrimary = await seedSale(h.db.pool, spec(uniqueId('primary'), 'Alpha On The Primary'));
    const list = (await (await h.app.request('/v1/events?q=alpha')).json()) as { items: { id: string }[] };
    expect(list.items.map((i) => i.id)).toEqual([onReplica.eventId]);
    expect((await h.app.request(`/v1/events/${onReplica.eventId}`)).status).toBe(200);
    expect((await h.app.request(`/v1/events/${onPrimary.eventId}`)).status).toBe(404);
  });
});

describe('pages', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await apiHarness([fanPageRoutes, adminPageRoutes]);
  });
  afterAll(() => h?.close());

  it.each(['/', '/events/00000000-0000-4000-8000-000000000000', '/orders', '/login', '/register', '/verify-email', '/admin/login', '/admin/dashboard'])('serves %s as HTML under a strict CSP, with the shared header', async (path) => {
    const res = await h.app.request(path);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await res.text();
    expect(html).toContain('<html lang="en">');
    expect(html).not.toMatch(/<script>(?!<)/); // no inline script: the CSP would block it
    expect(html).toContain('<header class="site"');
    expect(html).not.toContain('<!--usher:header');
    expect(html).toContain('href="/assets/brand/usher.css"');
  });

  it('serves the scripts, the chart library and 304 on a matching ETag; nothing else', async () => {
    for (const path of ['/assets/fan/events.js', '/assets/fan/verify-email.js', '/assets/admin/dashboard.js', '/assets/brand/usher.css', '/assets/brand/common.js', '/assets/vendor/uplot.js', '/assets/vendor/uplot.css']) {
      const res = await h.app.request(path);
      expect(res.status, path).toBe(200);
      const again = await h.app.request(path, { headers: { 'if-none-match': res.headers.get('etag')! } });
      expect(again.status === 304 || path.startsWith('/assets/vendor'), path).toBe(true);
    }
    expect((await h.app.request('/assets/fan/..%2Fadmin%2Fdashboard.js')).status).toBe(404);
    expect((await h.app.request('/assets/fan/nope.js')).status).toBe(404);
    const icon = await h.app.request('/favicon.svg');
    expect([icon.status, icon.headers.get('content-type')]).toEqual([200, 'image/svg+xml']);
    expect(await icon.text()).toContain('<svg');
  });
});
