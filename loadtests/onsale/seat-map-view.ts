/**
 * The seat map as the fan's page reads it (GET …/seat-map, GET …/seat-states), for the shoppers
 * who choose their seats on the map: the map's rows decoded to seat ids in map order, the 2-bit
 * state bitmap, and a run of free seats picked in one row. Pure but for `fetchSeatMap`.
 */
import http from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';

/** The part of the map (checkout/seatmap/seat-map-build.ts) a seat picker needs. */
export interface SeatMapJson {
  seatCount: number;
  sections: { id: string; kind: 'reserved' | 'ga'; first: number; rows: [string, number, number | number[], ...unknown[]][] }[];
}

export interface MapRow {
  /** index of the row's first seat in map order (its first bit pair in the states) */
  first: number;
  ids: number[];
}

export interface SeatMapView {
  etag: string;
  seatCount: number;
  /** bytes on the wire (brotli) and uncompressed */
  compressedBytes: number;
  jsonBytes: number;
  rows: Map<string, MapRow[]>;
}

export function mapRows(map: SeatMapJson): Map<string, MapRow[]> {
  const out = new Map<string, MapRow[]>();
  for (const section of map.sections) {
    if (section.kind !== 'reserved') continue;
    let i = section.first;
    const rows: MapRow[] = [];
    for (const [, n, ids] of section.rows) {
      rows.push({ first: i, ids: typeof ids === 'number' ? Array.from({ length: n }, (_, k) => ids + k) : ids });
      i += n;
    }
    out.set(section.id, rows);
  }
  return out;
}

/** Seat i free? (2 bits a seat, little-endian in each byte; 0 is free.) */
export function isFree(states: Uint8Array, i: number): boolean {
  const b = states[i >> 2];
  return b !== undefined && ((b >> ((i & 3) * 2)) & 3) === 0;
}

/**
 * `quantity` adjacent free seats in one of the section's rows, as a fan clicks them: a row picked
 * at random, then the first run of free seats from a random place in it; a few rows tried, then
 * none (the caller falls back to best available).
 */
export function pickFreeRun(rows: MapRow[], states: Uint8Array, quantity: number, random: () => number, tries = 8): number[] | null {
  for (let t = 0; t < tries && rows.length; t++) {
    const row = rows[Math.floor(random() * rows.length)]!;
    const n = row.ids.length;
    const start = Math.floor(random() * n);
    for (let s = 0; s < n; s++) {
      const k0 = (start + s) % n;
      if (k0 + quantity > n) continue;
      let ok = true;
      for (let k = k0; k < k0 + quantity && ok; k++) ok = isFree(states, row.first + k);
      if (ok) return row.ids.slice(k0, k0 + quantity);
    }
  }
  return null;
}

/** GET url with headers: status, headers and the raw (still encoded) body. */
export function getRaw(url: URL, headers: Record<string, string>, agent?: http.Agent, localAddress?: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve) => {
    const req = http.request({ host: url.hostname, port: url.port, path: `${url.pathname}${url.search}`, method: 'GET', headers, agent, localAddress, timeout: 30_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', () => resolve({ status: 0, headers: {}, body: Buffer.alloc(0) }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve({ status: 0, headers: {}, body: Buffer.alloc(0) }));
    req.end();
  });
}

export function decodeBody(r: { headers: http.IncomingHttpHeaders; body: Buffer }): Buffer {
  const enc = r.headers['content-encoding'];
  return enc === 'br' ? brotliDecompressSync(r.body) : enc === 'gzip' ? gunzipSync(r.body) : r.body;
}

/** The map as a browser fetches it the first time (brotli). */
export async function fetchSeatMap(apiUrl: string, path: string, localAddress?: string): Promise<SeatMapView> {
  const r = await getRaw(new URL(path, apiUrl), { 'accept-encoding': 'br, gzip' }, undefined, localAddress);
  if (r.status !== 200) throw new Error(`GET ${path}: ${r.status}`);
  const json = decodeBody(r);
  const map = JSON.parse(json.toString('utf8')) as SeatMapJson;
  return { etag: String(r.headers.etag ?? ''), seatCount: map.seatCount, compressedBytes: r.body.length, jsonBytes: json.length, rows: mapRows(map) };
}

/** The states of a GET …/seat-states answer (JSON, `states` in base64). */
export function statesOf(json: unknown): Uint8Array | null {
  const s = (json as { states?: unknown } | null)?.states;
  return typeof s === 'string' ? new Uint8Array(Buffer.from(s, 'base64')) : null;
}
