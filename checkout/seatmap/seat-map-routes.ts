/**
 * The fan's seat map and its live states, public (no pass: a fan looks before holding).
 *
 * - `GET /v1/sales/{sale}/seat-map`: the compact map (seat-map-build.ts), built once per process
 *   from PostgreSQL and compressed once (brotli and gzip); fixed while the sale is published, so a
 *   strong ETag, a long Cache-Control and 304 on If-None-Match.
 * - `GET /v1/sales/{sale}/seat-states`: a 2-bit state per seat in the map's order, base64, with a
 *   version; read from Redis only (inventory `seatStates`: one HGET per shard, an HGETALL of the
 *   shards that changed), at most once per SEAT_STATES_CACHE_MS per sale per process however many
 *   fans ask (single flight), and encoded once per version. ETag = version, so an unchanged poll
 *   is a 304 with no body.
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import type { ApiEnv } from '../api/api-env.js';
import { apiRoute, apiRouter, jsonAnswer } from '../api/api-route.js';
import type { CheckoutServices } from '../checkout-services.js';
import { saleParams } from '../holds/hold-schemas.js';
import { buildSeatMap, seatIndex, type SeatMap } from './seat-map-build.js';
import { readMapSource } from './seat-map-source.js';
import { answer, encodeBody, type EncodedBody } from './encoded-body.js';
import { encodeStates, SEAT_STATE_CODES } from './seat-states.js';

/** How old a seat-states answer may be: every process reads Redis at most this often per sale. */
export const SEAT_STATES_CACHE_MS = 250;
const MAP_CACHE_CONTROL = 'public, max-age=86400';
const STATES_CACHE_CONTROL = 'public, max-age=0, must-revalidate';
const MAX_SALES = 100;

const row = z.tuple([z.string(), z.number(), z.union([z.number(), z.array(z.number())]), z.union([z.number(), z.array(z.number())]),
  z.union([z.number(), z.array(z.number())]), z.union([z.number(), z.array(z.number())]), z.number(), z.number()])
  .describe('[label, count, ids, numbers, x, y, dx, dy]: ids/numbers are the first value when they go up by one, else one per seat; seat k is at (x + k·dx, y + k·dy), or at (x[k], y[k]) when x and y are lists');
export const seatMapSchema = z.object({
  saleId: z.string(), eventId: z.string(), currency: z.string(), perFanLimit: z.number().int(),
  seatCount: z.number().int().describe('reserved seats, in the order of the rows below: the seat-state bitmap\'s order'),
  bounds: z.tuple([z.number(), z.number(), z.number(), z.number()]).describe('minX, minY, maxX, maxY'),
  tiers: z.array(z.object({ code: z.string(), name: z.string(), priceMinor: z.number().int() })),
  sections: z.array(z.object({
    id: z.string(), name: z.string(), kind: z.enum(['reserved', 'ga']), tierCode: z.string().nullable(), priceMinor: z.number().int().nullable(),
    capacity: z.number().int(), first: z.number().int(), rows: z.array(row), box: z.tuple([z.number(), z.number(), z.number(), z.number()]).optional(),
  })),
});
export const seatStatesSchema = z.object({
  saleId: z.string(),
  version: z.string().describe('changes whenever a seat changes state; also the ETag'),
  seatCount: z.number().int(),
  bits: z.literal(2),
  codes: z.array(z.string()).describe(`what each 2-bit value means: ${SEAT_STATE_CODES.map((c, i) => `${i} ${c}`).join(', ')}`),
  states: z.string().describe('base64; seat i (map order) is bits 2i..2i+1, little-endian within each byte'),
});

interface MapEntry { map: SeatMap; index: Map<number, number>; body: EncodedBody }

export function seatMapRoutes(deps: CheckoutServices): OpenAPIHono<ApiEnv> {
  const { ctx, inventory } = deps;
  const router = apiRouter<ApiEnv>();
  const maps = new Map<string, Promise<MapEntry>>();
  const states = new Map<string, { at: number; value: Promise<EncodedBody> }>();
  const lastBody = new Map<string, EncodedBody>();

  function mapOf(saleId: string): Promise<MapEntry> {
    let entry = maps.get(saleId);
    if (!entry) {
      entry = (async () => {
        // published in the inventory first: the map lists what can be held
        await inventory.availability(saleId);
        const map = buildSeatMap(await readMapSource(ctx.pg, saleId));
        return { map, index: seatIndex(map), body: await encodeBody(map, { brotli: true }) };
      })();
      entry.catch(() => maps.delete(saleId));
      maps.set(saleId, entry);
      if (maps.size > MAX_SALES) maps.delete(maps.keys().next().value!);
    }
    return entry;
  }

  function statesOf(saleId: string): Promise<EncodedBody> {
    const hit = states.get(saleId);
    if (hit && Date.now() - hit.at < SEAT_STATES_CACHE_MS) return hit.value;
    const value = (async () => {
      const { map, index } = await mapOf(saleId);
      const read = await inventory.seatStates(saleId);
      const prev = lastBody.get(saleId);
      const etag = `"${read.version}"`;
      if (prev?.etag === etag) return prev;
      const body = await encodeBody({ saleId, version: read.version, seatCount: map.seatCount, bits: 2, codes: SEAT_STATE_CODES, states: encodeStates(map.seatCount, index, read.shards) }, { brotli: false, etag });
      lastBody.set(saleId, body);
      if (lastBody.size > MAX_SALES) lastBody.delete(lastBody.keys().next().value!);
      return body;
    })();
    value.catch(() => states.delete(saleId));
    states.set(saleId, { at: Date.now(), value });
    if (states.size > MAX_SALES) states.delete(states.keys().next().value!);
    return value;
  }

  const request = (c: { req: { header(name: string): string | undefined } }) => ({ ifNoneMatch: c.req.header('if-none-match'), acceptEncoding: c.req.header('accept-encoding') });

  router.openapi(apiRoute({
    method: 'get', path: '/v1/sales/{sale}/seat-map', summary: 'The sale\'s seat map: sections, rows, seats, prices and positions', tags: ['seat map'],
    request: { params: saleParams },
    responses: {
      200: jsonAnswer(seatMapSchema, 'the map (brotli or gzip by Accept-Encoding; fixed while the sale is published: strong ETag)'),
      304: { description: 'not modified (If-None-Match)' },
    },
  }), async (c) => {
    const entry = await mapOf(c.req.valid('param').sale);
    return answer(entry.body, request(c), MAP_CACHE_CONTROL) as never;
  });

  router.openapi(apiRoute({
    method: 'get', path: '/v1/sales/{sale}/seat-states', summary: 'Free, held and sold per seat, live (2 bits per seat in map order)', tags: ['seat map'],
    request: { params: saleParams },
    responses: {
      200: jsonAnswer(seatStatesSchema, `the states (at most ${SEAT_STATES_CACHE_MS} ms old; gzip by Accept-Encoding; ETag = version)`),
      304: { description: 'unchanged since the version in If-None-Match' },
    },
  }), async (c) => {
    const body = await statesOf(c.req.valid('param').sale);
    return answer(body, request(c), STATES_CACHE_CONTROL) as never;
  });

  return router;
}
