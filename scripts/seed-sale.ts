/**
 * Writes a venue, its seat map, an event with price tiers and a sale straight into Postgres.
 * Used by the demo, the load test and the test suites (organisers use the admin API instead).
 * Deterministic ids make it idempotent: seeding the same spec twice changes nothing.
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';

export interface ReservedSectionSpec {
  name: string;
  kind: 'reserved';
  rows: number;
  seatsPerRow: number;
  tierCode: string;
  /**
   * Map position of seat `seat` (0-based) in row `row` (0-based), as a venue CSV's x/y columns
   * give it; without it the seat map lays the section out automatically.
   */
  position?: (row: number, seat: number) => [number, number];
}

export interface GaSectionSpec {
  name: string;
  kind: 'ga';
  capacity: number;
  tierCode: string;
}

export interface SaleSpec {
  /** Seed of the deterministic ids. */
  key: string;
  venueName?: string;
  city?: string;
  title?: string;
  performer?: string;
  category?: string;
  description?: string;
  startsAt?: Date;
  currency?: string;
  sections: (ReservedSectionSpec | GaSectionSpec)[];
  tiers: { code: string; name: string; priceMinor: number }[];
  sale?: {
    prequeueOpensAt?: Date;
    opensAt?: Date;
    closesAt?: Date;
    admissionRatePerMin?: number;
    maxActiveShoppers?: number;
    holdSeconds?: number;
    paymentGraceSeconds?: number;
    perFanLimit?: number;
    shardCount?: number;
    status?: 'draft' | 'published' | 'open' | 'paused' | 'closed';
  };
}

export interface SeededSale {
  venueId: string;
  eventId: string;
  saleId: string;
  sectionIds: Record<string, string>;
  capacity: number;
}

/** A UUID derived from the spec key and a name: stable across runs. */
export function stableUuid(...parts: string[]): string {
  const h = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function rowLabel(i: number): string {
  // A..Z, AA..AZ, … like real venues
  let s = '';
  let n = i;
  do {
    s = String.fromCharCode(65 + (n % 26)) + s;
    n = Math.floor(n / 26) - 1;
  } while (n >= 0);
  return s;
}

export async function seedSale(pool: pg.Pool, spec: SaleSpec): Promise<SeededSale> {
  const venueId = stableUuid(spec.key, 'venue');
  const eventId = stableUuid(spec.key, 'event');
  const saleId = stableUuid(spec.key, 'sale');
  const now = Date.now();
  const venueName = spec.venueName ?? 'Usher Arena';
  const city = spec.city ?? 'Amsterdam';
  const client = await pool.connect();
  const sectionIds: Record<string, string> = {};
  let capacity = 0;
  try {
    await client.query('BEGIN');
    await client.query('INSERT INTO venues (id, name, city) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING', [venueId, venueName, city]);
    for (const [i, section] of spec.sections.entries()) {
      const id = stableUuid(spec.key, 'section', section.name);
      sectionIds[section.name] = id;
      const sectionCapacity = section.kind === 'ga' ? section.capacity : section.rows * section.seatsPerRow;
      capacity += sectionCapacity;
      const inserted = await client.query(
        `INSERT INTO sections (id, venue_id, name, kind, tier_code, capacity, position) VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (id) DO NOTHING`,
        [id, venueId, section.name, section.kind, section.tierCode, sectionCapacity, i],
      );
      if (section.kind === 'reserved' && inserted.rowCount === 1) {
        const labels = Array.from({ length: section.rows }, (_, r) => rowLabel(r));
        const at = section.position;
        if (at) {
          // positioned seats: one array per column, still one round trip per section
          const n = section.rows * section.seatsPerRow;
          const rows = new Array<string>(n), numbers = new Array<number>(n), xs = new Array<number>(n), ys = new Array<number>(n);
          for (let r = 0, k = 0; r < section.rows; r++) {
            for (let j = 0; j < section.seatsPerRow; j++, k++) {
              const [x, y] = at(r, j);
              rows[k] = labels[r]!; numbers[k] = j + 1; xs[k] = x; ys[k] = y;
            }
          }
          await client.query(
            `INSERT INTO seats (section_id, row_label, number, position, tier_code, x, y)
             SELECT $1, r, n, n, $2, x, y FROM unnest($3::text[], $4::int[], $5::real[], $6::real[]) AS u(r, n, x, y)`,
            [id, section.tierCode, rows, numbers, xs, ys],
          );
        } else {
          // one multi-row insert per section: thousands of seats in one round trip
          await client.query(
            `INSERT INTO seats (section_id, row_label, number, position, tier_code)
             SELECT $1, r.label, s.n, s.n, $2
             FROM unnest($3::text[]) WITH ORDINALITY AS r(label, ord), generate_series(1, $4::int) AS s(n)`,
            [id, section.tierCode, labels, section.seatsPerRow],
          );
        }
      }
    }
    await client.query(
      `INSERT INTO events (id, venue_id, venue_name, title, description, performer, category, city, starts_at, status, currency)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'published', $10) ON CONFLICT (id) DO NOTHING`,
      [
        eventId, venueId, venueName, spec.title ?? 'The Flash Sale Tour', spec.description ?? 'One night only.',
        spec.performer ?? 'The Queue Jumpers', spec.category ?? 'music', city,
        spec.startsAt ?? new Date(now + 30 * 86_400_000), spec.currency ?? 'EUR',
      ],
    );
    for (const tier of spec.tiers) {
      await client.query(
        `INSERT INTO event_price_tiers (event_id, tier_code, name, price_minor) VALUES ($1, $2, $3, $4)
         ON CONFLICT (event_id, tier_code) DO NOTHING`,
        [eventId, tier.code, tier.name, tier.priceMinor],
      );
    }
    const s = spec.sale ?? {};
    await client.query(
      `INSERT INTO sales (id, event_id, prequeue_opens_at, opens_at, closes_at, admission_rate_per_min, max_active_shoppers,
                          hold_seconds, payment_grace_seconds, per_fan_limit, shard_count, status)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (id) DO NOTHING`,
      [
        saleId, eventId,
        s.prequeueOpensAt ?? new Date(now - 120_000), s.opensAt ?? new Date(now - 60_000), s.closesAt ?? new Date(now + 7 * 86_400_000),
        s.admissionRatePerMin ?? 600, s.maxActiveShoppers ?? 500, s.holdSeconds ?? 480, s.paymentGraceSeconds ?? 120,
        s.perFanLimit ?? 6, s.shardCount ?? 8, s.status ?? 'open',
      ],
    );
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK');
    throw err;
  } finally {
    client.release();
  }
  return { venueId, eventId, saleId, sectionIds, capacity };
}

/** The demo's flash sale: three reserved blocks and a standing floor, 2,000 places. */
export const demoSaleSpec: SaleSpec = {
  key: 'usher-demo',
  title: 'The Flash Sale Tour — Amsterdam',
  description: 'Two thousand places, one evening. The queue opens now.',
  sections: [
    { name: 'Floor', kind: 'ga', capacity: 800, tierCode: 'GA' },
    { name: 'Block A', kind: 'reserved', rows: 20, seatsPerRow: 20, tierCode: 'P1' },
    { name: 'Block B', kind: 'reserved', rows: 20, seatsPerRow: 20, tierCode: 'P2' },
    { name: 'Block C', kind: 'reserved', rows: 20, seatsPerRow: 20, tierCode: 'P2' },
  ],
  tiers: [
    { code: 'GA', name: 'Standing', priceMinor: 4500 },
    { code: 'P1', name: 'Premium', priceMinor: 12000 },
    { code: 'P2', name: 'Seated', priceMinor: 7500 },
  ],
  sale: { admissionRatePerMin: 600, maxActiveShoppers: 300, holdSeconds: 480, shardCount: 8 },
};
