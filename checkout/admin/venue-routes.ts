/** Organiser routes for venues and seat maps (JSON create, CSV import). Mounted behind requireAdmin. */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import { inTransaction, type PgPool } from '../../common/postgres-pool.js';
import { Problem } from '../../common/problem.js';
import { jsonBody, pathOf } from '../accounts/http-input.js';
import { parseSeatCsv } from './seat-csv.js';
import { checkVenue, createVenue, importSeats, seatMapProblem, venueSchema } from './seat-map.js';

export const CSV_LIMIT_BYTES = 5 * 1024 * 1024;
const idPath = z.object({ id: z.uuid() });

export function createVenueRouter(deps: { pg: PgPool; bodyLimitBytes: number }): Hono {
  const router = new Hono();

  router.post('/v1/admin/venues', bodyLimit({ maxSize: deps.bodyLimitBytes * 16 }), async (c) => {
    const venue = await jsonBody(c, venueSchema);
    checkVenue(venue);
    return c.json(await createVenue(deps.pg, venue), 201);
  });

  router.get('/v1/admin/venues', async (c) => {
    const { rows } = await deps.pg.query(
      `SELECT v.id, v.name, v.city, (SELECT coalesce(sum(capacity), 0) FROM sections s WHERE s.venue_id = v.id) AS capacity
       FROM venues v ORDER BY v.created_at DESC LIMIT 500`);
    return c.json({ venues: rows });
  });

  router.get('/v1/admin/venues/:id', async (c) => {
    const { id } = pathOf(c, idPath);
    const { rows } = await deps.pg.query(
      `SELECT v.id, v.name, v.city, v.address, v.timezone,
              coalesce((SELECT json_agg(json_build_object('code', t.code, 'name', t.name) ORDER BY t.code) FROM venue_tiers t WHERE t.venue_id = v.id), '[]') AS tiers,
              coalesce((SELECT json_agg(json_build_object('id', s.id, 'name', s.name, 'kind', s.kind, 'tierCode', s.tier_code, 'capacity', s.capacity,
                        'rows', (SELECT count(DISTINCT row_label) FROM seats st WHERE st.section_id = s.id)) ORDER BY s.position)
                        FROM sections s WHERE s.venue_id = v.id), '[]') AS sections
       FROM venues v WHERE v.id = $1`, [id]);
    if (!rows[0]) throw new Problem(404, 'venue_not_found', `no venue ${id}`);
    return c.json(rows[0]);
  });

  router.post('/v1/admin/venues/:id/seats', bodyLimit({ maxSize: CSV_LIMIT_BYTES }), async (c) => {
    const { id } = pathOf(c, idPath);
    if (!/^text\/(csv|plain)\b/i.test(c.req.header('content-type') ?? '')) throw new Problem(415, 'unsupported_media_type', 'send the seat map as text/csv');
    const text = await c.req.text();
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
