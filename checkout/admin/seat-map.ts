/**
 * Venues and their seat maps in Postgres: created from JSON (sections, rows, tiers) or extended
 * from a CSV import. Every seat goes in with one multi-row INSERT, in one transaction with the
 * sections it needs, so an import is all or nothing.
 */
import { z } from 'zod';
import { inTransaction, type PgClient, type PgPool } from '../../common/postgres-pool.js';
import { Problem } from '../../common/problem.js';
import type { CsvSeat } from './seat-csv.js';

const tierCode = z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, 'letters, digits, _ or -, at most 32');
const name = z.string().trim().min(1).max(100);
const timezone = z.string().refine((tz) => {
  try { new Intl.DateTimeFormat('en', { timeZone: tz }); return true; } catch { return false; }
}, 'unknown IANA time zone');

const rowSchema = z.object({
  label: z.string().trim().min(1).max(16),
  count: z.number().int().min(1).max(500),
  firstNumber: z.number().int().min(1).max(100_000).default(1),
  tierCode: tierCode.optional(),
}).strict();

export const venueSchema = z.object({
  name: z.string().trim().min(1).max(200),
  city: name,
  address: z.string().trim().max(300).optional(),
  timezone: timezone.default('UTC'),
  tiers: z.array(z.object({ code: tierCode, name }).strict()).min(1).max(50),
  sections: z.array(z.discriminatedUnion('kind', [
    z.object({ name, kind: z.literal('ga'), tierCode, capacity: z.number().int().min(1).max(500_000) }).strict(),
    z.object({ name, kind: z.literal('reserved'), tierCode: tierCode.optional(), rows: z.array(rowSchema).min(1).max(500) }).strict(),
  ])).max(200).default([]),
}).strict();
export type VenueInput = z.output<typeof venueSchema>;

/** Checks the references a schema cannot: tiers declared, names and rows unique. 422 with every problem. */
export function checkVenue(v: VenueInput): void {
  const errors: { path: string; message: string }[] = [];
  const tiers = new Set<string>();
  v.tiers.forEach((t, i) => (tiers.has(t.code) ? errors.push({ path: `body.tiers.${i}.code`, message: `duplicate tier ${t.code}` }) : tiers.add(t.code)));
  const sections = new Set<string>();
  v.sections.forEach((s, i) => {
    if (sections.has(s.name)) errors.push({ path: `body.sections.${i}.name`, message: `duplicate section ${s.name}` });
    sections.add(s.name);
    if (s.tierCode && !tiers.has(s.tierCode)) errors.push({ path: `body.sections.${i}.tierCode`, message: `unknown tier ${s.tierCode}` });
    if (s.kind !== 'reserved') return;
    const rows = new Set<string>();
    s.rows.forEach((r, j) => {
      if (rows.has(r.label)) errors.push({ path: `body.sections.${i}.rows.${j}.label`, message: `duplicate row ${r.label}` });
      rows.add(r.label);
      const tier = r.tierCode ?? s.tierCode;
      if (!tier) errors.push({ path: `body.sections.${i}.rows.${j}.tierCode`, message: 'a tier is needed on the row or its section' });
      else if (!tiers.has(tier)) errors.push({ path: `body.sections.${i}.rows.${j}.tierCode`, message: `unknown tier ${tier}` });
    });
  });
  if (errors.length) throw new Problem(422, 'invalid_seat_map', errors.map((e) => `${e.path}: ${e.message}`).join('; '), { errors });
}

interface SeatRow { sectionId: string; row: string; number: number; tier: string; x?: number | undefined; y?: number | undefined }

async function insertSeats(client: PgClient, seats: SeatRow[]): Promise<void> {
  if (seats.length === 0) return;
  await client.query(
    `INSERT INTO seats (section_id, row_label, number, position, tier_code, x, y)
     SELECT s, r, n, n, t, px, py FROM unnest($1::uuid[], $2::text[], $3::int[], $4::text[], $5::real[], $6::real[]) AS u(s, r, n, t, px, py)`,
    [seats.map((s) => s.sectionId), seats.map((s) => s.row), seats.map((s) => s.number), seats.map((s) => s.tier),
      seats.map((s) => s.x ?? null), seats.map((s) => s.y ?? null)],
  );
}

export async function createVenue(pool: PgPool, v: VenueInput): Promise<{ id: string; seats: number; capacity: number }> {
  return inTransaction(pool, async (client) => {
    const { rows } = await client.query<{ id: string }>('INSERT INTO venues (name, city, address, timezone) VALUES ($1, $2, $3, $4) RETURNING id',
      [v.name, v.city, v.address ?? null, v.timezone]);
    const venueId = rows[0]!.id;
    await client.query('INSERT INTO venue_tiers (venue_id, code, name) SELECT $1, c, n FROM unnest($2::text[], $3::text[]) AS x(c, n)',
      [venueId, v.tiers.map((t) => t.code), v.tiers.map((t) => t.name)]);
    const seats: SeatRow[] = [];
    let capacity = 0;
    for (const [position, s] of v.sections.entries()) {
      const count = s.kind === 'ga' ? s.capacity : s.rows.reduce((a, r) => a + r.count, 0);
      capacity += count;
      const sec = await client.query<{ id: string }>(
        'INSERT INTO sections (venue_id, name, kind, tier_code, capacity, position) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id',
        [venueId, s.name, s.kind, s.tierCode ?? null, count, position]);
      if (s.kind === 'reserved') {
        for (const r of s.rows) {
          for (let k = 0; k < r.count; k++) seats.push({ sectionId: sec.rows[0]!.id, row: r.label, number: r.firstNumber + k, tier: (r.tierCode ?? s.tierCode)! });
        }
      }
    }
    await insertSeats(client, seats);
    return { id: venueId, seats: seats.length, capacity };
  });
}

/**
 * Adds the CSV's seats to the venue, creating reserved sections as needed. A seat that already
 * exists, or a section that is general admission, is a line-numbered 422; nothing is written then.
 */
export async function importSeats(client: PgClient, venueId: string, seats: CsvSeat[]): Promise<{ seats: number; sectionsCreated: number }> {
  const existing = await client.query<{ id: string; name: string; kind: string }>('SELECT id, name, kind FROM sections WHERE venue_id = $1 FOR UPDATE', [venueId]);
  const sections = new Map(existing.rows.map((r) => [r.name, r]));
  const errors: { line: number; message: string }[] = [];
  for (const s of seats) {
    if (sections.get(s.section)?.kind === 'ga') errors.push({ line: s.line, message: `section ${s.section} is general admission and has no seats` });
  }
  // the inventory prices a section at one tier: its seats share the tier it has, or the first line gives
  const priced = await client.query<{ name: string; tier: string | null }>(
    `SELECT sec.name, coalesce(sec.tier_code, (SELECT st.tier_code FROM seats st WHERE st.section_id = sec.id LIMIT 1)) AS tier FROM sections sec WHERE sec.venue_id = $1`, [venueId]);
  const tierOf = new Map(priced.rows.filter((r) => r.tier).map((r) => [r.name, { tier: r.tier!, line: 0 }]));
  for (const s of seats) {
    const t = tierOf.get(s.section);
    if (!t) tierOf.set(s.section, { tier: s.tier, line: s.line });
    else if (t.tier !== s.tier) {
      errors.push({ line: s.line, message: `section ${s.section} is priced as tier ${t.tier}${t.line ? ` (line ${t.line})` : ''}; one tier per section: put ${s.tier} seats in a section of their own` });
    }
  }
  const taken = await client.query<{ name: string; row_label: string; number: number }>(
    `SELECT sec.name, st.row_label, st.number FROM seats st JOIN sections sec ON sec.id = st.section_id
     JOIN unnest($2::text[], $3::text[], $4::int[]) AS x(s, r, n) ON x.s = sec.name AND x.r = st.row_label AND x.n = st.number
     WHERE sec.venue_id = $1`,
    [venueId, seats.map((s) => s.section), seats.map((s) => s.row), seats.map((s) => s.seat)]);
  const takenKeys = new Set(taken.rows.map((t) => `${t.name}\u0000${t.row_label}\u0000${t.number}`));
  for (const s of seats) {
    if (takenKeys.has(`${s.section}\u0000${s.row}\u0000${s.seat}`)) errors.push({ line: s.line, message: `duplicate seat ${s.section} row ${s.row} seat ${s.seat} (already in this venue)` });
  }
  if (errors.length) throw seatMapProblem(errors);
  let created = 0;
  let position = existing.rows.length;
  for (const name of new Set(seats.map((s) => s.section))) {
    if (sections.has(name)) continue;
    const { rows } = await client.query<{ id: string }>(
      `INSERT INTO sections (venue_id, name, kind, capacity, position) VALUES ($1, $2, 'reserved', 0, $3) RETURNING id, name, kind`, [venueId, name, position++]);
    sections.set(name, { id: rows[0]!.id, name, kind: 'reserved' });
    created++;
  }
  await insertSeats(client, seats.map((s) => ({ sectionId: sections.get(s.section)!.id, row: s.row, number: s.seat, tier: s.tier, x: s.x, y: s.y })));
  // a reserved section's capacity is its seat count
  await client.query(`UPDATE sections sec SET capacity = (SELECT count(*) FROM seats st WHERE st.section_id = sec.id) WHERE sec.venue_id = $1 AND sec.kind = 'reserved'`, [venueId]);
  return { seats: seats.length, sectionsCreated: created };
}

export function seatMapProblem(lines: { line: number; message: string }[]): Problem {
  const sorted = [...lines].sort((a, b) => a.line - b.line);
  return new Problem(422, 'invalid_seat_map', sorted.slice(0, 10).map((e) => `line ${e.line}: ${e.message}`).join('; '), {
    errors: sorted.map((e) => ({ path: `line ${e.line}`, message: e.message })),
    lines: sorted.map((e) => e.line),
  });
}
