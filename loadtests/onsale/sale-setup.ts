/**
 * The on-sale under test: a venue sized to the requested seat count (a standing floor and reserved
 * blocks of 20 rows × 25 seats, adjacent seats in one row), seeded into Postgres by
 * scripts/seed-sale.ts, its seat pools published to Redis and its queue settings written, as the
 * admin publish does. The pre-queue is open at once; the sale opens `openInS` from now.
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
}

/** Floor (about 40 %, general admission) + reserved blocks whose seats are a multiple of a row. */
export function saleSpecFor(s: SaleSettings, key: string, now = Date.now()): SaleSpec {
  const reserved = Math.floor((s.seats * 0.6) / SEATS_PER_ROW) * SEATS_PER_ROW;
  const ga = s.seats - reserved;
  const sections: SaleSpec['sections'] = [];
  if (ga > 0) sections.push({ name: 'Floor', kind: 'ga', capacity: ga, tierCode: 'GA' });
  let rowsLeft = reserved / SEATS_PER_ROW;
  for (let b = 0; rowsLeft > 0; b++) {
    const rows = Math.min(ROWS_PER_BLOCK, rowsLeft);
    sections.push({ name: `Block ${String.fromCharCode(65 + (b % 26))}${b >= 26 ? Math.floor(b / 26) : ''}`, kind: 'reserved', rows, seatsPerRow: SEATS_PER_ROW, tierCode: b === 0 ? 'P1' : 'P2' });
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
      shardCount: 16,
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
}

export async function setUpSale(pool: pg.Pool, redis: RedisClient, s: SaleSettings): Promise<PublishedSale> {
  const now = Date.now();
  const spec = saleSpecFor(s, `loadtest-${now}`, now);
  const seeded = await seedSale(pool, spec);
  await createSeatInventory({ redis, pg: pool }).publish(seeded.saleId);
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
  return { ...seeded, opensAtMs, sections, tiers: [...new Set(spec.sections.map((x) => x.tierCode))] };
}
