import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hono } from 'hono';
import { apiHarness, type ApiHarness } from '../../test/support/api-test-context.js';
import { createCatalogRouter } from './catalog-routes.js';
import { generateCatalog, insertEvents, insertVenues, rankedEvents, type FixtureEvent } from '../../test/support/catalog-fixture.js';
import { stableUuid } from '../../scripts/seed-sale.js';

let h: ApiHarness;
const { venues, events } = generateCatalog(3000);
const ranked = rankedEvents(venues[0]!);
const tiny = { id: stableUuid('catalog', 'tiny'), name: 'Tiny Room', city: 'Lisbon', capacity: 2 };
const full: FixtureEvent = { ...ranked[1]!, id: stableUuid('catalog', 'full'), venueId: tiny.id, venueName: tiny.name, city: 'Lisbon', title: 'Full house', performer: 'Solo' };
const half: FixtureEvent = { ...full, id: stableUuid('catalog', 'half'), title: 'Half house' };
const all = [...events, ...ranked, full, half];
const now = Date.now();

/** Two live tickets for `full`, one live and one void for `half`. */
async function sellTickets(h: ApiHarness): Promise<void> {
  const q = (sql: string, p: unknown[]): Promise<unknown> => h.db.pool.query(sql, p);
  const section = ((await h.db.pool.query('SELECT id FROM sections WHERE venue_id = $1', [tiny.id])).rows[0] as { id: string }).id;
  for (const [event, statuses] of [[full, ['live', 'live']], [half, ['live', 'void']]] as const) {
    const sale = stableUuid('catalog', 'sale', event.id);
    await q(`INSERT INTO sales (id, event_id, prequeue_opens_at, opens_at, closes_at, admission_rate_per_min, max_active_shoppers)
             VALUES ($1, $2, now(), now(), now() + interval '1 day', 60, 10)`, [sale, event.id]);
    await q(`INSERT INTO orders (id, sale_id, event_id, email, payment_intent_id, amount_minor, currency, status)
             VALUES ($1, $2, $3, 'fan@example.com', $1, 100, 'EUR', 'confirmed')`, [`order-${event.id}`, sale, event.id]);
    for (const s of statuses) {
      await q(`INSERT INTO tickets (order_id, event_id, section_id, tier_code, price_minor, status, voided_at)
               VALUES ($1, $2, $3, 'GA', 50, $4, CASE WHEN $4 = 'void' THEN now() END)`, [`order-${event.id}`, event.id, section, s]);
    }
  }
}

beforeAll(async () => {
  h = await apiHarness([({ ctx }) => createCatalogRouter({
    pgRead: ctx.pgRead, availability: () => Promise.reject(new Error('not used by the list')), publicEdgeUrl: 'http://edge',
  })]);
  await insertVenues(h.db.pool, [...venues, tiny]);
  await insertEvents(h.db.pool, all);
  await sellTickets(h);
});
afterAll(() => h?.close());

async function page(app: Hono, query: Record<string, string>): Promise<{ status: number; body: { items: { id: string; rank?: number }[]; nextCursor: string | null } }> {
  const res = await app.request(`/v1/events?${new URLSearchParams(query)}`);
  return { status: res.status, body: (await res.json()) as never };
}

async function allIds(query: Record<string, string>): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const { status, body } = await page(h.app, { ...query, ...(cursor ? { cursor } : {}) });
    expect(status).toBe(200);
    ids.push(...body.items.map((i) => i.id));
    cursor = body.nextCursor;
  } while (cursor);
  return ids;
}

/** The oracle: published, upcoming, matching `keep`, by date then id. */
function expected(keep: (e: FixtureEvent) => boolean): string[] {
  return all
    .filter((e) => e.status === 'published' && e.startsAt.getTime() >= now && keep(e))
    .sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime() || (a.id < b.id ? -1 : 1))
    .map((e) => e.id);
}

const z = (n: string): string => stableUuid('catalog', 'z', n);

describe('GET /v1/events', () => {
  it('ranks title+performer over title over venue over description, and leaves out drafts and past events', async () => {
    const { body } = await page(h.app, { q: 'zephyrine' });
    expect(body.items.map((i) => i.id)).toEqual([z('1'), z('2'), z('3'), z('4')]);
    const ranks = body.items.map((i) => i.rank ?? 0);
    expect([...ranks].sort((a, b) => b - a)).toEqual(ranks);
    expect(ranks[0]).toBeGreaterThan(ranks[1]!);
  });

  it('sorts a search by date when asked', async () => {
    expect(await allIds({ q: 'Zephyrine', sort: 'date' })).toEqual([z('4'), z('3'), z('2'), z('1')]);
  });

  it('finds a performer in one city, across pages, exactly', async () => {
    const ids = await allIds({ q: 'cobalt', city: 'paris', limit: '7' });
    expect(ids).toEqual(expected((e) => e.performer === 'Cobalt' && e.city === 'Paris'));
    expect(ids.length).toBeGreaterThan(20);
  });

  it('understands phrases, exclusions and stems (websearch syntax)', async () => {
    expect(await allIds({ q: '"cobalt" -paris', category: 'music', limit: '50' }))
      .toEqual(expected((e) => e.performer === 'Cobalt' && e.city !== 'Paris' && e.category === 'music'));
    expect(await allIds({ q: 'unplugging', city: 'Rome', category: 'family', limit: '50' }))
      .toEqual(expected((e) => e.title.includes('Unplugged') && e.city === 'Rome' && e.category === 'family'));
  });

  it('filters by category, date range and price range', async () => {
    const from = '2031-02-01T00:00:00Z';
    const to = '2031-04-15T00:00:00+02:00';
    const ids = await allIds({ category: 'comedy', from, to, minPrice: '3000', maxPrice: '4000', limit: '100' });
    expect(ids).toEqual(expected((e) => e.category === 'comedy' && e.startsAt >= new Date(from) && e.startsAt <= new Date(to)
      && e.prices.some((p) => p >= 3000 && p <= 4000)));
    expect(ids.length).toBeGreaterThan(3);
  });

  it('forgives a typo and completes a prefix when the words as typed match nothing, and says so', async () => {
    const cobalt = expected((e) => e.performer === 'Cobalt' && e.city === 'Paris');
    const exact = await page(h.app, { q: 'cobalt', city: 'Paris', sort: 'date' });
    expect(exact.body).toMatchObject({ match: 'exact' });
    for (const typed of ['cobolt', 'coba']) {
      const first = await page(h.app, { q: typed, city: 'Paris', sort: 'date' });
      expect(first.body, typed).toMatchObject({ match: 'fuzzy' });
      // every page of the forgiving search, through its cursor, and only names near what was typed
      expect(await allIds({ q: typed, city: 'Paris', sort: 'date', limit: '9' }), typed).toEqual(cobalt);
    }
    expect((await page(h.app, { q: 'qqqxxzz' })).body).toMatchObject({ items: [], match: 'fuzzy', nextCursor: null });
    // phrases and exclusions mean exactly what they say: never loosened
    expect((await page(h.app, { q: '"cobolt arena"' })).body).toMatchObject({ items: [], match: 'exact' });
    expect((await page(h.app, { q: 'cobolt -paris' })).body).toMatchObject({ items: [], match: 'exact' });
  });

  it('counts live tickets as they are written (one counter per event), whatever the statement', async () => {
    const count = async (eventId: string) => (await h.db.pool.query<{ live: number }>('SELECT coalesce(sum(live), 0)::int AS live FROM event_ticket_counts WHERE event_id = $1', [eventId])).rows[0]!.live;
    const truth = async (eventId: string) => (await h.db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM tickets WHERE event_id = $1 AND status = 'live'`, [eventId])).rows[0]!.n;
    expect([await count(full.id), await count(half.id)]).toEqual([2, 1]);
    // concurrent writers, a void and an un-void, a delete: the counter still equals the count
    const section = ((await h.db.pool.query('SELECT id FROM sections WHERE venue_id = $1', [tiny.id])).rows[0] as { id: string }).id;
    await Promise.all(Array.from({ length: 8 }, () => h.db.pool.query(
      `INSERT INTO tickets (order_id, event_id, section_id, tier_code, price_minor) SELECT $1, $2, $3, 'GA', 50 FROM generate_series(1, 5)`,
      [`order-${half.id}`, half.id, section],
    )));
    await h.db.pool.query(`UPDATE tickets SET status = 'void', voided_at = now() WHERE id IN (SELECT id FROM tickets WHERE event_id = $1 AND status = 'live' LIMIT 7)`, [half.id]);
    await h.db.pool.query(`DELETE FROM tickets WHERE id IN (SELECT id FROM tickets WHERE event_id = $1 AND status = 'live' LIMIT 3)`, [half.id]);
    expect(await count(half.id)).toBe(await truth(half.id));
    expect(await count(half.id)).toBe(1 + 40 - 7 - 3);
    // put it back as the fixture had it, for the seats-left test
    await h.db.pool.query(`DELETE FROM tickets WHERE event_id = $1 AND id NOT IN (SELECT id FROM tickets WHERE event_id = $1 ORDER BY id LIMIT 0)`, [half.id]);
    await h.db.pool.query(`INSERT INTO tickets (order_id, event_id, section_id, tier_code, price_minor, status, voided_at) VALUES ($1, $2, $3, 'GA', 50, 'live', NULL), ($1, $2, $3, 'GA', 50, 'void', now())`, [`order-${half.id}`, half.id, section]);
    expect(await count(half.id)).toBe(1);
  });

  it('keeps no GIN pending list on the catalog indexes (a bulk load leaves searches on the index)', async () => {
    const { rows } = await h.db.pool.query<{ relname: string; reloptions: string[] | null }>(
      `SELECT relname, reloptions FROM pg_class WHERE relname IN ('events_search', 'catalog_words_trgm') ORDER BY relname`);
    expect(rows).toEqual([{ relname: 'catalog_words_trgm', reloptions: ['fastupdate=off'] }, { relname: 'events_search', reloptions: ['fastupdate=off'] }]);
  });

  it('filters on seats left: empty venues and sold-out events have none, void tickets do not count', async () => {
    const none = await allIds({ hasSeats: 'false', limit: '100' });
    expect(none).toEqual(expected((e) => e.venueId === venues[11]!.id || e.id === full.id));
    expect(await allIds({ hasSeats: 'true', city: 'Lisbon' })).toEqual([half.id]);
  });

  it('pages by date through every upcoming event exactly once', async () => {
    const ids = await allIds({ limit: '100' });
    expect(ids).toEqual(expected(() => true));
  });

  it.each([
    [{ sort: 'relevance' }],
    [{ limit: '0' }],
    [{ limit: '101' }],
    [{ minPrice: '50', maxPrice: '10' }],
    [{ from: '2031-02-01T00:00:00Z', to: '2031-01-01T00:00:00Z' }],
    [{ from: 'tomorrow' }],
    [{ hasSeats: 'yes' }],
    [{ colour: 'blue' }],
    [{ cursor: 'bm90LWEtY3Vyc29y' }],
  ])('rejects %o with a 400 problem', async (query) => {
    const res = await h.app.request(`/v1/events?${new URLSearchParams(query as Record<string, string>)}`);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
  });

  // PostgreSQL refuses 0x00 in text: it used to be a 500 from the search query
  it.each(['q', 'city', 'category'])('refuses a NUL byte in %s with 400 validation_failed, before any query', async (name) => {
    const res = await h.app.request(`/v1/events?${name}=a%00b`);
    expect(res.status).toBe(400);
    const problem = (await res.json()) as { code: string; errors: { path: string; message: string }[] };
    expect(problem.code).toBe('validation_failed');
    expect(problem.errors).toEqual([{ path: name, message: expect.stringContaining('NUL') }]);
  });

  it('rejects a cursor replayed against another query', async () => {
    const { body } = await page(h.app, { q: 'cobalt', limit: '2' });
    expect(body.nextCursor).toBeTruthy();
    const res = await h.app.request(`/v1/events?${new URLSearchParams({ q: 'raven', limit: '2', cursor: body.nextCursor! })}`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { code: string }).code).toBe('invalid_cursor');
  });
});
