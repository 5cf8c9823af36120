import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queueKeys } from '../../admission/queue-keys.js';
import { readSaleSettings } from '../../admission/sale-controls.js';
import { apiHarness, type ApiHarness } from '../../test/support/api-test-context.js';
import { adminRoutes } from './admin-module.js';
import { adminToken, call, fanToken, smallVenue, venueEventSale } from '../../test/support/admin-test-kit.js';

const STATIC = 'static-operator-token-0123456789';
let h: ApiHarness;
let admin: string;
beforeAll(async () => {
  h = await apiHarness([adminRoutes], { ADMIN_API_TOKEN: STATIC });
  admin = await adminToken(h.services);
});
afterAll(() => h?.close());

const count = async (table: string): Promise<number> => Number((await h.db.pool.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);

describe('admin authorisation', () => {
  const routes: [string, string, unknown?][] = [
    ['GET', '/v1/admin/venues'],
    ['POST', '/v1/admin/venues', smallVenue],
    ['GET', '/v1/admin/events'],
    ['POST', '/v1/admin/events/00000000-0000-4000-8000-000000000000/cancel'],
    ['POST', '/v1/admin/sales/00000000-0000-4000-8000-000000000000/controls', { action: 'pause' }],
    ['GET', '/v1/admin/sales/00000000-0000-4000-8000-000000000000/dashboard'],
    ['POST', '/v1/admin/sales/00000000-0000-4000-8000-000000000000/access', { codes: ['ABCDEF'] }],
    ['POST', '/v1/admin/sales/00000000-0000-4000-8000-000000000000/schedule', {}],
  ];
  it.each(routes)('%s %s: 401 without a token, 403 for a fan, and changes nothing', async (method, path, body) => {
    const venues = await count('venues');
    const fan = await fanToken(h.services);
    expect((await call(h.app, '', method, path, body)).status).toBe(401);
    expect((await call(h.app, 'not.a.jwt', method, path, body)).status).toBe(401);
    const res = await call(h.app, fan, method, path, body);
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('admin_only');
    expect(await count('venues')).toBe(venues);
  });

  it('admits an admin account and the static operator token', async () => {
    expect((await call(h.app, admin, 'GET', '/v1/admin/venues')).status).toBe(200);
    expect((await call(h.app, STATIC, 'GET', '/v1/admin/venues')).status).toBe(200);
  });
});

describe('venues and seat maps', () => {
  it('creates a venue from JSON and rejects unknown tiers and duplicate rows with 422, writing nothing', async () => {
    const ok = await call(h.app, admin, 'POST', '/v1/admin/venues', smallVenue);
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ seats: 20, capacity: 50 });
    const before = await count('venues');
    const bad = await call(h.app, admin, 'POST', '/v1/admin/venues', {
      ...smallVenue, sections: [{ name: 'X', kind: 'reserved', tierCode: 'VIP', rows: [{ label: 'A', count: 2 }, { label: 'A', count: 3 }] }],
    });
    expect(bad.status).toBe(422);
    expect(JSON.stringify(bad.body.errors)).toContain('unknown tier VIP');
    expect(JSON.stringify(bad.body.errors)).toContain('duplicate row A');
    expect((await call(h.app, admin, 'POST', '/v1/admin/venues', { ...smallVenue, capacity: 3 })).status).toBe(422);
    expect(await count('venues')).toBe(before);
  });

  it('refuses a NUL byte anywhere in a body with 422 validation_failed, writing nothing', async () => {
    const before = await count('venues');
    const bad = await call(h.app, admin, 'POST', '/v1/admin/venues', { ...smallVenue, sections: [{ name: 'Flo\u0000or', kind: 'ga', tierCode: 'GA', capacity: 5 }] });
    expect([bad.status, bad.body.code, bad.body.errors]).toEqual([422, 'validation_failed', [{ path: 'sections.0.name', message: expect.stringContaining('NUL') }]]);
    const venue = await call(h.app, admin, 'POST', '/v1/admin/venues', { ...smallVenue, sections: [] });
    expect(await importCsv(venue.body.id as string, 'section,row,seat,tier\nStalls,A\u0000,1,P1')).toMatchObject({ status: 422, body: { errors: [{ path: '(root)' }] } });
    expect(await count('venues')).toBe(before + 1);
  });

  it('keeps the API-wide body limit on every other admin route', async () => {
    const huge = { ...smallVenue, padding: 'x'.repeat(h.ctx.config.http.bodyLimitBytes) };
    const res = await call(h.app, admin, 'POST', '/v1/admin/events', huge);
    expect([res.status, res.body.code]).toEqual([413, 'body_too_large']);
    // the venue route has its own, larger limit: this one is refused for its shape, not its size
    expect((await call(h.app, admin, 'POST', '/v1/admin/venues', huge)).status).toBe(422);
  });

  async function importCsv(venueId: string, csv: string) {
    const res = await h.app.request(`/v1/admin/venues/${venueId}/seats`, { method: 'POST', body: csv, headers: { authorization: `Bearer ${admin}`, 'content-type': 'text/csv' } });
    return { status: res.status, body: (await res.json()) as { lines?: number[]; errors?: { path: string; message: string }[]; seats?: number } };
  }

  it('imports a seat map larger than the API-wide body limit (the route has its own)', async () => {
    const venue = await call(h.app, admin, 'POST', '/v1/admin/venues', { ...smallVenue, sections: [] });
    const rows = ['section,row,seat,tier'];
    for (let r = 0; r < 100; r++) for (let n = 1; n <= 60; n++) rows.push(`Stalls,R${r},${n},P1`);
    const csv = rows.join('\n');
    expect(csv.length).toBeGreaterThan(h.ctx.config.http.bodyLimitBytes);
    expect(await importCsv(venue.body.id as string, csv)).toMatchObject({ status: 201, body: { seats: 6000 } });
  });

  it('imports a CSV; rejects duplicate seats and unknown tiers with their line numbers, all or nothing', async () => {
    const venue = await call(h.app, admin, 'POST', '/v1/admin/venues', { ...smallVenue, sections: [] });
    const id = venue.body.id as string;
    const seats = await count('seats');
    const bad = await importCsv(id, [
      'section,row,seat,tier',
      'Balcony,A,1,P1',
      '"Balcony, left",A,1,GA',
      'Balcony,A,2,VIP',
      '',
      'Balcony,A,1,P1',
      'Balcony,A,zero,P1',
      'Balcony,A,3',
    ].join('\r\n'));
    expect(bad.status).toBe(422);
    expect(bad.body.lines).toEqual([4, 6, 7, 8]);
    expect(bad.body.errors?.find((e) => e.path === 'line 4')?.message).toContain('unknown tier "VIP"');
    expect(bad.body.errors?.find((e) => e.path === 'line 6')?.message).toContain('duplicate seat Balcony row A seat 1 (first on line 2)');
    expect(await count('seats')).toBe(seats);

    const good = await importCsv(id, 'section,row,seat,tier\nBalcony,A,1,P1\nBalcony,A,2,P1\n"Balcony, left",A,1,GA\n');
    expect(good).toMatchObject({ status: 201, body: { seats: 3 } });
    const again = await importCsv(id, 'section,row,seat,tier\nBalcony,A,3,P1\nBalcony,A,2,P1\n');
    expect(again.status).toBe(422);
    expect(again.body.lines).toEqual([3]);
    expect(again.body.errors?.[0]?.message).toContain('already in this venue');
    expect(await count('seats')).toBe(seats + 3);
    const detail = await call(h.app, admin, 'GET', `/v1/admin/venues/${id}`);
    expect(detail.body.sections).toEqual([
      expect.objectContaining({ name: 'Balcony', kind: 'reserved', capacity: 2 }),
      expect.objectContaining({ name: 'Balcony, left', capacity: 1 }),
    ]);
    expect((await importCsv(id, 'seat,row,section,tier\n1,A,X,P1\n')).body.lines).toEqual([1]);
  });
});

describe('events and sales', () => {
  it('refuses event prices for tiers the venue lacks, or missing a tier that has seats', async () => {
    const venue = await call(h.app, admin, 'POST', '/v1/admin/venues', smallVenue);
    const base = { venueId: venue.body.id, title: 'X', startsAt: '2031-01-01T20:00:00Z' };
    const unknown = await call(h.app, admin, 'POST', '/v1/admin/events', { ...base, tiers: [{ code: 'GA', name: 'a', priceMinor: 1 }, { code: 'P1', name: 'b', priceMinor: 1 }, { code: 'Z', name: 'z', priceMinor: 1 }] });
    expect(unknown.status).toBe(422);
    const missing = await call(h.app, admin, 'POST', '/v1/admin/events', { ...base, tiers: [{ code: 'GA', name: 'a', priceMinor: 1 }] });
    expect(missing.status).toBe(422);
    expect(String(missing.body.detail)).toContain('tier P1 has seats but no price');
  });

  it('publishing a sale twice, even at once, never doubles seats; settings keep live changes', async () => {
    const { saleId, eventId } = await venueEventSale(h.app, admin);
    const [a, b] = await Promise.all([
      call(h.app, admin, 'POST', `/v1/admin/sales/${saleId}/publish`),
      call(h.app, admin, 'POST', `/v1/admin/sales/${saleId}/publish`),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect((await call(h.app, admin, 'POST', `/v1/admin/sales/${saleId}/controls`, { action: 'set_rate', ratePerMin: 777 })).status).toBe(200);
    const c = await call(h.app, admin, 'POST', `/v1/admin/sales/${saleId}/publish`);
    expect(c.body).toMatchObject({ capacity: 50, alreadyPublished: true });
    const availability = await h.services.inventory.availability(saleId);
    expect(availability.sections.reduce((n, s) => n + s.capacity, 0)).toBe(50);
    expect(availability.sections.reduce((n, s) => n + s.free, 0)).toBe(50);
    expect(await h.ctx.redis.hget(queueKeys(saleId).settings, 'rate_per_min')).toBe('777');
    expect((await call(h.app, admin, 'GET', `/v1/admin/sales/${saleId}`)).body.status).toBe('open');
    // prices are frozen once a sale is published
    expect((await call(h.app, admin, 'PATCH', `/v1/admin/events/${eventId}`, { tiers: [{ code: 'GA', name: 'x', priceMinor: 1 }, { code: 'P1', name: 'y', priceMinor: 1 }] })).status).toBe(409);
    expect((await call(h.app, admin, 'PATCH', `/v1/admin/events/${eventId}`, { title: 'Renamed' })).body.title).toBe('Renamed');
  });

  it('sets the proof-of-work difficulty at creation and by PATCH, live once published; refuses it out of range', async () => {
    const { eventId } = await venueEventSale(h.app, admin);
    const window = { prequeueOpensAt: new Date(Date.now() - 120_000).toISOString(), opensAt: new Date(Date.now() - 60_000).toISOString(), closesAt: new Date(Date.now() + 86_400_000).toISOString() };
    const spec = { eventId, ...window, admissionRatePerMin: 60, maxActiveShoppers: 5, shardCount: 1 };
    for (const powDifficulty of [-1, 33, 1.5, '8']) {
      const refused = await call(h.app, admin, 'POST', '/v1/admin/sales', { ...spec, powDifficulty });
      expect([refused.status, refused.body.code], String(powDifficulty)).toEqual([422, 'validation_failed']);
    }
    const created = await call(h.app, admin, 'POST', '/v1/admin/sales', { ...spec, powDifficulty: 8 });
    expect([created.status, created.body.pow_difficulty]).toEqual([201, 8]);
    const saleId = created.body.id as string;
    expect((await call(h.app, admin, 'PATCH', `/v1/admin/sales/${saleId}`, { powDifficulty: 10 })).body.pow_difficulty).toBe(10);
    await call(h.app, admin, 'POST', `/v1/admin/sales/${saleId}/publish`);
    expect(await h.ctx.redis.hget(queueKeys(saleId).settings, 'pow_difficulty')).toBe('10');
    // live: the edges read the settings hash on their next tick
    const live = await call(h.app, admin, 'PATCH', `/v1/admin/sales/${saleId}`, { powDifficulty: 12 });
    expect([live.status, live.body.pow_difficulty]).toEqual([200, 12]);
    expect(await h.ctx.redis.hget(queueKeys(saleId).settings, 'pow_difficulty')).toBe('12');
    for (const bad of [{}, { powDifficulty: 40 }, { opensAt: window.opensAt }]) {
      expect((await call(h.app, admin, 'PATCH', `/v1/admin/sales/${saleId}`, bad)).status, JSON.stringify(bad)).toBe(422);
    }
    expect(await h.ctx.redis.hget(queueKeys(saleId).settings, 'pow_difficulty')).toBe('12');
    const def = await call(h.app, admin, 'POST', '/v1/admin/sales', spec);
    expect(def.body.pow_difficulty).toBe(0);
  });

  it('keeps the queue mode chosen for a draft, and publishing keeps it; other controls wait for the publish', async () => {
    const { saleId } = await venueEventSale(h.app, admin);
    const mode = await call(h.app, admin, 'POST', `/v1/admin/sales/${saleId}/controls`, { action: 'set_mode', mode: 'passthrough' });
    expect([mode.status, mode.body.mode]).toEqual([200, 'passthrough']);
    // still unknown to the edges: they know a sale by its rate, written at publish
    expect(await h.ctx.redis.hget(queueKeys(saleId).settings, 'rate_per_min')).toBeNull();
    for (const control of [{ action: 'pause' }, { action: 'set_rate', ratePerMin: 5 }, { action: 'message', text: 'hi' }]) {
      const refused = await call(h.app, admin, 'POST', `/v1/admin/sales/${saleId}/controls`, control);
      expect([refused.status, refused.body.code], JSON.stringify(control)).toEqual([409, 'sale_not_published']);
    }
    expect((await call(h.app, admin, 'GET', `/v1/admin/sales/${saleId}/dashboard`)).body.settings).toMatchObject({ mode: 'passthrough' });
    expect((await call(h.app, admin, 'POST', `/v1/admin/sales/${saleId}/publish`)).status).toBe(200);
    expect(await readSaleSettings(h.ctx.redis, saleId)).toMatchObject({ mode: 'passthrough', paused: false, closed: false });
    expect(Number(await h.ctx.redis.hget(queueKeys(saleId).settings, 'rate_per_min'))).toBeGreaterThan(0);
  });

  it('applies live controls; a bad control is a 422 and changes nothing; close stops holding', async () => {
    const { saleId } = await venueEventSale(h.app, admin);
    expect((await call(h.app, admin, 'POST', `/v1/admin/sales/${saleId}/controls`, { action: 'pause' })).status).toBe(409);
    await call(h.app, admin, 'POST', `/v1/admin/sales/${saleId}/publish`);
    const before = await h.ctx.redis.hgetall(queueKeys(saleId).settings);
    for (const bad of [{ action: 'set_rate', ratePerMin: 0 }, { action: 'set_rate', ratePerMin: '5' }, { action: 'explode' }, { action: 'message', text: '' }, { action: 'set_mode', mode: 'lottery' },
      { action: 'set_backoff' }, { action: 'set_backoff', holdP99Ms: -1 }, { action: 'set_backoff', errorRatePct: 101 }]) {
      const refused = await call(h.app, admin, 'POST', `/v1/admin/sales/${saleId}/controls`, bad);
      expect([refused.status, refused.body.code]).toEqual([422, 'validation_failed']);
    }
    expect(await h.ctx.redis.hgetall(queueKeys(saleId).settings)).toEqual(before);
    const random = await call(h.app, admin, 'POST', `/v1/admin/sales/${saleId}/controls`, { action: 'set_mode', mode: 'random', drawWindowS: 30 });
    expect(random.body).toMatchObject({ mode: 'random', drawWindowS: 30 });
    // backoff on backend health: the sale's own thresholds (0 = not watched), null back to the default
    expect(random.body.backoff).toEqual({ enabled: true, holdP99Ms: null, commitQueue: null, errorRatePct: null });
    const backoff = await call(h.app, admin, 'POST', `/v1/admin/sales/${saleId}/controls`, { action: 'set_backoff', holdP99Ms: 800, commitQueue: 0, errorRatePct: 2.5 });
    expect(backoff.body.backoff).toEqual({ enabled: true, holdP99Ms: 800, commitQueue: 0, errorRatePct: 2.5 });
    const reset = await call(h.app, admin, 'POST', `/v1/admin/sales/${saleId}/controls`, { action: 'set_backoff', holdP99Ms: null, enabled: false });
    expect(reset.body.backoff).toEqual({ enabled: false, holdP99Ms: null, commitQueue: 0, errorRatePct: 2.5 });
    const paused = await call(h.app, admin, 'POST', `/v1/admin/sales/${saleId}/controls`, { action: 'pause' });
    expect(paused.body).toMatchObject({ paused: true, ratePerMin: 120 });
    expect((await call(h.app, admin, 'GET', `/v1/admin/sales/${saleId}`)).body.status).toBe('paused');
    await call(h.app, admin, 'POST', `/v1/admin/sales/${saleId}/controls`, { action: 'close' });
    await expect(h.services.inventory.hold(saleId, 'jti-after-close', { kind: 'best', tierCode: 'GA', quantity: 1 })).rejects.toMatchObject({ code: 'sale_not_open' });
    expect((await call(h.app, admin, 'POST', `/v1/admin/sales/${saleId}/controls`, { action: 'resume' })).status).toBe(409);
  });

  it('sets a presale: codes stored only as digests, a public JWK as a JWKS; private keys and bad codes are a 422', async () => {
    const { saleId } = await venueEventSale(h.app, admin);
    const access = `/v1/admin/sales/${saleId}/access`;
    expect((await call(h.app, admin, 'POST', access, { codes: ['ABCDEF'] })).status).toBe(409);
    await call(h.app, admin, 'POST', `/v1/admin/sales/${saleId}/publish`);
    const jwk = { kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0', kid: 'k1' };
    for (const bad of [{ codes: ['no'] }, { codes: ['has space'] }, { enqueueJwks: { ...jwk, d: 'secret' } }, { presaleUntil: 'tomorrow' }, { other: 1 }]) {
      const refused = await call(h.app, admin, 'POST', access, bad);
      expect([refused.status, refused.body.code]).toEqual([422, 'validation_failed']);
    }
    const until = new Date(Date.now() + 3600_000).toISOString();
    const set = await call(h.app, admin, 'POST', access, { presaleUntil: until, codes: ['FAN-CLUB-1', 'FAN-CLUB-2'], enqueueJwks: jwk });
    expect(set.status).toBe(200);
    expect(set.body).toEqual({ presaleUntilMs: Date.parse(until), codes: 2, codesUsed: 0, enqueueJwks: { keys: [jwk] } });
    const stored = await h.ctx.redis.hgetall(queueKeys(saleId).accessCodes);
    expect(Object.keys(stored).every((k) => /^[0-9a-f]{64}$/.test(k))).toBe(true);
    expect(JSON.stringify(stored)).not.toContain('FAN-CLUB');
    expect((await call(h.app, admin, 'POST', access, { presaleUntil: null, enqueueJwks: null })).body).toMatchObject({ presaleUntilMs: 0, codes: 2, enqueueJwks: null });
  });

  it('keeps a timetable of live changes: add, list, remove; a scheduled close is a 422', async () => {
    const { saleId } = await venueEventSale(h.app, admin);
    const schedule = `/v1/admin/sales/${saleId}/schedule`;
    await call(h.app, admin, 'POST', `/v1/admin/sales/${saleId}/publish`);
    const at = new Date(Date.now() + 3600_000).toISOString();
    expect((await call(h.app, admin, 'POST', schedule, { add: [{ at, control: { action: 'close' } }] })).status).toBe(422);
    const added = await call(h.app, admin, 'POST', schedule, { add: [{ at, control: { action: 'set_rate', ratePerMin: 900 } }] });
    expect(added.status).toBe(200);
    expect(added.body.pending).toMatchObject([{ at: Date.parse(at), control: { action: 'set_rate', ratePerMin: 900 }, fields: { rate_per_min: '900' } }]);
    expect((await call(h.app, admin, 'POST', schedule, {})).body.pending).toHaveLength(1);
    expect((await call(h.app, admin, 'POST', schedule, { remove: [(added.body.pending as { id: string }[])[0]!.id] })).body).toEqual({ pending: [], applied: [] });
  });

  it('reports statistics: sold, revenue per section and the funnel', async () => {
    const { saleId, eventId } = await venueEventSale(h.app, admin);
    const floor = (await h.db.pool.query(`SELECT s.id FROM sections s JOIN events e ON e.venue_id = s.venue_id WHERE e.id = $1 AND s.name = 'Floor'`, [eventId])).rows[0].id;
    for (const [i, status] of ['confirmed', 'confirmed', 'cancelled'].entries()) {
      await h.db.pool.query(`INSERT INTO orders (id, sale_id, event_id, email, payment_intent_id, amount_minor, currency, status) VALUES ($1, $2, $3, 'f@x.io', $1, 8000, 'EUR', $4)`, [`stats-${saleId}-${i}`, saleId, eventId, status]);
      for (let k = 0; k < 2; k++) {
        await h.db.pool.query(`INSERT INTO tickets (order_id, event_id, section_id, tier_code, price_minor, status, voided_at) VALUES ($1, $2, $3, 'GA', 4000, $4, $5)`,
          [`stats-${saleId}-${i}`, eventId, floor, status === 'cancelled' ? 'void' : 'live', status === 'cancelled' ? new Date() : null]);
      }
    }
    await h.ctx.redis.hset(queueKeys(saleId).stats, 'admitted', '12');
    await h.ctx.redis.set(queueKeys(saleId).seq, '40');
    const stats = await call(h.app, admin, 'GET', `/v1/admin/sales/${saleId}/stats`);
    expect(stats.body).toMatchObject({
      ticketsSold: 4, revenueMinor: 16000, orders: { paid: 3, live: 2, cancelled: 1 },
      funnel: { joined: 40, admitted: 12, paid: 3, admittedToPaid: 0.25 },
    });
    expect(stats.body.sections).toEqual([
      { sectionId: floor, name: 'Floor', capacity: 30, sold: 4, revenueMinor: 16000 },
      expect.objectContaining({ name: 'Block A', capacity: 20, sold: 0 }),
    ]);
  });
});
