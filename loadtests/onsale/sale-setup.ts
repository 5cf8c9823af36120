/**
 * The on-sale under test: a venue sized to the requested seat count (a standing floor, `gaShare`
 * of the places, about 40 % by default, and reserved blocks of 20 rows × 25 seats, adjacent seats
 * in one row), seeded into Postgres by scripts/seed-sale.ts, its seat pools published to Redis and
 * its queue settings written, as the admin publish does. The blocks sit in rings around the floor,
 * every row an arc with its own x/y per seat (as a venue CSV gives them), so the seat map carries
 * real positions, not the automatic layout. The pre-queue is open at once; the sale opens `openInS`
 * from now.
 */
import type pg from 'pg';
import type { RedisClient } from '../../common/redis-connection.js';
import { initSaleSettings } from '../../admission/sale-controls.js';
import { createSeatInventory } from '../../inventory/index.js';
import { seedSale, type SaleSpec, type SeededSale } from '../../scripts/seed-sale.js';

const SEATS_PER_ROW = 25;
const ROWS_PER_BLOCK = 20;

export interface SaleSettings {
  seats: number;
  openInS: number;
  ratePerMin: number;
  maxActive: number;
  holdSeconds: number;
  /** Share of the places that are general admission (the rest reserved seats); default 0.4. */
  gaShare?: number;
  shardCount?: number;
}

const SEAT_PITCH = 1;
const ROW_PITCH = 1.25;
/** Blocks per ring around the floor; a bigger venue gets more rings. */
const BLOCKS_PER_RING = 40;

/**
 * Where seat `seat` of row `row` of block `b` (of `blocks`) sits: blocks side by side around a
 * ring, rows as arcs growing outwards, so no row is a straight line.
 */
export function bowlPosition(b: number, blocks: number, rows: number, seatsPerRow: number): (row: number, seat: number) => [number, number] {
  const perRing = Math.min(BLOCKS_PER_RING, blocks);
  const ring = Math.floor(b / perRing);
  const inRing = Math.min(perRing, blocks - ring * perRing);
  const inner = Math.max(40, (perRing * (seatsPerRow + 3) * SEAT_PITCH) / (2 * Math.PI));
  const r0 = inner + ring * (rows * ROW_PITCH + 6);
  const centre = (2 * Math.PI * (b % perRing)) / inRing;
  return (row, seat) => {
    const radius = r0 + row * ROW_PITCH;
    const angle = centre + ((seat - (seatsPerRow - 1) / 2) * SEAT_PITCH) / radius;
    return [Math.round(radius * Math.cos(angle) * 100) / 100, Math.round(radius * Math.sin(angle) * 100) / 100];
  };
}

/** Floor (about 40 %, general admission) + reserved blocks whose seats are a multiple of a row. */
export function saleSpecFor(s: SaleSettings, key: string, now = Date.now()): SaleSpec {
  const gaShare = s.gaShare ?? 0.4;
  const reserved = Math.floor((s.seats * (1 - gaShare)) / SEATS_PER_ROW) * SEATS_PER_ROW;
  const ga = s.seats - reserved;
  const sections: SaleSpec['sections'] = [];
  if (ga > 0) sections.push({ name: 'Floor', kind: 'ga', capacity: ga, tierCode: 'GA' });
  const blocks = Math.ceil(reserved / SEATS_PER_ROW / ROWS_PER_BLOCK);
  // the first fifth of the blocks (at least one) is the premium tier
  const premium = Math.max(1, Math.round(blocks / 5));
  let rowsLeft = reserved / SEATS_PER_ROW;
  for (let b = 0; rowsLeft > 0; b++) {
    const rows = Math.min(ROWS_PER_BLOCK, rowsLeft);
    sections.push({
      name: `Block ${String.fromCharCode(65 + (b % 26))}${b >= 26 ? Math.floor(b / 26) : ''}`, kind: 'reserved', rows, seatsPerRow: SEATS_PER_ROW,
      tierCode: b < premium ? 'P1' : 'P2', position: bowlPosition(b, blocks, ROWS_PER_BLOCK, SEATS_PER_ROW),
    });
    rowsLeft -= rows;
  }
  return {
    key,
    title: `Load test on-sale (${s.seats} places)`,
    description: 'A flash sale replayed by npm run loadtest.',
    sections,
    tiers: [
      { code: 'GA', name: 'Standing', priceMinor: 4500 },
      { code: 'P1', name: 'Premium', priceMinor: 12000 },
      { code: 'P2', name: 'Seated', priceMinor: 7500 },
    ],
    sale: {
      prequeueOpensAt: new Date(now - 1000),
      opensAt: new Date(now + s.openInS * 1000),
      closesAt: new Date(now + 6 * 3600_000),
      admissionRatePerMin: s.ratePerMin,
      maxActiveShoppers: s.maxActive,
      holdSeconds: s.holdSeconds,
      paymentGraceSeconds: 60,
      perFanLimit: 6,
      shardCount: s.shardCount ?? 16,
      status: 'open',
    },
  };
}

export interface SectionInfo {
  id: string;
  name: string;
  kind: 'reserved' | 'ga';
  tierCode: string;
  capacity: number;
  /** Reserved seating: seat ids by row, in seat order (for explicit-seat requests). */
  rows: number[][];
}

export interface PublishedSale extends SeededSale {
  opensAtMs: number;
  sections: SectionInfo[];
  tiers: string[];
  shards: number;
  /** Postgres seeding of the venue, event and sale; the inventory publish to Redis. */
  timings: { seed_ms: number; publish_ms: number };
}

export async function setUpSale(pool: pg.Pool, redis: RedisClient, s: SaleSettings): Promise<PublishedSale> {
  const now = Date.now();
  const spec = saleSpecFor(s, `loadtest-${now}`, now);
  const seeded = await seedSale(pool, spec);
  const seededAt = Date.now();
  await createSeatInventory({ redis, pg: pool }).publish(seeded.saleId);
  const timings = { seed_ms: seededAt - now, publish_ms: Date.now() - seededAt };
  const opensAtMs = spec.sale!.opensAt!.getTime();
  await initSaleSettings(redis, seeded.saleId, {
    ratePerMin: s.ratePerMin, maxActive: s.maxActive, opensAtMs, closesAtMs: spec.sale!.closesAt!.getTime(), prequeueOpensAtMs: now - 1000,
  });
  const { rows } = await pool.query<{ section_id: string; row_label: string; id: string }>(
    `SELECT section_id, row_label, id FROM seats WHERE section_id = ANY($1::uuid[]) ORDER BY section_id, row_label, position`,
    [Object.values(seeded.sectionIds)],
  );
  const sections: SectionInfo[] = spec.sections.map((sec) => ({
    id: seeded.sectionIds[sec.name]!, name: sec.name, kind: sec.kind, tierCode: sec.tierCode,
    capacity: sec.kind === 'ga' ? sec.capacity : sec.rows * sec.seatsPerRow, rows: [],
  }));
  const byRow = new Map<string, number[]>();
  for (const r of rows) {
    const k = `${r.section_id}|${r.row_label}`;
    const list = byRow.get(k) ?? [];
    list.push(Number(r.id));
    byRow.set(k, list);
  }
  for (const [k, ids] of byRow) sections.find((sec) => sec.id === k.split('|')[0])?.rows.push(ids);
  return { ...seeded, opensAtMs, sections, tiers: [...new Set(spec.sections.map((x) => x.tierCode))], shards: spec.sale!.shardCount!, timings };
}
