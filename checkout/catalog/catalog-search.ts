/**
 * The events list in SQL: full-text search over the generated `search` tsvector (GIN), the
 * filters, and keyset pagination on (starts_at, id) or (rank desc, starts_at, id). Keyset, not
 * OFFSET: rows inserted while a fan pages never shift the pages after the cursor, so nothing
 * that existed is skipped or repeated.
 *
 * When the words as typed match nothing, the search forgives: prefixes ("coba" finds Cobalt) and
 * typos ("cobolt"), each typed word widened to its nearest words of the catalog's vocabulary
 * (trigrams, migration 0060) and to itself as a prefix, then through the same full-text index. The
 * answer says which (`match`), and the cursor keeps it, so every page of one search is of one kind.
 */
import { createHash } from 'node:crypto';
import type { PgPool } from '../../common/postgres-pool.js';
import { decodeCursor, encodeCursor, sortOf, type EventListQuery } from './catalog-query.js';
import { RATING_AVERAGE } from './reviews.js';

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
  ratingAverage: number | null;
  ratingCount: number;
}

export interface EventPage {
  items: EventSummary[];
  nextCursor: string | null;
  /** 'fuzzy': nothing matched the words as typed; these are the nearest names */
  match: 'exact' | 'fuzzy';
}

/** Words only: a search with phrases, exclusions or OR meant exactly what it said, so it is not loosened. */
function plainWords(text: string): boolean {
  return !/["]|(^|\s)-\S|\sor\s/i.test(text);
}

/** Letters and digits only (nothing reaches to_tsquery's syntax), at most 8 words. */
function typedWords(text: string): string[] {
  return (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).slice(0, 8);
}

/**
 * The forgiving tsquery, built in SQL from the typed words ($n, text[]): each word becomes
 * (nearest vocabulary words | the word as a prefix), all words required. "cobolt" → ('cobalt' |
 * 'cobolt':*); "coba" → ('cobalt' | 'coba':*). Trigram similarity (`%`, pg_trgm's 0.3) picks the
 * vocabulary words, at most three per typed word.
 */
function forgivingTsquery(wordsParam: string): string {
  return `(SELECT to_tsquery('english', string_agg('(' || coalesce(alt.words || ' | ', '') || quote_literal(t.w) || ':*)', ' & ' ORDER BY t.n))
     FROM unnest(${wordsParam}::text[]) WITH ORDINALITY AS t(w, n)
     LEFT JOIN LATERAL (SELECT string_agg(quote_literal(v.word), ' | ') AS words FROM (
       SELECT word FROM catalog_words WHERE word % t.w ORDER BY similarity(word, t.w) DESC, word LIMIT 3) v) alt ON true)`;
}

interface Row {
  id: string; title: string; performer: string; category: string; city: string; venue_name: string;
  starts_key: string; currency: string; min_price: number | null; max_price: number | null; has_seats: boolean; rank_text: string | null;
  rating_average: number | null; rating_count: number;
}

// Exact microseconds in UTC: the cursor must compare equal to the stored value, which a JS Date (ms) cannot hold.
const STARTS_KEY = `to_char(e.starts_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
// The venue's capacity against the event's live tickets: the record in Postgres (the live Redis
// figure is on the event page; a list of thousands cannot ask Redis per row). Both sides are kept
// by triggers (migration 0060): a sum over at most 16 counter rows, not a count of the tickets.
const HAS_SEATS = `e.capacity > (SELECT coalesce(sum(c.live), 0) FROM event_ticket_counts c WHERE c.event_id = e.id)`;
// No seats left needs capacity 0 or some counter row above 0 (live ≥ capacity > 0): the few such
// events are found from the counters and an index, instead of summing the counters of every event.
const NO_SEATS = `e.id IN (SELECT c.event_id FROM event_ticket_counts c WHERE c.live > 0 UNION SELECT z.id FROM events z WHERE z.capacity = 0) AND NOT (${HAS_SEATS})`;

// Each shape of the query (which filters, which sort) is a named prepared statement: parsed and
// planned once per connection rather than on every search (planning was 0.3-0.5 ms of each).
// Parameters go in as values, so the shapes are few (filters × sorts × exact/fuzzy).
const statementNames = new Map<string, string>();
function statementName(sql: string): string {
  let name = statementNames.get(sql);
  if (!name) {
    name = `catalog-search-${createHash('sha1').update(sql).digest('hex').slice(0, 16)}`;
    if (statementNames.size < 1000) statementNames.set(sql, name);
  }
  return name;
}

export async function searchEvents(pool: PgPool, q: EventListQuery, now: Date = new Date()): Promise<EventPage> {
  const cursor = decodeCursor(q);
  const page = await searchPage(pool, q, cursor, cursor?.fuzzy ? 'fuzzy' : 'exact', now);
  if (page.match === 'exact' && q.q && !cursor && page.items.length === 0 && plainWords(q.q)) return searchPage(pool, q, undefined, 'fuzzy', now);
  return page;
}

async function searchPage(pool: PgPool, q: EventListQuery, cursor: ReturnType<typeof decodeCursor>, match: EventPage['match'], now: Date): Promise<EventPage> {
  const sort = sortOf(q);
  const params: unknown[] = [];
  const p = (v: unknown): string => `$${params.push(v)}`;
  const where: string[] = [`e.status = 'published'`];
  let rankExpr = 'NULL::real';
  // the tsquery (the forgiving one looks words up in the vocabulary): built once per query, used twice
  let prelude = '';
  if (q.q && match === 'exact') {
    // parsed once: in a prepared statement's generic plan websearch_to_tsquery($1) is not folded to a constant, and ts_rank would parse it again for every match
    prelude = `typed AS MATERIALIZED (SELECT websearch_to_tsquery('english', ${p(q.q)}) AS tsq),`;
    where.push(`e.search @@ (SELECT tsq FROM typed)`);
    rankExpr = `ts_rank(e.search, (SELECT tsq FROM typed))`;
  } else if (q.q) {
    const words = typedWords(q.q);
    if (words.length === 0) return { items: [], nextCursor: null, match };
    prelude = `forgiving AS MATERIALIZED (SELECT ${forgivingTsquery(p(words))} AS tsq),`;
    where.push(`e.search @@ (SELECT tsq FROM forgiving)`);
    rankExpr = `ts_rank(e.search, (SELECT tsq FROM forgiving))`;
  }
  if (q.city) where.push(`lower(e.city) = lower(${p(q.city)})`);
  if (q.category) where.push(`lower(e.category) = lower(${p(q.category)})`);
  // Upcoming events only unless the fan asks for a start.
  where.push(`e.starts_at >= ${p(q.from ?? now.toISOString())}::timestamptz`);
  if (q.to) where.push(`e.starts_at <= ${p(q.to)}::timestamptz`);
  if (q.minPrice !== undefined || q.maxPrice !== undefined) {
    where.push(`EXISTS (SELECT 1 FROM event_price_tiers pt WHERE pt.event_id = e.id
      AND pt.price_minor >= ${p(q.minPrice ?? 0)} AND pt.price_minor <= ${p(q.maxPrice ?? 2_147_483_647)})`);
  }
  if (q.hasSeats !== undefined) where.push(q.hasSeats ? HAS_SEATS : NO_SEATS);
  // by rating, the keyset's rank is the average (0 when unrated, so those come last)
  if (sort === 'rating') rankExpr = `coalesce(${RATING_AVERAGE}, 0)::real`;
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
  // Prices, seats-left and the printed start are computed for the page only, after the LIMIT.
  const sql = `
    WITH ${prelude} page AS (
      SELECT * FROM (
        SELECT e.id, e.venue_id, e.capacity, e.title, e.performer, e.category, e.city, e.venue_name, e.starts_at,
               e.currency, ${rankExpr} AS rank
        FROM events e ${sort === 'rating' ? 'LEFT JOIN event_review_stats rs ON rs.event_id = e.id' : ''} WHERE ${where.join(' AND ')}
      ) matched
      WHERE ${after}
      ORDER BY ${order}
      LIMIT ${p(q.limit + 1)}
    )
    SELECT e.id, e.title, e.performer, e.category, e.city, e.venue_name, ${STARTS_KEY} AS starts_key, e.currency, e.rank::text AS rank_text,
           (SELECT min(pt.price_minor) FROM event_price_tiers pt WHERE pt.event_id = e.id) AS min_price,
           (SELECT max(pt.price_minor) FROM event_price_tiers pt WHERE pt.event_id = e.id) AS max_price,
           ${HAS_SEATS} AS has_seats, ${RATING_AVERAGE} AS rating_average, coalesce(rs.review_count, 0) AS rating_count
    FROM page e LEFT JOIN event_review_stats rs ON rs.event_id = e.id
    ORDER BY ${order}`;
  const { rows } = await pool.query<Row>({ name: statementName(sql), text: sql, values: params });
  const more = rows.length > q.limit;
  const page = rows.slice(0, q.limit);
  const last = page.at(-1);
  return {
    items: page.map((r) => ({
      id: r.id, title: r.title, performer: r.performer, category: r.category, city: r.city, venueName: r.venue_name,
      startsAt: r.starts_key, currency: r.currency, minPriceMinor: r.min_price, maxPriceMinor: r.max_price, hasSeatsLeft: r.has_seats,
      ratingAverage: r.rating_average, ratingCount: r.rating_count,
      ...(r.rank_text !== null && sort === 'relevance' ? { rank: Number(r.rank_text) } : {}),
    })),
    nextCursor: more && last ? encodeCursor(q, { startsAt: last.starts_key, id: last.id, ...(last.rank_text !== null && sort !== 'date' ? { rank: last.rank_text } : {}), ...(match === 'fuzzy' ? { fuzzy: true } : {}) }) : null,
    match,
  };
}
