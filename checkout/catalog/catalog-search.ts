/**
 * The events list in SQL: full-text search over the generated `search` tsvector (GIN), the
 * filters, and keyset pagination on (starts_at, id) or (rank desc, starts_at, id). Keyset, not
 * OFFSET: rows inserted while a fan pages never shift the pages after the cursor, so nothing
 * that existed is skipped or repeated.
 */
import type { PgPool } from '../../common/postgres-pool.js';
import { decodeCursor, encodeCursor, sortOf, type EventListQuery } from './catalog-query.js';

export interface EventSummary {
  id: string;
  title: string;
  performer: string;
  category: string;
  city: string;
  venueName: string;
  startsAt: string;
  currency: string;
  minPriceMinor: number | null;
  maxPriceMinor: number | null;
  hasSeatsLeft: boolean;
  rank?: number;
}

export interface EventPage {
  items: EventSummary[];
  nextCursor: string | null;
}

interface Row {
  id: string; title: string; performer: string; category: string; city: string; venue_name: string;
  starts_key: string; currency: string; min_price: number | null; max_price: number | null; has_seats: boolean; rank_text: string | null;
}

// Exact microseconds in UTC: the cursor must compare equal to the stored value, which a JS Date (ms) cannot hold.
const STARTS_KEY = `to_char(e.starts_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
// Capacity of the venue's sections minus the event's live tickets: the record in Postgres (the live
// Redis figure is on the event page; a list of thousands cannot ask Redis per row).
const HAS_SEATS = `(SELECT coalesce(sum(s.capacity), 0) FROM sections s WHERE s.venue_id = e.venue_id)
  > (SELECT count(*) FROM tickets t WHERE t.event_id = e.id AND t.status = 'live')`;

export async function searchEvents(pool: PgPool, q: EventListQuery, now: Date = new Date()): Promise<EventPage> {
  const sort = sortOf(q);
  const cursor = decodeCursor(q);
  const params: unknown[] = [];
  const p = (v: unknown): string => `$${params.push(v)}`;
  const where: string[] = [`e.status = 'published'`];
  const tsq = q.q ? `websearch_to_tsquery('english', ${p(q.q)})` : undefined;
  if (tsq) where.push(`e.search @@ ${tsq}`);
  if (q.city) where.push(`lower(e.city) = lower(${p(q.city)})`);
  if (q.category) where.push(`lower(e.category) = lower(${p(q.category)})`);
  // Upcoming events only unless the fan asks for a start.
  where.push(`e.starts_at >= ${p(q.from ?? now.toISOString())}::timestamptz`);
  if (q.to) where.push(`e.starts_at <= ${p(q.to)}::timestamptz`);
  if (q.minPrice !== undefined || q.maxPrice !== undefined) {
    where.push(`EXISTS (SELECT 1 FROM event_price_tiers pt WHERE pt.event_id = e.id
      AND pt.price_minor >= ${p(q.minPrice ?? 0)} AND pt.price_minor <= ${p(q.maxPrice ?? 2_147_483_647)})`);
  }
  if (q.hasSeats !== undefined) where.push(q.hasSeats ? HAS_SEATS : `NOT (${HAS_SEATS})`);

  const rankExpr = tsq ? `ts_rank(e.search, ${tsq})` : 'NULL::real';
  let after = 'TRUE';
  if (cursor) {
    const key = `(starts_at, id) > (${p(cursor.startsAt)}::timestamptz, ${p(cursor.id)}::uuid)`;
    if (sort === 'date') after = key;
    else {
      const r = p(cursor.rank);
      after = `(rank < ${r}::real OR (rank = ${r}::real AND ${key}))`;
    }
  }
  const order = sort === 'date' ? 'starts_at, id' : 'rank DESC, starts_at, id';
  // Prices and seats-left are computed for the page only, after the LIMIT.
  const sql = `
    WITH page AS (
      SELECT * FROM (
        SELECT e.id, e.venue_id, e.title, e.performer, e.category, e.city, e.venue_name, e.starts_at,
               ${STARTS_KEY} AS starts_key, e.currency, ${rankExpr} AS rank
        FROM events e WHERE ${where.join(' AND ')}
      ) matched
      WHERE ${after}
      ORDER BY ${order}
      LIMIT ${p(q.limit + 1)}
    )
    SELECT e.id, e.title, e.performer, e.category, e.city, e.venue_name, e.starts_key, e.currency, e.rank::text AS rank_text,
           (SELECT min(pt.price_minor) FROM event_price_tiers pt WHERE pt.event_id = e.id) AS min_price,
           (SELECT max(pt.price_minor) FROM event_price_tiers pt WHERE pt.event_id = e.id) AS max_price,
           ${HAS_SEATS} AS has_seats
    FROM page e
    ORDER BY ${order}`;
  const { rows } = await pool.query<Row>(sql, params);
  const more = rows.length > q.limit;
  const page = rows.slice(0, q.limit);
  const last = page.at(-1);
  return {
    items: page.map((r) => ({
      id: r.id, title: r.title, performer: r.performer, category: r.category, city: r.city, venueName: r.venue_name,
      startsAt: r.starts_key, currency: r.currency, minPriceMinor: r.min_price, maxPriceMinor: r.max_price, hasSeatsLeft: r.has_seats,
      ...(r.rank_text !== null && sort === 'relevance' ? { rank: Number(r.rank_text) } : {}),
    })),
    nextCursor: more && last ? encodeCursor(q, { startsAt: last.starts_key, id: last.id, ...(last.rank_text !== null && sort === 'relevance' ? { rank: last.rank_text } : {}) }) : null,
  };
}
