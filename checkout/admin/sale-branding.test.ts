/**
 * A sale's branding, set by the organiser through the admin API (sale PATCH) and read by the fan
 * pages from `GET /v1/sales/{sale}/page`: validated field by field (https logos or site paths only,
 * #rrggbb colours, no unknown keys), the Markdown message kept as typed (the pages render it
 * sanitised: markdown.unit.test.ts), null clears it, and a draft sale has no public page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiHarness, type ApiHarness } from '../../test/support/api-test-context.js';
import { adminRoutes } from './admin-module.js';
import { catalogRoutes } from '../catalog/catalog-module.js';
import { adminToken, call, venueEventSale } from '../../test/support/admin-test-kit.js';

let h: ApiHarness;
let admin: string;
beforeAll(async () => {
  h = await apiHarness([adminRoutes, catalogRoutes]);
  admin = await adminToken(h.services);
});
afterAll(() => h?.close());

const branding = {
  logoUrl: 'https://cdn.example.com/tour-logo.png', accentColor: '#c2185b', bannerColor: '#1a1a2e',
  headline: 'The 2027 tour presale', messageMarkdown: 'Doors at **7pm**. <script>alert(1)</script> [FAQ](https://example.com/faq)',
};

describe('sale branding', () => {
  it('is set by PATCH, shown on the public sale page once published, and cleared by null', async () => {
    const { saleId, eventId } = await venueEventSale(h.app, admin);
    const set = await call(h.app, admin, 'PATCH', `/v1/admin/sales/${saleId}`, { branding });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body.branding).toEqual(branding);
    // a draft is nobody's page yet
    expect((await call(h.app, '', 'GET', `/v1/sales/${saleId}/page`)).status).toBe(404);

    expect((await call(h.app, admin, 'POST', `/v1/admin/sales/${saleId}/publish`)).status).toBe(200);
    const page = await call(h.app, '', 'GET', `/v1/sales/${saleId}/page`);
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({ saleId, eventId, title: 'Test Night', venue: { name: 'Test Hall', city: 'Utrecht' }, hadPrequeue: true, branding });

    const cleared = await call(h.app, admin, 'PATCH', `/v1/admin/sales/${saleId}`, { branding: null });
    expect(cleared.body.branding).toEqual({});
  });

  it('refuses a logo that is not https or a site path, a colour that is not #rrggbb, and unknown fields; nothing changes', async () => {
    const { saleId } = await venueEventSale(h.app, admin);
    expect((await call(h.app, admin, 'PATCH', `/v1/admin/sales/${saleId}`, { branding: { headline: 'Kept' } })).status).toBe(200);
    const bad: unknown[] = [
      { logoUrl: 'javascript:alert(1)' }, { logoUrl: 'http://plain.example.com/x.png' }, { logoUrl: 'data:image/png;base64,AAAA' }, { logoUrl: '//evil.example.com/x.png' }, { logoUrl: '/\\evil.example.com/x.png' },
      { accentColor: 'red' }, { bannerColor: '#12345' }, { accentColor: '#123456; background:url(x)' },
      { headline: 'x'.repeat(121) }, { messageMarkdown: 'x'.repeat(4001) }, { css: 'body{}' },
    ];
    for (const b of bad) {
      const res = await call(h.app, admin, 'PATCH', `/v1/admin/sales/${saleId}`, { branding: b });
      expect(res.status, JSON.stringify(b)).toBe(422);
    }
    expect((await call(h.app, admin, 'GET', `/v1/admin/sales/${saleId}`)).body.branding).toEqual({ headline: 'Kept' });
  });
});
