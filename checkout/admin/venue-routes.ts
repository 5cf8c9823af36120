/** Organiser routes for venues and seat maps (JSON create, CSV import). Mounted behind requireAdmin. */
import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import { inTransaction, type PgPool } from '../../common/postgres-pool.js';
import { Problem } from '../../common/problem.js';
import { apiRoute, apiRouter, jsonAnswer, jsonBody, refuseNul } from '../api/api-route.js';
import { needs } from '../api/openapi-document.js';
import { idParams, seatsImported, venueCreated, venueDetail, venueList, venueSeats } from './admin-schemas.js';
import { parseSeatCsv } from './seat-csv.js';
import { checkVenue, createVenue, importSeats, seatMapProblem, venueSchema } from './seat-map.js';

/** A seat map is the one large body the API takes, as JSON (200 sections of 500 rows) or CSV (a line a seat). */
export const SEAT_MAP_LIMIT_BYTES = 5 * 1024 * 1024;

const tags = ['admin: venues'];
const security = needs('admin');

export function createVenueRouter(deps: { pg: PgPool }): OpenAPIHono {
  const router = apiRouter();

  router.openapi(apiRoute({
    method: 'post', path: '/v1/admin/venues', summary: 'Create a venue with its tiers, sections and rows of seats', tags, security,
    bodyLimitBytes: SEAT_MAP_LIMIT_BYTES,
    request: { body: jsonBody(venueSchema) },
    responses: { 201: jsonAnswer(venueCreated, 'the venue, with its seat count and capacity'), 422: { description: 'invalid_seat_map: unknown tiers, duplicate names or rows (every one listed)' } },
  }), async (c) => {
    const venue = c.req.valid('json');
    checkVenue(venue);
    return c.json(await createVenue(deps.pg, venue), 201);
  });

  router.openapi(apiRoute({
    method: 'get', path: '/v1/admin/venues', summary: 'The latest 500 venues', tags, security,
    responses: { 200: jsonAnswer(venueList, 'venues, newest first') },
  }), async (c) => {
    const { rows } = await deps.pg.query(
      `SELECT v.id, v.name, v.city, (SELECT coalesce(sum(capacity), 0) FROM sections s WHERE s.venue_id = v.id) AS capacity
       FROM venues v ORDER BY v.created_at DESC LIMIT 500`);
    return c.json({ venues: rows }, 200);
  });

  router.openapi(apiRoute({
    method: 'get', path: '/v1/admin/venues/{id}', summary: 'A venue with its tiers and sections', tags, security,
    request: { params: idParams },
    responses: { 200: jsonAnswer(venueDetail, 'the venue') },
  }), async (c) => {
    const { id } = c.req.valid('param');
    const { rows } = await deps.pg.query(
      `SELECT v.id, v.name, v.city, v.address, v.timezone,
              coalesce((SELECT json_agg(json_build_object('code', t.code, 'name', t.name) ORDER BY t.code) FROM venue_tiers t WHERE t.venue_id = v.id), '[]') AS tiers,
              coalesce((SELECT json_agg(json_build_object('id', s.id, 'name', s.name, 'kind', s.kind, 'tierCode', s.tier_code, 'capacity', s.capacity,
                        'rows', (SELECT count(DISTINCT row_label) FROM seats st WHERE st.section_id = s.id)) ORDER BY s.position)
                        FROM sections s WHERE s.venue_id = v.id), '[]') AS sections
       FROM venues v WHERE v.id = $1`, [id]);
    if (!rows[0]) throw new Problem(404, 'venue_not_found', `no venue ${id}`);
    return c.json(rows[0], 200);
  });

  router.openapi(apiRoute({
    method: 'get', path: '/v1/admin/venues/{id}/seats', summary: 'Every seat of the venue by section and row, in order (the seat map preview)', tags, security,
    request: { params: idParams },
    responses: { 200: jsonAnswer(venueSeats, 'sections in order, their rows and seats'), 404: { description: 'venue_not_found' } },
  }), async (c) => {
    const { id } = c.req.valid('param');
    const venue = await deps.pg.query('SELECT 1 FROM venues WHERE id = $1', [id]);
    if (!venue.rows[0]) throw new Problem(404, 'venue_not_found', `no venue ${id}`);
    // one row a section, its rows and seats aggregated in Postgres: a 50,000-seat venue is one query
    const { rows } = await deps.pg.query(
      `SELECT s.id, s.name, s.kind, s.tier_code AS "tierCode", s.capacity,
              coalesce((SELECT json_agg(json_build_object('label', r.row_label, 'seats', r.seats) ORDER BY r.first)
                FROM (SELECT row_label, min(position) AS first, json_agg(json_build_array(number, tier_code) ORDER BY position) AS seats
                      FROM seats WHERE section_id = s.id GROUP BY row_label) r), '[]') AS rows
       FROM sections s WHERE s.venue_id = $1 ORDER BY s.position`, [id]);
    return c.json({ venueId: id, sections: rows }, 200);
  });

  router.openapi(apiRoute({
    method: 'post', path: '/v1/admin/venues/{id}/seats', summary: 'Import seats from CSV (section,row,seat,tier, optionally x,y: the seat map position); all or nothing', tags, security,
    bodyLimitBytes: SEAT_MAP_LIMIT_BYTES,
    request: {
      params: idParams,
      body: { required: true, content: { 'text/csv': { schema: z.string().describe('header section,row,number,tier; one seat a line') } } },
    },
    responses: { 201: jsonAnswer(seatsImported, 'seats added'), 409: { description: 'a sale at this venue is published' }, 422: { description: 'invalid_seat_map: the refused lines' } },
  }), async (c) => {
    const { id } = c.req.valid('param');
    if (!/^text\/(csv|plain)\b/i.test(c.req.header('content-type') ?? '')) throw new Problem(415, 'unsupported_media_type', 'send the seat map as text/csv');
    const text = await c.req.text();
    refuseNul('json', text);
    const result = await inTransaction(deps.pg, async (client) => {
      // the venue row lock serialises imports into one venue
      const venue = await client.query('SELECT id FROM venues WHERE id = $1 FOR UPDATE', [id]);
      if (!venue.rows[0]) throw new Problem(404, 'venue_not_found', `no venue ${id}`);
      const live = await client.query(`SELECT 1 FROM sales s JOIN events e ON e.id = s.event_id WHERE e.venue_id = $1 AND s.status <> 'draft' LIMIT 1`, [id]);
      if (live.rows[0]) throw new Problem(409, 'venue_in_use', 'a sale at this venue is published; its seat map can no longer change');
      const tiers = await client.query<{ code: string }>('SELECT code FROM venue_tiers WHERE venue_id = $1', [id]);
      const { seats, problems } = parseSeatCsv(text, new Set(tiers.rows.map((t) => t.code)));
      if (problems.length) throw seatMapProblem(problems);
      return importSeats(client, id, seats);
    });
    return c.json(result, 201);
  });
  return router;
}
