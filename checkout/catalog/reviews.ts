/**
 * Reviews and ratings of events, in SQL. Who may review: an account that had a live ticket for the
 * event — in an order it owns (placed while logged in, or a guest order of its verified address,
 * as my-orders.ts rules) — once the event has started and was not cancelled. One review per
 * (event, account): the UNIQUE constraint decides any number of concurrent first reviews, and
 * the losers are told "you reviewed this already". The visible reviews' count and sum are kept
 * per event by a trigger (migration 0041).
 */
import type { PgPool } from '../../common/postgres-pool.js';

export interface Review {
  id: string;
  eventId: string;
  rating: number;
  body: string;
  author: string;
  createdAt: string;
  updatedAt: string;
  edited: boolean;
}

export interface OwnReview extends Review {
  hidden: { at: string; reason: string } | null;
}

export interface RatingSummary {
  /** mean of the visible ratings, one decimal; null without any */
  average: number | null;
  count: number;
}

const ANONYMOUS = 'A fan';

interface Row {
  id: string; event_id: string; rating: number; body: string; author: string | null;
  created_at: Date; updated_at: Date; hidden_at: Date | null; hidden_reason: string | null; created_key: string;
}
// created_key: exact microseconds in UTC, for the cursor (a JS Date keeps milliseconds only)
const COLUMNS = `r.id, r.event_id, r.rating, r.body, u.display_name AS author, r.created_at, r.updated_at, r.hidden_at, r.hidden_reason,
  to_char(r.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_key`;

function toReview(r: Row): Review {
  return {
    id: r.id, eventId: r.event_id, rating: r.rating, body: r.body, author: r.author ?? ANONYMOUS,
    createdAt: r.created_at.toISOString(), updatedAt: r.updated_at.toISOString(), edited: r.updated_at.getTime() !== r.created_at.getTime(),
  };
}
const toOwn = (r: Row): OwnReview => ({ ...toReview(r), hidden: r.hidden_at ? { at: r.hidden_at.toISOString(), reason: r.hidden_reason! } : null });

/** The SQL of the summary of event `e` (event_review_stats `rs` joined). */
export const RATING_AVERAGE = `CASE WHEN coalesce(rs.review_count, 0) > 0 THEN round(rs.rating_sum::numeric / rs.review_count, 1)::float8 END`;

export async function ratingSummary(pool: PgPool, eventId: string): Promise<RatingSummary> {
  const { rows } = await pool.query<{ average: number | null; count: number }>(
    `SELECT ${RATING_AVERAGE} AS average, coalesce(rs.review_count, 0) AS count
     FROM (SELECT $1::uuid AS event_id) e LEFT JOIN event_review_stats rs ON rs.event_id = e.event_id`, [eventId]);
  return rows[0] ?? { average: null, count: 0 };
}

export type Eligibility = 'ok' | 'no_event' | 'not_yet' | 'cancelled' | 'no_ticket';

/** Whether the account may review the event now (and if not, why). */
export async function eligibility(pool: PgPool, userId: string, eventId: string): Promise<Eligibility> {
  const { rows } = await pool.query<{ status: string; started: boolean; ticket: boolean }>(
    `SELECT e.status, e.starts_at <= now() AS started,
            EXISTS (SELECT 1 FROM orders o JOIN tickets t ON t.order_id = o.id
                    WHERE o.event_id = e.id AND t.status = 'live' AND o.status <> 'cancelled'
                      AND (o.user_id = $1 OR lower(o.email) = (SELECT lower(u.email) FROM users u WHERE u.id = $1 AND u.email_verified_at IS NOT NULL))) AS ticket
     FROM events e WHERE e.id = $2 AND e.status <> 'draft'`, [userId, eventId]);
  const row = rows[0];
  if (!row) return 'no_event';
  if (row.status === 'cancelled') return 'cancelled';
  if (!row.started) return 'not_yet';
  return row.ticket ? 'ok' : 'no_ticket';
}

/** The new review, or null when the account has one for this event already. */
export async function createReview(pool: PgPool, userId: string, eventId: string, rating: number, body: string): Promise<OwnReview | null> {
  const { rows } = await pool.query<Row>(
    `WITH inserted AS (
       INSERT INTO reviews (event_id, user_id, rating, body) VALUES ($1, $2, $3, $4)
       ON CONFLICT (event_id, user_id) DO NOTHING RETURNING *)
     SELECT ${COLUMNS} FROM inserted r JOIN users u ON u.id = r.user_id`, [eventId, userId, rating, body]);
  return rows[0] ? toOwn(rows[0]) : null;
}

/** Changes the account's own review; null when it has no such review. A hidden review stays hidden. */
export async function editReview(pool: PgPool, userId: string, reviewId: string, change: { rating?: number | undefined; body?: string | undefined }): Promise<OwnReview | null> {
  const { rows } = await pool.query<Row>(
    `WITH updated AS (
       UPDATE reviews SET rating = coalesce($3, rating), body = coalesce($4, body), updated_at = now()
       WHERE id = $1 AND user_id = $2 RETURNING *)
     SELECT ${COLUMNS} FROM updated r JOIN users u ON u.id = r.user_id`, [reviewId, userId, change.rating ?? null, change.body ?? null]);
  return rows[0] ? toOwn(rows[0]) : null;
}

export async function deleteReview(pool: PgPool, userId: string, reviewId: string): Promise<boolean> {
  return ((await pool.query('DELETE FROM reviews WHERE id = $1 AND user_id = $2', [reviewId, userId])).rowCount ?? 0) === 1;
}

export async function ownReview(pool: PgPool, userId: string, eventId: string): Promise<OwnReview | null> {
  const { rows } = await pool.query<Row>(`SELECT ${COLUMNS} FROM reviews r JOIN users u ON u.id = r.user_id WHERE r.event_id = $1 AND r.user_id = $2`, [eventId, userId]);
  return rows[0] ? toOwn(rows[0]) : null;
}

/** Hides (reason) or shows again (null) a review; null when there is no such review. */
export async function moderateReview(pool: PgPool, reviewId: string, by: string, reason: string | null): Promise<OwnReview | null> {
  const { rows } = await pool.query<Row>(
    `WITH updated AS (
       UPDATE reviews SET hidden_at = CASE WHEN $2::text IS NULL THEN NULL ELSE coalesce(hidden_at, now()) END,
                          hidden_reason = $2, hidden_by = CASE WHEN $2::text IS NULL THEN NULL ELSE $3 END
       WHERE id = $1 RETURNING *)
     SELECT ${COLUMNS} FROM updated r JOIN users u ON u.id = r.user_id`, [reviewId, reason, by]);
  return rows[0] ? toOwn(rows[0]) : null;
}

export interface ReviewPage { items: Review[]; nextCursor: string | null }

const encode = (r: Row) => Buffer.from(`${r.created_key}|${r.id}`).toString('base64url');
export function decodeReviewCursor(cursor: string): { at: string; id: string } | null {
  const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (!at || !id || Number.isNaN(Date.parse(at)) || !/^[0-9a-f-]{36}$/.test(id)) return null;
  return { at, id };
}

/** The visible reviews of an event, newest first, in keyset pages; `includeHidden` for moderators. */
export async function listReviews(pool: PgPool, eventId: string, limit: number, after: { at: string; id: string } | null, includeHidden = false): Promise<ReviewPage> {
  const { rows } = await pool.query<Row>(
    `SELECT ${COLUMNS} FROM reviews r JOIN users u ON u.id = r.user_id
     WHERE r.event_id = $1 AND ($4 OR r.hidden_at IS NULL)
       AND ($2::timestamptz IS NULL OR (r.created_at, r.id) < ($2::timestamptz, $3::uuid))
     ORDER BY r.created_at DESC, r.id DESC LIMIT $5`, [eventId, after?.at ?? null, after?.id ?? null, includeHidden, limit + 1]);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { items: page.map(includeHidden ? toOwn : toReview), nextCursor: rows.length > limit && last ? encode(last) : null };
}
