import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiHarness, type ApiHarness } from '../../test/support/api-test-context.js';
import { createCatalogRouter } from './catalog-routes.js';
import { generateCatalog, insertEvents, insertVenues, type FixtureEvent } from '../../test/support/catalog-fixture.js';

let h: ApiHarness;
const { venues, events } = generateCatalog(1500, 'paging');
const visible = events.filter((e) => e.status === 'published' && e.startsAt.getTime() > Date.now());

beforeAll(async () => {
  h = await apiHarness([({ ctx }) => createCatalogRouter({
    pgRead: ctx.pgRead, availability: () => Promise.reject(new Error('not used by the list')), publicEdgeUrl: 'http://edge',
  })]);
  await insertVenues(h.db.pool, venues);
  await insertEvents(h.db.pool, events);
});
afterAll(() => h?.close());

/** New events spread over the whole range, many sharing a start time with an existing one (the id breaks the tie). */
function newcomers(n: number, seed: number): FixtureEvent[] {
  return Array.from({ length: n }, (_, k) => {
    const twin = visible[(seed * 37 + k * 101) % visible.length]!;
    return { ...twin, id: randomUUID(), title: `${twin.performer} Extra Date`, startsAt: k % 2 ? twin.startsAt : new Date(twin.startsAt.getTime() + 1) };
  });
}

async function pageThrough(query: Record<string, string>, onPage: (n: number) => Promise<void>): Promise<{ id: string; startsAt: string; rank?: number }[]> {
  const seen: { id: string; startsAt: string; rank?: number }[] = [];
  let cursor: string | null = null;
  let n = 0;
  do {
    // the inserts race the page request, they do not merely alternate with it
    const [res] = await Promise.all([h.app.request(`/v1/events?${new URLSearchParams({ ...query, ...(cursor ? { cursor } : {}) })}`), onPage(n++)]);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { items: { id: string; startsAt: string; rank?: number }[]; nextCursor: string | null };
    seen.push(...body.items);
    cursor = body.nextCursor;
  } while (cursor);
  return seen;
}

describe('keyset pagination under concurrent inserts', () => {
  it('by date: every event that existed is returned once, none twice, in order', async () => {
    const seen = await pageThrough({ limit: '40' }, (n) => insertEvents(h.db.pool, newcomers(8, n)));
    const ids = seen.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    const got = new Set(ids);
    expect(visible.filter((e) => !got.has(e.id))).toEqual([]);
    for (let i = 1; i < seen.length; i++) {
      const [a, b] = [seen[i - 1]!, seen[i]!];
      expect(a.startsAt < b.startsAt || (a.startsAt === b.startsAt && a.id < b.id)).toBe(true);
    }
  });

  it('by relevance: the same holds for a search', async () => {
    const cobalt = visible.filter((e) => e.performer === 'Cobalt');
    const seen = await pageThrough({ q: 'cobalt', limit: '9' }, (n) =>
      insertEvents(h.db.pool, newcomers(6, n + 1000).map((e) => ({ ...e, performer: 'Cobalt', title: n % 2 ? 'Cobalt Cobalt' : 'Cobalt' }))));
    const ids = seen.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    const got = new Set(ids);
    expect(cobalt.filter((e) => !got.has(e.id))).toEqual([]);
    const ranks = seen.map((s) => s.rank ?? 0);
    expect([...ranks].sort((a, b) => b - a)).toEqual(ranks);
  });
});
