/**
 * The seat-state bitmap: 2 bits per seat in the seat map's order, 4 seats a byte, little-endian
 * (seat i is bits 2·(i mod 4)… of byte ⌊i / 4⌋). 50,000 seats are 12.5 kB, 16.7 kB in base64.
 * A seat the map lists but Redis does not know (a venue changed under an old publish) is
 * `unavailable`: it is not offered.
 */
export const SEAT_STATE_CODES = ['free', 'held', 'sold', 'unavailable'] as const;
const VALUE: Record<'F' | 'H' | 'S', number> = { F: 0, H: 1, S: 2 };

export function encodeStates(seatCount: number, index: ReadonlyMap<number, number>, shards: readonly ReadonlyMap<number, 'F' | 'H' | 'S'>[]): string {
  const bytes = new Uint8Array(Math.ceil(seatCount / 4)).fill(0xff); // every seat unavailable until Redis says
  for (const shard of shards) {
    for (const [id, state] of shard) {
      const i = index.get(id);
      if (i === undefined) continue;
      const shift = (i & 3) * 2;
      bytes[i >> 2] = (bytes[i >> 2]! & ~(3 << shift)) | (VALUE[state] << shift);
    }
  }
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** The state of seat i (tests and tools; the page has its own copy in seat-map.js). */
export function stateAt(base64: string, i: number): (typeof SEAT_STATE_CODES)[number] {
  const b = Buffer.from(base64, 'base64')[i >> 2] ?? 0xff;
  return SEAT_STATE_CODES[(b >> ((i & 3) * 2)) & 3]!;
}
