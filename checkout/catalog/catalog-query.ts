/**
 * The events list query: filters, sort and an opaque keyset cursor. The cursor carries the sort
 * key of the last row and a fingerprint of the filters, so it cannot be replayed against another
 * query (that would silently skip or repeat rows) — a mismatched cursor is a 400.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { Problem } from '../../common/problem.js';

const boolText = z.enum(['true', 'false']).transform((v) => v === 'true');
const minor = z.coerce.number().int().min(0).max(100_000_000);

export const eventListQuerySchema = z
  .object({
    q: z.string().trim().min(1).max(200).optional(),
    city: z.string().trim().min(1).max(100).optional(),
    category: z.string().trim().min(1).max(50).optional(),
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
    minPrice: minor.optional(),
    maxPrice: minor.optional(),
    hasSeats: boolText.optional(),
    sort: z.enum(['date', 'relevance', 'rating']).optional().describe('rating: best average first (unrated last), then by date'),
    limit: z.coerce.number().int().min(1).max(100).default(20),
    cursor: z.string().min(1).max(500).optional(),
  })
  .strict()
  .refine((v) => v.sort !== 'relevance' || v.q !== undefined, { message: 'sort=relevance needs a search text q', path: ['sort'] })
  .refine((v) => !v.from || !v.to || Date.parse(v.from) <= Date.parse(v.to), { message: 'from is after to', path: ['to'] })
  .refine((v) => v.minPrice === undefined || v.maxPrice === undefined || v.minPrice <= v.maxPrice, { message: 'minPrice is above maxPrice', path: ['maxPrice'] });

export type EventListQuery = z.output<typeof eventListQuerySchema>;
export type SortKind = 'date' | 'relevance' | 'rating';

/** Relevance by default when searching, date otherwise. */
export function sortOf(q: EventListQuery): SortKind {
  return q.sort ?? (q.q ? 'relevance' : 'date');
}

/** Position after the last row: its start time and id, plus its rank (as Postgres printed it) when by relevance or rating. */
export interface Cursor {
  startsAt: string;
  id: string;
  rank?: string;
  /** the pages are of the forgiving search (the exact words matched nothing) */
  fuzzy?: boolean;
}

const cursorSchema = z.object({
  f: z.string(),
  s: z.iso.datetime({ offset: true }),
  i: z.uuid(),
  r: z.string().regex(/^[0-9.e+-]+$/).optional(),
  z: z.literal(1).optional(),
});

function fingerprint(q: EventListQuery): string {
  const { cursor: _c, limit: _l, ...filters } = q;
  const canonical = JSON.stringify({ ...filters, sort: sortOf(q) }, Object.keys({ ...filters, sort: 1 }).sort());
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 16);
}

export function encodeCursor(q: EventListQuery, c: Cursor): string {
  return Buffer.from(JSON.stringify({ f: fingerprint(q), s: c.startsAt, i: c.id, ...(c.rank ? { r: c.rank } : {}), ...(c.fuzzy ? { z: 1 } : {}) })).toString('base64url');
}

export function decodeCursor(q: EventListQuery): Cursor | undefined {
  if (!q.cursor) return undefined;
  let parsed: z.output<typeof cursorSchema>;
  try {
    parsed = cursorSchema.parse(JSON.parse(Buffer.from(q.cursor, 'base64url').toString('utf8')));
  } catch {
    throw new Problem(400, 'invalid_cursor', 'the cursor is not one this API issued');
  }
  if (parsed.f !== fingerprint(q)) throw new Problem(400, 'invalid_cursor', 'the cursor belongs to a different query; start again without it');
  if ((sortOf(q) !== 'date') !== (parsed.r !== undefined)) throw new Problem(400, 'invalid_cursor', 'the cursor does not match the sort');
  return { startsAt: parsed.s, id: parsed.i, ...(parsed.r ? { rank: parsed.r } : {}), ...(parsed.z ? { fuzzy: true } : {}) };
}
