/**
 * The shared fixture (loadtests/k6/lib/usher-api.js) against the real servers: every API route it
 * names is a route of the API's Hono app with that method, every edge route answers as a route
 * (401 without a visitor token, never 404), and every hold body it builds passes the API's own
 * request schema. A route renamed in the API fails here before a load test runs against it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hono } from 'hono';
import { routes, pathOf, bestHoldBody, seatsHoldBody, checkoutBody, searchPath } from '../k6/lib/usher-api.js';
import { apiHarness, type ApiHarness } from '../../test/support/api-test-context.js';
import { featureRoutes } from '../../checkout/api/routes.js';
import { holdRequestBody, checkoutBody as checkoutSchema } from '../../checkout/holds/hold-schemas.js';
import { eventListQuerySchema } from '../../checkout/catalog/catalog-query.js';
import { Redis } from 'ioredis';
import WebSocket from 'ws';
import { createSale, startTestEdge, testConfig, type TestEdge } from '../../test/support/edge-test-harness.js';
import { wish } from './shopper.js';
import { seededRandom } from '../lib/seeded-random.js';
import type { SectionInfo } from './sale-setup.js';

const SALE = '00000000-0000-4000-8000-000000000001';
const apiRoutes = Object.entries(routes).filter(([, r]) => r.server === 'api');
const edgeHttpRoutes = Object.entries(routes).filter(([name, r]) => r.server === 'edge' && name !== 'queueSocket');

describe('fixture routes exist on the API', () => {
  let h: ApiHarness;
  let app: Hono;
  beforeAll(async () => {
    h = await apiHarness(featureRoutes);
    app = h.app;
  });
  afterAll(async () => h?.close());

  it.each(apiRoutes)('%s is a route of the Hono app', (_name, route) => {
    const found = app.routes.some((r) => r.method === route.method && r.path === route.path);
    expect(found, `${route.method} ${route.path} not among the API's routes`).toBe(true);
  });
});

describe('fixture routes exist on the edge', () => {
  let edge: TestEdge;
  let redis: Redis;
  beforeAll(async () => {
    edge = await startTestEdge();
    redis = new Redis(testConfig().redis.url);
  });
  afterAll(async () => {
    redis?.disconnect();
    await edge?.close();
  });

  it('queueSocket opens a waiting-room socket that says hello', async () => {
    const sale = await createSale(redis);
    const ws = new WebSocket(`${edge.url.replace(/^http/, 'ws')}${pathOf('queueSocket', { sale })}`);
    const first = await new Promise<string>((resolve, reject) => {
      ws.once('message', (data) => resolve(String(data)));
      ws.once('error', reject);
    });
    ws.terminate();
    expect(JSON.parse(first)).toMatchObject({ type: 'hello', saleId: sale });
  });

  it.each(edgeHttpRoutes)('%s answers as a route', async (name, route) => {
    const url = `${edge.url}${pathOf(name as keyof typeof routes, { sale: SALE })}`;
    const res = await fetch(url, { method: route.method, ...(route.method === 'POST' ? { body: '{}' } : {}) });
    // the visitor route issues a token; the others want one: 401, never "no such route"
    if (name === 'visitor') expect(res.status).toBe(201);
    else expect(res.status).toBe(401);
  });
});

describe('fixture bodies pass the API schemas', () => {
  const sections: SectionInfo[] = [
    { id: '00000000-0000-4000-8000-00000000000a', name: 'Floor', kind: 'ga', tierCode: 'GA', capacity: 100, rows: [] },
    { id: '00000000-0000-4000-8000-00000000000b', name: 'Block A', kind: 'reserved', tierCode: 'P1', capacity: 50, rows: [[1, 2, 3, 4, 5], [6, 7, 8, 9, 10]] },
  ];

  it('hold bodies of every kind', () => {
    expect(holdRequestBody.safeParse(bestHoldBody({ tierCode: 'GA', quantity: 2 })).success).toBe(true);
    expect(holdRequestBody.safeParse(bestHoldBody({ sectionId: sections[1]!.id, quantity: 4, together: true })).success).toBe(true);
    expect(holdRequestBody.safeParse(seatsHoldBody([3, 4])).success).toBe(true);
    const random = seededRandom(7);
    for (let i = 0; i < 500; i++) {
      const w = wish({ sections, mix: { pay: 1, explicitSeats: 0.5, together: 0.5 }, random });
      expect(holdRequestBody.safeParse(w.body).success).toBe(true);
      expect(holdRequestBody.safeParse(w.fallback).success).toBe(true);
    }
  });

  it('the checkout body and search queries', () => {
    expect(checkoutSchema.safeParse(checkoutBody('f1-42')).success).toBe(true);
    for (let i = 0; i < 12; i++) {
      const query = Object.fromEntries(new URLSearchParams(searchPath(i).split('?')[1]));
      expect(eventListQuerySchema.safeParse(query).success).toBe(true);
    }
  });
});
