import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueId } from '../../test/support/databases.js';
import { apiHarness, type ApiHarness } from '../../test/support/api-test-context.js';
import { adminToken, call, fanToken, venueEventSale } from '../../test/support/admin-test-kit.js';
import { createDemoGateway } from '../payments/demo-gateway.js';
import { adminRoutes } from './admin-module.js';

let h: ApiHarness;
let admin: string;
let chain: { venueId: string; eventId: string; saleId: string };
let floor: string;

beforeAll(async () => {
  h = await apiHarness([adminRoutes], { PAYMENT_GATEWAY: 'demo' });
  admin = await adminToken(h.services);
  chain = await venueEventSale(h.app, admin);
  expect((await call(h.app, admin, 'POST', `/v1/admin/sales/${chain.saleId}/publish`)).status).toBe(200);
  floor = (await h.db.pool.query<{ id: string }>(`SELECT id FROM sections WHERE venue_id = $1 AND name = 'Floor'`, [chain.venueId])).rows[0]!.id;
});
afterAll(() => h?.close());

/**
 * A paid order of two standing tickets as the commit worker leaves it: seats held, claimed and sold
 * in Redis, the payment captured (or only authorized: 'committed'), the order row keyed by the hold.
 */
async function paidOrder(status: 'confirmed' | 'committed', email = 'fan@example.com'): Promise<string> {
  const jti = uniqueId('jti-');
  const hold = await h.services.inventory.hold(chain.saleId, jti, { kind: 'best', sectionId: floor, quantity: 2 });
  const id = hold.holdId;
  expect((await h.services.inventory.claim(id, { items: hold.items, passJti: jti, amountMinor: hold.amountMinor, currency: hold.currency })).outcome).toBe('claimed');
  await h.services.inventory.finalize(id);
  const demo = createDemoGateway(h.ctx.redis);
  const pi = await demo.authorize({ holdId: id, saleId: chain.saleId, amountMinor: hold.amountMinor, currency: 'EUR', email, description: 'test', idempotencyKey: id });
  await demo.simulateAuthorization(pi.id);
  if (status === 'confirmed') await demo.capture(pi.id, `capture-${id}`);
  await h.db.pool.query(
    `INSERT INTO orders (id, sale_id, event_id, email, payment_intent_id, amount_minor, currency, status) VALUES ($1, $2, $3, $4, $5, $6, 'EUR', $7)`,
    [id, chain.saleId, chain.eventId, email, pi.id, hold.amountMinor, status]);
  await h.db.pool.query(`INSERT INTO tickets (order_id, event_id, section_id, tier_code, price_minor) SELECT $1, $2, $3, 'GA', 4000 FROM generate_series(1, 2)`, [id, chain.eventId, floor]);
  return id;
}

const floorSold = async (): Promise<number> => (await h.services.inventory.availability(chain.saleId)).sections.find((s) => s.sectionId === floor)!.sold;

describe('a sale published through the admin API', () => {
  it('is on sale in the inventory: a fan can hold seats at once', async () => {
    const hold = await h.services.inventory.hold(chain.saleId, uniqueId('jti-'), { kind: 'best', sectionId: floor, quantity: 1 });
    expect(hold.state).toBe('HELD');
    await h.services.inventory.release(hold.holdId);
  });
});

describe('an event\'s orders, for the organiser', () => {
  it('lists every order of the event newest first, with its tickets and refund; filters by status; 404 for no event', async () => {
    const first = await paidOrder('confirmed', 'first@example.com');
    const second = await paidOrder('committed', 'second@example.com');
    const all = await call(h.app, admin, 'GET', `/v1/admin/events/${chain.eventId}/orders`);
    expect(all.status).toBe(200);
    const orders = all.body.orders as { id: string; email: string; status: string; tickets: number; amountMinor: number; refund: unknown; number: string }[];
    const ids = orders.map((o) => o.id);
    expect(ids.indexOf(second)).toBeLessThan(ids.indexOf(first));
    expect(orders.find((o) => o.id === first)).toMatchObject({ email: 'first@example.com', status: 'confirmed', tickets: 2, amountMinor: 8000, refund: null, number: expect.stringMatching(/^USH-/) });
    const confirmed = await call(h.app, admin, 'GET', `/v1/admin/events/${chain.eventId}/orders?status=committed`);
    expect((confirmed.body.orders as { id: string }[]).map((o) => o.id)).toContain(second);
    expect((confirmed.body.orders as { status: string }[]).every((o) => o.status === 'committed')).toBe(true);
    expect((await call(h.app, admin, 'GET', `/v1/admin/events/00000000-0000-4000-8000-000000000000/orders`)).status).toBe(404);
    expect((await call(h.app, admin, 'GET', `/v1/admin/events/${chain.eventId}/orders?status=paid`)).status).toBe(400);
  });

  it('is for organisers only: 401 without a token, 403 for a fan, and a fan refunds nothing', async () => {
    const id = await paidOrder('confirmed');
    const fan = await fanToken(h.services);
    expect((await call(h.app, '', 'GET', `/v1/admin/events/${chain.eventId}/orders`)).status).toBe(401);
    expect((await call(h.app, fan, 'GET', `/v1/admin/events/${chain.eventId}/orders`)).status).toBe(403);
    expect((await call(h.app, fan, 'POST', `/v1/admin/orders/${id}/refund`)).status).toBe(403);
    expect((await h.db.pool.query(`SELECT status FROM orders WHERE id = $1`, [id])).rows[0].status).toBe('confirmed');
  });
});

describe('refunding an order as the organiser', () => {
  it('refunds in full past the fan\'s refund cutoff, exactly once under concurrent clicks, voiding the tickets', async () => {
    await h.db.pool.query('UPDATE events SET refund_cutoff_s = $2 WHERE id = $1', [chain.eventId, 365 * 86_400]);
    const id = await paidOrder('confirmed');
    await new Promise((r) => setTimeout(r, 300)); // past the availability cache
    const sold = await floorSold();
    const answers = await Promise.all(Array.from({ length: 6 }, () => call(h.app, admin, 'POST', `/v1/admin/orders/${id}/refund`)));
    expect(answers.map((a) => a.status), JSON.stringify(answers[0])).toEqual(Array(6).fill(200));
    expect(answers.filter((a) => a.body.status === 'cancelled')).toHaveLength(1);
    expect(answers.map((a) => a.body.refundMinor)).toEqual(Array(6).fill(8000));
    expect(answers[0]!.body.order).toMatchObject({ id, status: 'cancelled', tickets: 0, refund: { amountMinor: 8000, status: 'succeeded', reason: 'organiser' } });
    const refunds = await h.db.pool.query('SELECT amount_minor, status, reason FROM refunds WHERE order_id = $1', [id]);
    expect(refunds.rows).toEqual([{ amount_minor: 8000, status: 'succeeded', reason: 'organiser' }]);
    // each click is in the sale's operator audit log (admission/operator-audit.ts)
    const audit = await h.db.pool.query(`SELECT count(*)::int AS n FROM operator_audit WHERE action = 'order.refund' AND detail->>'orderId' = $1`, [id]);
    expect(audit.rows[0].n).toBe(6);
    const tickets = await h.db.pool.query(`SELECT count(*)::int AS n FROM tickets WHERE order_id = $1 AND status = 'live'`, [id]);
    expect(tickets.rows[0].n).toBe(0);
    await expect.poll(floorSold).toBe(sold - 2); // the sale is on: the seats are back on sale, once
  });

  it('refuses an order still being confirmed (409) and an unknown one (404), changing nothing', async () => {
    const id = await paidOrder('committed');
    const busy = await call(h.app, admin, 'POST', `/v1/admin/orders/${id}/refund`);
    expect([busy.status, busy.body.code]).toEqual([409, 'order_not_cancellable']);
    expect((await h.db.pool.query('SELECT count(*)::int AS n FROM refunds WHERE order_id = $1', [id])).rows[0].n).toBe(0);
    expect((await call(h.app, admin, 'POST', `/v1/admin/orders/no-such-order-1/refund`)).status).toBe(404);
    expect((await call(h.app, admin, 'POST', `/v1/admin/orders/bad/refund`)).status).toBe(400);
  });
});

describe('an event for the console', () => {
  it('reads one event with its venue and prices; 404 for no event', async () => {
    const res = await call(h.app, admin, 'GET', `/v1/admin/events/${chain.eventId}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: chain.eventId, venue_id: chain.venueId, status: 'published', title: 'Test Night' });
    expect((res.body.tiers as { code: string; priceMinor: number }[]).sort((a, b) => a.code.localeCompare(b.code))).toEqual([
      { code: 'GA', name: 'Standing', priceMinor: 4000 }, { code: 'P1', name: 'Premium', priceMinor: 9000 }]);
    expect((await call(h.app, admin, 'GET', `/v1/admin/events/00000000-0000-4000-8000-000000000000`)).status).toBe(404);
  });
});

describe('a venue\'s seats for the preview', () => {
  it('lists sections in order with their rows and seats along each row; 404 for no venue', async () => {
    const res = await call(h.app, admin, 'GET', `/v1/admin/venues/${chain.venueId}/seats`);
    expect(res.status).toBe(200);
    const sections = res.body.sections as { name: string; kind: string; capacity: number; rows: { label: string; seats: [number, string][] }[] }[];
    expect(sections.map((s) => [s.name, s.kind, s.capacity])).toEqual([['Floor', 'ga', 30], ['Block A', 'reserved', 20]]);
    expect(sections[0]!.rows).toEqual([]);
    expect(sections[1]!.rows.map((r) => r.label)).toEqual(['A', 'B']);
    expect(sections[1]!.rows[0]!.seats).toEqual(Array.from({ length: 10 }, (_, i) => [i + 1, 'P1']));
    expect((await call(h.app, admin, 'GET', `/v1/admin/venues/00000000-0000-4000-8000-000000000000/seats`)).status).toBe(404);
  });
});

describe('one price tier per section (what the inventory prices)', () => {
  it('refuses a CSV line that would mix tiers in a section, with its line number, adding nothing', async () => {
    const venue = await call(h.app, admin, 'POST', '/v1/admin/venues', { name: 'Mixed Hall', city: 'Gouda', tiers: [{ code: 'GA', name: 'Standing' }, { code: 'P1', name: 'Premium' }] });
    const res = await h.app.request(`/v1/admin/venues/${venue.body.id}/seats`, {
      method: 'POST', headers: { authorization: `Bearer ${admin}`, 'content-type': 'text/csv' },
      body: 'section,row,seat,tier\nStalls,A,1,P1\nStalls,A,2,P1\nStalls,B,1,GA\nBalcony,A,1,GA\n',
    });
    const body = (await res.json()) as { lines: number[]; errors: { path: string; message: string }[] };
    expect([res.status, body.lines]).toEqual([422, [4]]);
    expect(body.errors[0]!.message).toBe('section Stalls is priced as tier P1 (line 2); one tier per section: put GA seats in a section of their own');
    expect((await h.db.pool.query('SELECT count(*)::int AS n FROM sections WHERE venue_id = $1', [venue.body.id])).rows[0].n).toBe(0);
  });

  it('refuses to publish a sale whose venue mixes tiers in a section (422 in words, not a 500), leaving it a draft', async () => {
    const venue = await call(h.app, admin, 'POST', '/v1/admin/venues', {
      name: 'Mixed Rows', city: 'Delft', tiers: [{ code: 'GA', name: 'Standing' }, { code: 'P1', name: 'Premium' }],
      sections: [{ name: 'Mixed', kind: 'reserved', tierCode: 'P1', rows: [{ label: 'A', count: 2 }, { label: 'B', count: 2, tierCode: 'GA' }] }],
    });
    expect(venue.status).toBe(201);
    const event = await call(h.app, admin, 'POST', '/v1/admin/events', {
      venueId: venue.body.id, title: 'Mixed Night', startsAt: new Date(Date.now() + 86_400_000).toISOString(),
      tiers: [{ code: 'GA', name: 'Standing', priceMinor: 1000 }, { code: 'P1', name: 'Premium', priceMinor: 2000 }],
    });
    await call(h.app, admin, 'POST', `/v1/admin/events/${event.body.id}/publish`);
    const sale = await call(h.app, admin, 'POST', '/v1/admin/sales', {
      eventId: event.body.id, prequeueOpensAt: new Date(Date.now() - 60_000).toISOString(), opensAt: new Date(Date.now() - 60_000).toISOString(),
      closesAt: new Date(Date.now() + 3_600_000).toISOString(), admissionRatePerMin: 60, maxActiveShoppers: 5,
    });
    const res = await call(h.app, admin, 'POST', `/v1/admin/sales/${sale.body.id}/publish`);
    expect([res.status, res.body.code, res.body.detail]).toEqual([422, 'unsupported_seat_map', 'section Mixed mixes tiers GA, P1; one tier per section is supported']);
    expect((await call(h.app, admin, 'GET', `/v1/admin/sales/${sale.body.id}`)).body.status).toBe('draft');
  });
});
