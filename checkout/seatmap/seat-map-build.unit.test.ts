import { gzipSync, brotliCompressSync, constants } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { buildSeatMap, seatIndex, type MapSeatRow, type MapSource } from './seat-map-build.js';
import { encodeStates, stateAt } from './seat-states.js';
import { parseSeatCsv } from '../admin/seat-csv.js';

function venue(sections: number, rows: number, perRow: number, curved = false): MapSource {
  const seats: MapSeatRow[] = [];
  let id = 1000;
  const secs = Array.from({ length: sections }, (_, s) => ({ id: `sec-${s}`, name: `Block ${s + 1}`, kind: 'reserved' as const, tierCode: `T${s % 4}`, capacity: rows * perRow }));
  for (let s = 0; s < sections; s++) {
    for (let r = 0; r < rows; r++) {
      for (let n = 1; n <= perRow; n++) {
        // a curved bowl: every seat its own x/y (the encoding's worst case)
        const angle = (s * perRow + n) / (sections * perRow) * Math.PI;
        seats.push({
          id: id++, sectionId: `sec-${s}`, rowLabel: String(r + 1), number: n, position: n, tierCode: `T${s % 4}`,
          x: curved ? Math.round((Math.cos(angle) * (60 + r)) * 100) / 100 : null, y: curved ? Math.round((Math.sin(angle) * (60 + r)) * 100) / 100 : null,
        });
      }
    }
  }
  return { saleId: 's', eventId: 'e', currency: 'EUR', perFanLimit: 6, sections: secs, seats, tiers: [0, 1, 2, 3].map((t) => ({ code: `T${t}`, name: `Tier ${t}`, priceMinor: 5000 + t * 1000 })) };
}

describe('seat map encoding', () => {
  it('lays out rows when the CSV has no positions: straight rows, one array each, ids as a run', () => {
    const map = buildSeatMap(venue(2, 3, 4));
    expect(map.seatCount).toBe(24);
    expect(map.sections[0]!.rows[0]).toEqual(['1', 4, 1000, 1, 0, 0, 1, 0]);
    expect(map.sections[0]!.rows[1]).toEqual(['2', 4, 1004, 1, 0, 1.25, 1, 0]);
    expect(map.sections[1]!.first).toBe(12);
    expect(map.sections[1]!.rows[0]![4]).toBeGreaterThan(4); // the second block beside the first
    expect(map.sections[0]!.priceMinor).toBe(5000);
    const index = seatIndex(map);
    expect(index.get(1000)).toBe(0);
    expect(index.get(1023)).toBe(23);
  });

  it('keeps CSV positions: a straight row as start + pitch, a curved one seat by seat', () => {
    const src = venue(1, 1, 3);
    src.seats.forEach((s, k) => { s.x = 10 + 2 * k; s.y = 5; });
    expect(buildSeatMap(src).sections[0]!.rows[0]).toEqual(['1', 3, 1000, 1, 10, 5, 2, 0]);
    src.seats[2]!.y = 6;
    expect(buildSeatMap(src).sections[0]!.rows[0]).toEqual(['1', 3, 1000, 1, [10, 12, 14], [5, 5, 6], 0, 0]);
  });

  it('the 2-bit states follow the map order; a seat Redis does not know is unavailable', () => {
    const map = buildSeatMap(venue(1, 2, 3));
    const index = seatIndex(map);
    const states = encodeStates(map.seatCount, index, [new Map([[1000, 'F'], [1001, 'H'], [1002, 'S']]), new Map([[1003, 'F'], [1004, 'F']])]);
    expect([0, 1, 2, 3, 4, 5].map((i) => stateAt(states, i))).toEqual(['free', 'held', 'sold', 'free', 'free', 'unavailable']);
  });

  it('a 50,000-seat venue stays far under 1 MB compressed, with and without per-seat positions', () => {
    for (const curved of [false, true]) {
      const map = buildSeatMap(venue(50, 40, 25, curved));
      expect(map.seatCount).toBe(50_000);
      const raw = Buffer.from(JSON.stringify(map));
      const gz = gzipSync(raw, { level: 9 });
      const br = brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 10 } });
      console.log(`seat map, 50,000 seats (${curved ? 'every seat positioned from the CSV, curved rows' : 'rows laid out automatically'}): ${raw.length} bytes JSON, ${gz.length} gzip, ${br.length} brotli`);
      expect(gz.length).toBeLessThan(1_000_000);
      expect(br.length).toBeLessThan(1_000_000);
    }
  });
});

describe('seat CSV with positions', () => {
  const tiers = new Set(['P1']);
  it('takes optional x,y columns, both or neither', () => {
    const ok = parseSeatCsv('section,row,seat,tier,x,y\nA,1,1,P1,10.5,-3\nA,1,2,P1,,\n', tiers);
    expect(ok.problems).toEqual([]);
    expect(ok.seats.map((s) => [s.x, s.y])).toEqual([[10.5, -3], [undefined, undefined]]);
    const bad = parseSeatCsv('section,row,seat,tier,x,y\nA,1,1,P1,10,\nA,1,2,P1,a,b\nA,1,3,P1\n', tiers);
    expect(bad.problems).toEqual([
      { line: 2, message: 'give both x and y, or neither' },
      { line: 3, message: 'x and y must be numbers (up to 3 decimals), not "a", "b"' },
      { line: 4, message: 'expected 6 fields (section,row,seat,tier,x,y), found 4' },
    ]);
    expect(parseSeatCsv('section,row,seat,tier\nA,1,1,P1\n', tiers).seats[0]).toEqual({ line: 2, section: 'A', row: '1', seat: 1, tier: 'P1' });
  });
});
