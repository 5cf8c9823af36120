/**
 * `/openapi.json` lists every route the API serves: the test walks the app's route table
 * (`app.routes`) and fails on any route the document does not have, except the pages, assets and
 * probes named below. It also proves it would notice: an app with one undocumented route fails.
 */
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiHarness, type ApiHarness } from '../../test/support/api-test-context.js';
import { featureRoutes } from './routes.js';

/** Not API routes: HTML pages, their files, the probes and the docs themselves. */
const NOT_IN_DOCUMENT = new Set([
  'GET /livez', 'GET /readyz', 'GET /openapi.json', 'GET /docs', 'GET /docs/assets/swagger-ui-dist/{file}',
  'GET /', 'GET /events/{id}', 'GET /orders', 'GET /verify-email', 'GET /assets/fan/{file}',
  'GET /admin/login', 'GET /admin/dashboard', 'GET /admin/console', 'GET /admin/console/sale', 'GET /admin/pricing', 'GET /admin/reviews', 'GET /assets/admin/{file}', 'GET /assets/vendor/{file}',
  'GET /checkout/{saleId}', 'GET /orders/{id}', 'GET /static/checkout/{file}',
  'GET /login', 'GET /register', 'GET /account', 'GET /reset-password', 'GET /assets/brand/{file}', 'GET /favicon.svg', 'GET /favicon.ico',
]);

interface Operation { summary?: string; security?: unknown[]; requestBody?: unknown; parameters?: { in: string; name: string }[]; responses: Record<string, { content?: Record<string, { schema?: unknown }> }> }
type Document = { paths: Record<string, Record<string, Operation>>; components: { securitySchemes: Record<string, unknown> } };

async function documentOf(app: Hono): Promise<Document> {
  const res = await app.request('/openapi.json');
  expect(res.status).toBe(200);
  return (await res.json()) as Document;
}

/** Every METHOD /path the app routes (middleware, registered for ALL, is not a route). */
function servedRoutes(app: Hono): string[] {
  return [...new Set(app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`))];
}

function undocumented(app: Hono, doc: Document): string[] {
  return servedRoutes(app).filter((route) => {
    if (NOT_IN_DOCUMENT.has(route)) return false;
    const [method, path] = route.split(' ') as [string, string];
    return !doc.paths[path]?.[method.toLowerCase()];
  });
}

let h: ApiHarness;
let doc: Document;
beforeAll(async () => {
  h = await apiHarness(featureRoutes);
  doc = await documentOf(h.app);
});
afterAll(() => h?.close());

describe('/openapi.json', () => {
  it('documents every route the API serves', () => {
    expect(servedRoutes(h.app).length).toBeGreaterThan(40);
    expect(undocumented(h.app, doc)).toEqual([]);
  });

  it('names no exception the app does not serve (a stale list hides nothing)', () => {
    const served = new Set(servedRoutes(h.app));
    expect([...NOT_IN_DOCUMENT].filter((r) => !served.has(r))).toEqual([]);
  });

  it('notices a route added without a declaration', async () => {
    const extra = await apiHarness([...featureRoutes, () => new Hono().post('/v1/sneaky', (c) => c.json({ ok: true }))], {}, h.db);
    try {
      expect(undocumented(extra.app, await documentOf(extra.app))).toEqual(['POST /v1/sneaky']);
    } finally {
      await extra.services.close();
      await extra.ctx.close();
    }
  });

  it('gives every operation its answer schema, its request schemas and its credential', () => {
    const schemes = Object.keys(doc.components.securitySchemes);
    expect(schemes).toEqual(expect.arrayContaining(['pass', 'order_token', 'account', 'admin', 'stripe_signature', 'paypal_signature', 'twilio_signature']));
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const where = `${method.toUpperCase()} ${path}`;
        expect(op.summary, where).toBeTruthy();
        // a redirect (the OpenID Connect start and callback) is that route's success
        const success = Object.entries(op.responses).filter(([status]) => /^2|^302$/.test(status));
        expect(success.length, where).toBeGreaterThan(0);
        // 204, 302 and the like carry no body; every other success says what it returns
        for (const [status, r] of success) if (status !== '204' && status !== '302') expect(r.content?.['application/json']?.schema, `${where} ${status}`).toBeTruthy();
        expect(op.responses.default?.content?.['application/problem+json'], where).toBeTruthy();
        for (const name of path.match(/\{(\w+)\}/g) ?? []) expect(op.parameters?.some((p) => p.in === 'path' && `{${p.name}}` === name), `${where} ${name}`).toBe(true);
        if (['post', 'put', 'patch'].includes(method) && !/\/(publish|cancel|refund|confirm|demo-pay|verification-email|show)$/.test(path) && !path.startsWith('/v1/webhooks/')) {
          expect(op.requestBody, `${where} body`).toBeTruthy();
        }
        if (path.startsWith('/v1/admin/')) expect(op.security, where).toEqual([{ admin: [] }]);
        for (const s of op.security ?? []) for (const name of Object.keys(s as object)) expect(schemes, where).toContain(name);
      }
    }
    expect(doc.paths['/v1/me']!.get!.security).toEqual([{ account: [] }]);
    expect(doc.paths['/v1/sales/{sale}/holds']!.post!.security).toEqual([{ pass: [] }]);
  });
});

describe('/docs', () => {
  it('serves Swagger UI with its script and stylesheet from this origin, nothing from a CDN', async () => {
    const page = await h.app.request('/docs');
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("url: '/openapi.json'");
    expect(html).toContain("validatorUrl: 'none'");
    expect(html).not.toMatch(/https?:\/\//);
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(assets.sort()).toEqual(['/docs/assets/swagger-ui-dist/swagger-ui-bundle.js', '/docs/assets/swagger-ui-dist/swagger-ui.css']);
    for (const asset of assets) {
      const res = await h.app.request(asset);
      expect(res.status, asset).toBe(200);
      expect((await res.text()).length, asset).toBeGreaterThan(10_000);
    }
  });
});
