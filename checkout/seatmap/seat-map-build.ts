/**
 * The fan's seat map of a sale, in a compact encoding (pure; seat-map-build.unit.test.ts).
 *
 * Seats are listed in one fixed order — sections in venue order, rows in the order of their first
 * seat, seats by position — and that order is also the order of the live seat-state bitmap
 * (seat-states.ts). A row is one array, not one object per seat:
 *
 *     [label, count, ids, numbers, x, y, dx, dy]
 *
 * `ids` / `numbers` are the first value when they go up by one along the row, else an array of
 * `count`; `x, y, dx, dy` place seat k at (x + k·dx, y + k·dy) when the row is straight, else `x`
 * and `y` are arrays of `count` and dx = dy = 0. Positions come from the venue CSV's x/y columns;
 * a section whose seats have none is laid out automatically (rows stacked, one unit per seat), its
 * block placed beside the others below any positioned seats. A general-admission section gets a
 * box ([x, y, w, h]) to draw and no rows.
 */

export interface MapSeatRow {
  id: number;
  sectionId: string;
  rowLabel: string;
  number: number;
  position: number;
  tierCode: string;
  x: number | null;
  y: number | null;
}

export interface MapSection {
  id: string;
  name: string;
  kind: 'reserved' | 'ga';
  tierCode: string | null;
  capacity: number;
}

export interface MapSource {
  saleId: string;
  eventId: string;
  currency: string;
  perFanLimit: number;
  sections: MapSection[];
  seats: MapSeatRow[];
  tiers: { code: string; name: string; priceMinor: number }[];
}

export type EncodedRow = [string, number, number | number[], number | number[], number | number[], number | number[], number, number];

export interface SeatMap {
  saleId: string;
  eventId: string;
  currency: string;
  perFanLimit: number;
  /** reserved seats in the map (the length of the seat-state bitmap) */
  seatCount: number;
  bounds: [number, number, number, number];
  tiers: { code: string; name: string; priceMinor: number }[];
  sections: {
    id: string;
    name: string;
    kind: 'reserved' | 'ga';
    tierCode: string | null;
    priceMinor: number | null;
    capacity: number;
    /** index of the section's first seat in the map's order */
    first: number;
    rows: EncodedRow[];
    /** general admission: where to draw it */
    box?: [number, number, number, number];
  }[];
}

const ROW_PITCH = 1.25;
const BLOCK_GAP = 4;
const round = (v: number): number => Math.round(v * 100) / 100;

/** first value when the list goes up by one, else the list */
function run(values: number[]): number | number[] {
  return values.every((v, k) => v === values[0]! + k) ? values[0]! : values;
}

function encodeRow(label: string, seats: MapSeatRow[], xs: number[], ys: number[]): EncodedRow {
  const n = seats.length;
  const ids = run(seats.map((s) => s.id));
  const nums = run(seats.map((s) => s.number));
  const dx = n > 1 ? round(xs[1]! - xs[0]!) : 1;
  const dy = n > 1 ? round(ys[1]! - ys[0]!) : 0;
  const straight = xs.every((x, k) => Math.abs(x - (xs[0]! + k * dx)) < 0.02) && ys.every((y, k) => Math.abs(y - (ys[0]! + k * dy)) < 0.02);
  return straight ? [label, n, ids, nums, round(xs[0]!), round(ys[0]!), dx, dy] : [label, n, ids, nums, xs.map(round), ys.map(round), 0, 0];
}

export function buildSeatMap(src: MapSource): SeatMap {
  const prices = new Map(src.tiers.map((t) => [t.code, t.priceMinor]));
  const bySection = new Map<string, MapSeatRow[]>();
  for (const seat of [...src.seats].sort((a, b) => a.id - b.id)) {
    const list = bySection.get(seat.sectionId) ?? [];
    list.push(seat);
    bySection.set(seat.sectionId, list);
  }
  // positioned content first, to know where the automatic blocks go
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  const grow = (x: number, y: number): void => {
    minX = Math.min(minX, x); minY = Math.min(minY, y); maxX = Math.max(maxX, x); maxY = Math.max(maxY, y);
  };
  const positioned = (seats: MapSeatRow[]): boolean => seats.length > 0 && seats.every((s) => s.x !== null && s.y !== null);
  for (const seats of bySection.values()) if (positioned(seats)) for (const s of seats) grow(s.x!, s.y!);
  const autoTop = Number.isFinite(maxY) ? maxY + BLOCK_GAP : 0;
  const autoLeft = Number.isFinite(minX) ? minX : 0;
  // automatic blocks flow left to right, wrapping at about the width a square venue would have
  const autoSeats = src.sections.reduce((a, s) => a + (s.kind === 'ga' ? 100 : positioned(bySection.get(s.id) ?? []) ? 0 : (bySection.get(s.id)?.length ?? 0)), 0);
  const wrapAt = Math.max(40, Math.sqrt(autoSeats) * 2);
  let cx = autoLeft, cy = autoTop, lineH = 0;
  const place = (w: number, h: number): [number, number] => {
    if (cx > autoLeft && cx - autoLeft + w > wrapAt) { cx = autoLeft; cy += lineH + BLOCK_GAP; lineH = 0; }
    const at: [number, number] = [cx, cy];
    cx += w + BLOCK_GAP;
    lineH = Math.max(lineH, h);
    return at;
  };

  let index = 0;
  const sections: SeatMap['sections'] = src.sections.map((section) => {
    const tierCode = section.tierCode;
    const base = { id: section.id, name: section.name, kind: section.kind, capacity: section.capacity, first: index };
    if (section.kind === 'ga') {
      const [x, y] = place(10, 4);
      grow(x, y); grow(x + 10, y + 4);
      return { ...base, tierCode, priceMinor: tierCode ? prices.get(tierCode) ?? null : null, rows: [], box: [x, y, 10, 4] as [number, number, number, number] };
    }
    const seats = bySection.get(section.id) ?? [];
    const rows = new Map<string, MapSeatRow[]>();
    for (const s of seats) rows.set(s.rowLabel, [...(rows.get(s.rowLabel) ?? []), s]);
    for (const row of rows.values()) row.sort((a, b) => a.position - b.position);
    const encoded: EncodedRow[] = [];
    if (positioned(seats)) {
      for (const [label, row] of rows) encoded.push(encodeRow(label, row, row.map((s) => s.x!), row.map((s) => s.y!)));
    } else {
      const minPos = Math.min(...seats.map((s) => s.position));
      const width = Math.max(1, ...seats.map((s) => s.position - minPos + 1));
      // the block is at least as wide as its label (name and price, drawn above it)
      const [x0, y0] = place(Math.max(width, section.name.length * 0.6 + 5), rows.size * ROW_PITCH);
      [...rows.entries()].forEach(([label, row], r) => {
        const xs = row.map((s) => x0 + s.position - minPos);
        const ys = row.map(() => round(y0 + r * ROW_PITCH));
        for (let k = 0; k < xs.length; k++) grow(xs[k]!, ys[k]!);
        encoded.push(encodeRow(label, row, xs, ys));
      });
    }
    index += seats.length;
    // one tier per section (shard-plan.ts refuses a mix): the section's, else its seats'
    const tier = tierCode ?? seats[0]?.tierCode ?? null;
    return { ...base, tierCode: tier, priceMinor: tier ? prices.get(tier) ?? null : null, rows: encoded };
  });
  if (!Number.isFinite(minX)) { minX = 0; minY = 0; maxX = 1; maxY = 1; }
  return {
    saleId: src.saleId, eventId: src.eventId, currency: src.currency, perFanLimit: src.perFanLimit, seatCount: index,
    bounds: [round(minX), round(minY), round(maxX + 1), round(maxY + 1)], tiers: src.tiers, sections,
  };
}

/** Seat id → its index in the map's order (the bit position in the seat-state bitmap). */
export function seatIndex(map: SeatMap): Map<number, number> {
  const out = new Map<number, number>();
  for (const section of map.sections) {
    let i = section.first;
    for (const [, n, ids] of section.rows) {
      for (let k = 0; k < n; k++) out.set(typeof ids === 'number' ? ids + k : ids[k]!, i++);
    }
  }
  return out;
}
