/**
 * Postgres reads of the inventory: the seat map and sale settings to publish, and the live tickets
 * that rebuild and audit compare with. Nothing here writes.
 */
import type { PgPool } from '../common/postgres-pool.js';
import { InventoryError } from './inventory-errors.js';

export interface SaleRow {
  saleId: string;
  eventId: string;
  status: string;
  holdSeconds: number;
  graceSeconds: number;
  perFanLimit: number;
  shardCount: number;
  opensMs: number;
  closesMs: number;
  currency: string;
}

export interface SectionRow {
  id: string;
  name: string;
  kind: 'reserved' | 'ga';
  tierCode: string | null;
  capacity: number;
}

export interface SeatRow {
  id: number;
  sectionId: string;
  rowLabel: string;
  number: number;
  position: number;
  tierCode: string;
}

export interface SaleSource {
  sale: SaleRow;
  sections: SectionRow[];
  seats: SeatRow[];
  tiers: { code: string; name: string; priceMinor: number }[];
}

export interface LiveTicket {
  orderId: string;
  sectionId: string;
  seatId: number | null;
  tierCode: string;
  priceMinor: number;
  currency: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function readSaleSource(pg: PgPool, saleId: string): Promise<SaleSource> {
  if (!UUID.test(saleId)) throw new InventoryError('unknown_sale', `unknown sale ${saleId}`);
  const sale = await pg.query(
    `SELECT s.id, s.event_id, s.status, s.hold_seconds, s.payment_grace_seconds, s.per_fan_limit, s.shard_count,
            (extract(epoch FROM s.opens_at) * 1000)::float8 AS opens_ms, (extract(epoch FROM s.closes_at) * 1000)::float8 AS closes_ms,
            e.currency, e.venue_id
       FROM sales s JOIN events e ON e.id = s.event_id WHERE s.id = $1`,
    [saleId],
  );
  const row = sale.rows[0];
  if (!row) throw new InventoryError('unknown_sale', `unknown sale ${saleId}`);
  const sections = await pg.query(
    `SELECT id, name, kind, tier_code, capacity FROM sections WHERE venue_id = $1 ORDER BY position, name`,
    [row.venue_id],
  );
  const seats = await pg.query(
    `SELECT se.id::text AS id, se.section_id, se.row_label, se.number, se.position, se.tier_code
       FROM seats se JOIN sections sc ON sc.id = se.section_id WHERE sc.venue_id = $1 ORDER BY se.section_id, se.id`,
    [row.venue_id],
  );
  const tiers = await pg.query(`SELECT tier_code, name, price_minor FROM event_price_tiers WHERE event_id = $1 ORDER BY tier_code`, [row.event_id]);
  return {
    sale: {
      saleId: row.id,
      eventId: row.event_id,
      status: row.status,
      holdSeconds: row.hold_seconds,
      graceSeconds: row.payment_grace_seconds,
      perFanLimit: row.per_fan_limit,
      shardCount: row.shard_count,
      opensMs: Math.round(row.opens_ms),
      closesMs: Math.round(row.closes_ms),
      currency: String(row.currency).trim(),
    },
    sections: sections.rows.map((s) => ({ id: s.id, name: s.name, kind: s.kind, tierCode: s.tier_code, capacity: s.capacity })),
    seats: seats.rows.map((s) => ({
      id: Number(s.id), sectionId: s.section_id, rowLabel: s.row_label, number: s.number, position: s.position, tierCode: s.tier_code,
    })),
    tiers: tiers.rows.map((t) => ({ code: t.tier_code, name: t.name, priceMinor: t.price_minor })),
  };
}

/** Live tickets of the sale: what Redis must show as SOLD. */
export async function readLiveTickets(pg: PgPool, saleId: string): Promise<LiveTicket[]> {
  if (!UUID.test(saleId)) return [];
  const r = await pg.query(
    `SELECT t.order_id, t.section_id, t.seat_id::text AS seat_id, t.tier_code, t.price_minor, o.currency
       FROM tickets t JOIN orders o ON o.id = t.order_id WHERE o.sale_id = $1 AND t.status = 'live' ORDER BY t.order_id, t.seat_id`,
    [saleId],
  );
  return r.rows.map((t) => ({
    orderId: t.order_id,
    sectionId: t.section_id,
    seatId: t.seat_id === null ? null : Number(t.seat_id),
    tierCode: t.tier_code,
    priceMinor: t.price_minor,
    currency: String(t.currency).trim(),
  }));
}
