/**
 * Reads what the seat map is built from: the sale, its venue's sections and seats (with their map
 * positions) and the event's prices. Only a published sale has a map: the venue's seats cannot
 * change while one of its sales is published (the admin import answers 409), so the map built
 * from this is fixed for as long as the sale is.
 */
import type { PgPool } from '../../common/postgres-pool.js';
import { Problem } from '../../common/problem.js';
import type { MapSource } from './seat-map-build.js';

/** `drafts`: a draft's map too (the organiser's preview before publishing; not fixed until then). */
export async function readMapSource(pg: PgPool, saleId: string, options: { drafts?: boolean } = {}): Promise<MapSource> {
  const sale = await pg.query(
    `SELECT s.id, s.event_id, s.status, s.per_fan_limit, e.currency, e.venue_id FROM sales s JOIN events e ON e.id = s.event_id WHERE s.id = $1`,
    [saleId],
  );
  const row = sale.rows[0];
  if (!row || (row.status === 'draft' && !options.drafts)) throw new Problem(404, 'unknown_sale', `no published sale ${saleId}`);
  const [sections, seats, tiers] = await Promise.all([
    pg.query(`SELECT id, name, kind, tier_code, capacity FROM sections WHERE venue_id = $1 ORDER BY position, name`, [row.venue_id]),
    pg.query(
      `SELECT se.id::text AS id, se.section_id, se.row_label, se.number, se.position, se.tier_code, se.x, se.y
         FROM seats se JOIN sections sc ON sc.id = se.section_id WHERE sc.venue_id = $1`,
      [row.venue_id],
    ),
    pg.query(`SELECT tier_code, name, price_minor FROM event_price_tiers WHERE event_id = $1 ORDER BY tier_code`, [row.event_id]),
  ]);
  return {
    saleId: row.id,
    eventId: row.event_id,
    currency: String(row.currency).trim(),
    perFanLimit: row.per_fan_limit,
    sections: sections.rows.map((s) => ({ id: s.id, name: s.name, kind: s.kind, tierCode: s.tier_code, capacity: s.capacity })),
    seats: seats.rows.map((s) => ({
      id: Number(s.id), sectionId: s.section_id, rowLabel: s.row_label, number: s.number, position: s.position, tierCode: s.tier_code,
      x: s.x === null ? null : Number(s.x), y: s.y === null ? null : Number(s.y),
    })),
    tiers: tiers.rows.map((t) => ({ code: t.tier_code, name: t.name, priceMinor: t.price_minor })),
  };
}
