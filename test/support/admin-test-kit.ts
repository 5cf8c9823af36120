/** Test support for the admin suites: admin and fan sessions, and a small venue → event → sale chain through the API. */
import type { Hono } from 'hono';
import { expect } from 'vitest';
import type { CheckoutServices } from '../../checkout/checkout-services.js';
import { uniqueId } from './databases.js';
import { createAdmin } from '../../checkout/accounts/admin-bootstrap.js';
import { bearer, json } from './api-test-context.js';

export async function adminToken({ ctx, accessTokens }: CheckoutServices): Promise<string> {
  const email = `${uniqueId('admin')}@usher.local`;
  const { id } = await createAdmin(ctx.pg, email, 'admin password 123');
  return accessTokens.sign({ userId: id, email, role: 'admin' });
}

export async function fanToken({ ctx, accessTokens }: CheckoutServices): Promise<string> {
  const email = `${uniqueId('fan')}@example.com`;
  const { rows } = await ctx.pg.query<{ id: string }>(`INSERT INTO users (email) VALUES ($1) RETURNING id`, [email]);
  return accessTokens.sign({ userId: rows[0]!.id, email, role: 'fan' });
}

export async function call(app: Hono, token: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const init = body === undefined ? { method, headers: bearer(token) } : { ...json(body, bearer(token)), method };
  const res = await app.request(path, init);
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

export const smallVenue = {
  name: 'Test Hall', city: 'Utrecht',
  tiers: [{ code: 'GA', name: 'Standing' }, { code: 'P1', name: 'Premium' }],
  sections: [
    { name: 'Floor', kind: 'ga', tierCode: 'GA', capacity: 30 },
    { name: 'Block A', kind: 'reserved', tierCode: 'P1', rows: [{ label: 'A', count: 10 }, { label: 'B', count: 10 }] },
  ],
};

/** Venue (50 places) → published event → sale (draft), through the admin API. */
export async function venueEventSale(app: Hono, token: string): Promise<{ venueId: string; eventId: string; saleId: string }> {
  const venue = await call(app, token, 'POST', '/v1/admin/venues', smallVenue);
  expect(venue.status).toBe(201);
  const event = await call(app, token, 'POST', '/v1/admin/events', {
    venueId: venue.body.id, title: 'Test Night', performer: 'The Testers', startsAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
    tiers: [{ code: 'GA', name: 'Standing', priceMinor: 4000 }, { code: 'P1', name: 'Premium', priceMinor: 9000 }],
  });
  expect(event.status).toBe(201);
  expect((await call(app, token, 'POST', `/v1/admin/events/${event.body.id}/publish`)).status).toBe(200);
  const sale = await call(app, token, 'POST', '/v1/admin/sales', {
    eventId: event.body.id, prequeueOpensAt: new Date(Date.now() - 120_000).toISOString(), opensAt: new Date(Date.now() - 60_000).toISOString(),
    closesAt: new Date(Date.now() + 86_400_000).toISOString(), admissionRatePerMin: 120, maxActiveShoppers: 10, shardCount: 2,
  });
  expect(sale.status).toBe(201);
  return { venueId: venue.body.id as string, eventId: event.body.id as string, saleId: sale.body.id as string };
}
