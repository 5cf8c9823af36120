/**
 * Reviews and ratings against real PostgreSQL and Redis, in process: who may review (a live ticket,
 * an event that has taken place), one review per event even when 20 requests race for it, edit
 * and delete one's own, moderators hide with a reason, the average and count on the event, in
 * search results and as a sort, text limits, and the per-account write limit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedSale, type SeededSale } from '../../scripts/seed-sale.js';
import { uniqueId } from '../../test/support/databases.js';
import { adminToken, call } from '../../test/support/admin-test-kit.js';
import { apiHarness, type ApiHarness } from '../../test/support/api-test-context.js';
import { accountsRoutes } from '../accounts/accounts-module.js';
import { catalogRoutes } from './catalog-module.js';
import { reviewRoutes } from './review-module.js';
import { REVIEW_BODY_MAX } from './review-schemas.js';

let h: ApiHarness;
let past: SeededSale;
let upcoming: SeededSale;
let other: SeededSale;
let admin: string;
const DAY = 86_400_000;
const LIMIT = 6;

const seed = (title: string, startsAt: Date) => seedSale(h.db.pool, {
  key: uniqueId('rev'), title, performer: `Reviewers ${uniqueId('p')}`, startsAt,
  sections: [{ name: 'Floor', kind: 'ga', capacity: 50, tierCode: 'GA' }], tiers: [{ code: 'GA', name: 'Standing', priceMinor: 3000 }],
  sale: { prequeueOpensAt: new Date(Date.now() - 40 * DAY), opensAt: new Date(Date.now() - 39 * DAY), closesAt: new Date(Date.now() - 38 * DAY), status: 'closed' },
});

beforeAll(async () => {
  h = await apiHarness([(s) => reviewRoutes(s, { limits: { writesPerAccount: LIMIT, windowS: 3600 } }), catalogRoutes, (s) => accountsRoutes(s)]);
  past = await seed('Last Night Live', new Date(Date.now() - 2 * DAY));
  other = await seed('Another Night Live', new Date(Date.now() - 3 * DAY));
  upcoming = await seed('Next Month Live', new Date(Date.now() + 30 * DAY));
  admin = await adminToken(h.services);
}, 60_000);
afterAll(async () => {
  await h?.close();
});

interface Fan { id: string; token: string; email: string }
async function fan(displayName: string | null = null): Promise<Fan> {
  const email = `${uniqueId('reviewer')}@example.com`;
  const { rows } = await h.db.pool.query<{ id: string }>(`INSERT INTO users (email, display_name) VALUES ($1, $2) RETURNING id`, [email, displayName]);
  const id = rows[0]!.id;
  return { id, email, token: await h.services.accessTokens.sign({ userId: id, email, role: 'fan' }) };
}
async function ticket(f: Fan | null, sale: SeededSale, opts: { email?: string; status?: 'live' | 'void' } = {}): Promise<string> {
  const id = uniqueId('order-');
  await h.db.pool.query(
    `INSERT INTO orders (id, sale_id, event_id, user_id, email, payment_intent_id, amount_minor, currency, status)
     VALUES ($1, $2, $3, $4, $5, $1, 3000, 'EUR', 'confirmed')`, [id, sale.saleId, sale.eventId, f?.id ?? null, opts.email ?? f?.email]);
  const status = opts.status ?? 'live';
  await h.db.pool.query(`INSERT INTO tickets (order_id, event_id, section_id, tier_code, price_minor, status, voided_at) VALUES ($1, $2, $3, 'GA', 3000, $4, $5)`,
    [id, sale.eventId, sale.sectionIds.Floor, status, status === 'void' ? new Date() : null]);
  return id;
}
const review = (f: Fan, eventId: string, body: unknown) => call(h.app, f.token, 'POST', `/v1/events/${eventId}/reviews`, body);
const publicReviews = async (eventId: string) => (await h.app.request(`/v1/events/${eventId}/reviews`)).json() as Promise<{ rating: { average: number | null; count: number }; items: { id: string; body: string; author: string; rating: number }[] }>;

describe('who may review', () => {
  it('a fan with a live ticket for an event that has taken place; nobody else', async () => {
    const holder = await fan('Ada');
    await ticket(holder, past);
    const voided = await fan();
    await ticket(voided, past, { status: 'void' });
    const stranger = await fan();
    const early = await fan();
    await ticket(early, upcoming);

    expect((await review(stranger, past.eventId, { rating: 5 })).body.code).toBe('no_ticket');
    expect((await review(voided, past.eventId, { rating: 5 })).status).toBe(403);
    expect((await review(early, upcoming.eventId, { rating: 5 })).body.code).toBe('event_not_taken_place');
    expect((await h.app.request(`/v1/events/${past.eventId}/reviews`, { method: 'POST', body: '{"rating":5}', headers: { 'content-type': 'application/json' } })).status).toBe(401);
    const mine = await call(h.app, holder.token, 'GET', `/v1/events/${past.eventId}/reviews/mine`);
    expect(mine.body).toEqual({ review: null, canReview: true, reason: 'ok' });

    const ok = await review(holder, past.eventId, { rating: 4, body: 'Loud and <b>lovely</b>' });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ rating: 4, body: 'Loud and <b>lovely</b>', author: 'Ada', hidden: null, edited: false });
    expect((await call(h.app, holder.token, 'GET', `/v1/events/${past.eventId}/reviews/mine`)).body).toMatchObject({ canReview: false, reason: 'already_reviewed' });
  });

  it('a guest ticket counts once the account has verified its address', async () => {
    const f = await fan();
    await ticket(null, other, { email: f.email });
    expect((await review(f, other.eventId, { rating: 3 })).status).toBe(403);
    await h.db.pool.query('UPDATE users SET email_verified_at = now() WHERE id = $1', [f.id]);
    expect((await review(f, other.eventId, { rating: 3 })).status).toBe(201);
  });

  it('refuses a rating outside 1–5 and a text over the limit', async () => {
    const f = await fan();
    await ticket(f, past);
    for (const rating of [0, 6, 3.5, '5']) expect((await review(f, past.eventId, { rating })).status, String(rating)).toBe(422);
    expect((await review(f, past.eventId, { rating: 5, body: 'x'.repeat(REVIEW_BODY_MAX + 1) })).status).toBe(422);
    expect((await review(f, past.eventId, { rating: 5, body: 'x'.repeat(REVIEW_BODY_MAX) })).status).toBe(201);
  });
});

describe('one review per event', () => {
  it('20 concurrent first reviews by one fan leave exactly one', async () => {
    const f = await fan();
    await ticket(f, other);
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => review(f, other.eventId, { rating: 1 + (i % 5), body: `try ${i}` })));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    // the rest are told so (or were stopped by the per-account write limit first)
    expect(statuses.every((s) => s === 201 || s === 409 || s === 429)).toBe(true);
    expect(statuses.filter((s) => s === 409).length).toBeGreaterThanOrEqual(LIMIT - 1);
    const { rows } = await h.db.pool.query('SELECT count(*)::int AS n FROM reviews WHERE user_id = $1 AND event_id = $2', [f.id, other.eventId]);
    expect(rows[0].n).toBe(1);
  });
});

describe('edit, delete, hide — and the average', () => {
  it('the event, its reviews and search all show the average and count of the visible reviews', async () => {
    const event = await seed('Rated Night', new Date(Date.now() - DAY));
    const fans = await Promise.all([fan('One'), fan('Two'), fan('Three')]);
    for (const f of fans) await ticket(f, event);
    const ids: string[] = [];
    for (const [i, f] of fans.entries()) ids.push((await review(f, event.eventId, { rating: [5, 4, 1][i], body: `review ${i}` })).body.id as string);
    expect((await publicReviews(event.eventId)).rating).toEqual({ average: 3.3, count: 3 });

    // the author edits theirs; nobody else can
    expect((await call(h.app, fans[1]!.token, 'PATCH', `/v1/reviews/${ids[2]}`, { rating: 5 })).status).toBe(404);
    const edited = await call(h.app, fans[2]!.token, 'PATCH', `/v1/reviews/${ids[2]}`, { rating: 2, body: 'changed my mind' });
    expect(edited.body).toMatchObject({ rating: 2, body: 'changed my mind', edited: true });
    expect((await publicReviews(event.eventId)).rating).toEqual({ average: 3.7, count: 3 });

    // a moderator hides one with a reason: gone from the public list and the average, still the author's
    const fanTries = await call(h.app, fans[0]!.token, 'POST', `/v1/admin/reviews/${ids[1]}/hide`, { reason: 'spam' });
    expect(fanTries.status).toBe(403);
    expect((await call(h.app, admin, 'POST', `/v1/admin/reviews/${ids[1]}/hide`, {})).status).toBe(422);
    const hidden = await call(h.app, admin, 'POST', `/v1/admin/reviews/${ids[1]}/hide`, { reason: 'names another fan' });
    expect(hidden.body).toMatchObject({ hidden: { reason: 'names another fan' } });
    const visible = await publicReviews(event.eventId);
    expect(visible.rating).toEqual({ average: 3.5, count: 2 });
    expect(visible.items.map((r) => r.id).sort()).toEqual([ids[0], ids[2]].sort());
    expect((await call(h.app, fans[1]!.token, 'GET', `/v1/events/${event.eventId}/reviews/mine`)).body).toMatchObject({ review: { id: ids[1], hidden: { reason: 'names another fan' } } });
    const moderation = await call(h.app, admin, 'GET', `/v1/admin/events/${event.eventId}/reviews`);
    expect((moderation.body.items as unknown[]).length).toBe(3);
    // editing does not bring it back
    await call(h.app, fans[1]!.token, 'PATCH', `/v1/reviews/${ids[1]}`, { body: 'please show me' });
    expect((await publicReviews(event.eventId)).rating.count).toBe(2);

    // the author deletes theirs
    expect((await call(h.app, fans[0]!.token, 'DELETE', `/v1/reviews/${ids[0]}`)).status).toBe(204);
    expect((await call(h.app, fans[0]!.token, 'DELETE', `/v1/reviews/${ids[0]}`)).status).toBe(404);
    expect((await publicReviews(event.eventId)).rating).toEqual({ average: 2, count: 1 });
    // shown again
    await call(h.app, admin, 'POST', `/v1/admin/reviews/${ids[1]}/show`);
    expect((await publicReviews(event.eventId)).rating).toEqual({ average: 3, count: 2 });

    // the event page and search say the same; search sorts by rating, best first, unrated last
    const detail = await (await h.app.request(`/v1/events/${event.eventId}`)).json() as { rating: unknown };
    expect(detail.rating).toEqual({ average: 3, count: 2 });
    const from = new Date(Date.now() - 10 * DAY).toISOString();
    const byRating = await h.app.request(`/v1/events?from=${encodeURIComponent(from)}&sort=rating&limit=2`);
    expect(byRating.status).toBe(200);
    const first = await byRating.json() as { items: { id: string; ratingAverage: number | null; ratingCount: number }[]; nextCursor: string | null };
    const all = [...first.items];
    let cursor = first.nextCursor;
    while (cursor) {
      const next = await (await h.app.request(`/v1/events?from=${encodeURIComponent(from)}&sort=rating&limit=2&cursor=${cursor}`)).json() as typeof first;
      all.push(...next.items);
      cursor = next.nextCursor;
    }
    const averages = all.map((e) => e.ratingAverage ?? 0);
    expect(averages).toEqual([...averages].sort((a, b) => b - a));
    expect(new Set(all.map((e) => e.id)).size).toBe(all.length);
    expect(all.find((e) => e.id === event.eventId)).toMatchObject({ ratingAverage: 3, ratingCount: 2 });
    expect(all.find((e) => e.id === upcoming.eventId)).toMatchObject({ ratingAverage: null, ratingCount: 0 });
  });

  it('a deleted account takes its reviews with it', async () => {
    const event = await seed('Forgotten Night', new Date(Date.now() - DAY));
    const f = await fan();
    await ticket(f, event);
    await review(f, event.eventId, { rating: 5 });
    expect((await publicReviews(event.eventId)).rating.count).toBe(1);
    expect((await call(h.app, f.token, 'DELETE', '/v1/me', {})).status).toBe(204);
    expect((await publicReviews(event.eventId)).rating).toEqual({ average: null, count: 0 });
  });
});

describe('limits', () => {
  it('review writes are limited per account', async () => {
    const f = await fan();
    await ticket(f, upcoming);
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT + 2; i++) statuses.push((await review(f, upcoming.eventId, { rating: 5 })).status);
    expect(statuses.slice(0, LIMIT).every((s) => s === 409)).toBe(true);
    expect(statuses.slice(LIMIT)).toEqual([429, 429]);
    // another account is not affected: it is told the event has not taken place
    const g = await fan();
    expect((await review(g, upcoming.eventId, { rating: 5 })).body.code).toBe('event_not_taken_place');
  });
});
