/**
 * The load test's 50,000-seat venue and the seat picker its shoppers use: every place a reserved
 * seat in curved rows (so the map carries x/y per seat, its worst case for size), the map built by
 * the product's own builder stays under 1 MB compressed, the picker reads the product's state
 * encoding, and the MONITOR filter counts only the seat-state reads of the sale.
 */
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { buildSeatMap, seatIndex, type MapSeatRow } from '../../checkout/seatmap/seat-map-build.js';
import { encodeStates } from '../../checkout/seatmap/seat-states.js';
import { shardKeys } from '../../inventory/inventory-keys.js';
import { seededRandom } from '../lib/seeded-random.js';
import { saleSpecFor } from './sale-setup.js';
import { isFree, mapRows, pickFreeRun, type SeatMapJson } from './seat-map-view.js';
import { seatStateCommand } from './seat-state-cost.js';
import { monitorArgs } from '../../test/support/redis-monitor.js';

function venue(seats: number, gaShare: number) {
  const spec = saleSpecFor({ seats, openInS: 10, ratePerMin: 60, maxActive: 10, holdSeconds: 60, gaShare }, 'k');
  const mapSeats: MapSeatRow[] = [];
  let id = 1;
  const sections = spec.sections.map((s, i) => {
    const sid = `s${i}`;
    if (s.kind === 'reserved') {
      for (let r = 0; r < s.rows; r++) {
        for (let j = 0; j < s.seatsPerRow; j++) {
          const [x, y] = s.position!(r, j);
          mapSeats.push({ id: id++, sectionId: sid, rowLabel: `R${r}`, number: j + 1, position: j + 1, tierCode: s.tierCode, x, y });
        }
      }
    }
    return { id: sid, name: s.name, kind: s.kind, tierCode: s.tierCode, capacity: s.kind === 'ga' ? s.capacity : s.rows * s.seatsPerRow };
  });
  const map = buildSeatMap({ saleId: 'sale', eventId: 'event', currency: 'EUR', perFanLimit: 6, sections, seats: mapSeats, tiers: spec.tiers });
  return { spec, map, seats: mapSeats };
}

describe('the 50,000-seat venue', () => {
  const { spec, map, seats } = venue(50_000, 0);

  it('is 50,000 reserved seats in 100 blocks, a fifth of them premium, rows curved', () => {
    expect(spec.sections.every((s) => s.kind === 'reserved')).toBe(true);
    expect(spec.sections).toHaveLength(100);
    expect(spec.sections.filter((s) => s.tierCode === 'P1')).toHaveLength(20);
    expect(map.seatCount).toBe(50_000);
    // curved rows: positions per seat, not a start and a step
    expect(map.sections.every((s) => s.rows.every((r) => Array.isArray(r[4])))).toBe(true);
    // no two seats on top of each other
    expect(new Set(seats.map((s) => `${s.x},${s.y}`)).size).toBe(50_000);
  });

  it('has a seat map under 1 MB compressed', () => {
    const json = Buffer.from(JSON.stringify(map));
    const br = brotliCompressSync(json, { params: { [constants.BROTLI_PARAM_QUALITY]: 10, [constants.BROTLI_PARAM_SIZE_HINT]: json.length } });
    const gz = gzipSync(json, { level: 9 });
    console.log(`50,000-seat map: ${json.length} B JSON, ${br.length} B brotli, ${gz.length} B gzip`);
    expect(br.length).toBeLessThan(1_000_000);
    expect(gz.length).toBeLessThan(1_000_000);
  });

  it('decodes to the seat order of the state bitmap', () => {
    const rows = mapRows(JSON.parse(JSON.stringify(map)) as SeatMapJson);
    const index = seatIndex(map);
    for (const list of rows.values()) for (const row of list) row.ids.forEach((id, k) => expect(index.get(id)).toBe(row.first + k));
  });
});

describe('picking seats on the map', () => {
  const { map } = venue(2_000, 0);
  const index = seatIndex(map);
  const rows = mapRows(JSON.parse(JSON.stringify(map)) as SeatMapJson);
  const section = map.sections[0]!.id;

  it('reads the product\'s states and clicks only free seats, side by side in one row', () => {
    // every seat of the section held but one run of three in one row
    const sectionRows = rows.get(section)!;
    const freeRun = sectionRows[7]!.ids.slice(10, 13);
    const states = new Map<number, 'F' | 'H' | 'S'>();
    for (const row of sectionRows) for (const id of row.ids) states.set(id, freeRun.includes(id) ? 'F' : id % 2 ? 'H' : 'S');
    const bytes = new Uint8Array(Buffer.from(encodeStates(map.seatCount, index, [states]), 'base64'));
    expect(isFree(bytes, index.get(freeRun[0]!)!)).toBe(true);
    expect(isFree(bytes, index.get(sectionRows[0]!.ids[0]!)!)).toBe(false);
    const random = seededRandom(3);
    expect(pickFreeRun(sectionRows, bytes, 3, random, 500)).toEqual(freeRun);
    expect(pickFreeRun(sectionRows, bytes, 4, random, 500)).toBeNull();
  });
});

describe('the seat-state cost filter', () => {
  const counts = new Set([shardKeys('sale-a', 0).counts]);
  const states = new Set([shardKeys('sale-a', 0).state]);
  it('counts the version HGETs and state HGETALLs of the sale, nothing else', () => {
    expect(seatStateCommand(['hget', shardKeys('sale-a', 0).counts, 'ver'], counts, states)).toBe('version');
    expect(seatStateCommand(['HGETALL', shardKeys('sale-a', 0).state], counts, states)).toBe('state');
    expect(seatStateCommand(['hgetall', shardKeys('sale-a', 0).counts], counts, states)).toBeNull(); // availability
    expect(seatStateCommand(['hget', shardKeys('sale-b', 0).counts, 'ver'], counts, states)).toBeNull();
    expect(seatStateCommand(['hget', shardKeys('sale-a', 0).counts, 'f:x'], counts, states)).toBeNull();
  });

  it('reads the arguments of a MONITOR line', () => {
    const key = shardKeys('sale-a', 0).counts;
    expect(monitorArgs(`+1796605670.840650 [0 127.0.0.1:51234] "hget" "${key}" "ver"`)).toEqual(['hget', key, 'ver']);
    expect(monitorArgs('+1796605670.840650 [0 lua] "INCR" "a \\"quoted\\" key"')).toEqual(['INCR', 'a "quoted" key']);
    expect(seatStateCommand(monitorArgs(`+1.0 [0 127.0.0.1:1] "hget" "${key}" "ver"`), counts, states)).toBe('version');
  });
});
