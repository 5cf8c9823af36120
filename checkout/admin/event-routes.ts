/** Organiser routes for events: create, update, publish, cancel. Mounted behind requireAdmin. */
import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import { inTransaction, type PgClient, type PgPool } from '../../common/postgres-pool.js';
import { Problem } from '../../common/problem.js';
import { apiRoute, apiRouter, jsonAnswer, jsonBody } from '../api/api-route.js';
import { needs } from '../api/openapi-document.js';
import type { NotificationQueue } from '../worker/notifications/notification-queue.js';
import { cancellationReport, eventList, eventRow as eventRowSchema, idParams } from './admin-schemas.js';
import type { EventCanceller } from './event-cancellation.js';

const tiers = z.array(z.object({
  code: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/),
  name: z.string().trim().min(1).max(100),
  priceMinor: z.number().int().min(0).max(100_000_000),
}).strict()).min(1).max(50);

const fields = {
  title: z.string().trim().min(1).max(200),
  description: z.string().max(5000),
  performer: z.string().trim().max(200),
  category: z.string().trim().min(1).max(50),
  startsAt: z.iso.datetime({ offset: true }),
  refundCutoffS: z.number().int().min(0).max(365 * 86_400),
  tiers,
};
const createSchema = z.object({ venueId: z.uuid(), currency: z.string().regex(/^[A-Z]{3}$/).default('EUR'), ...fields })
  .partial({ description: true, performer: true, category: true, refundCutoffS: true }).strict();
const updateSchema = z.object(fields).partial().strict().refine((v) => Object.keys(v).length > 0, 'nothing to update');

/** Every tier must be the venue's, and every tier the venue's seats use must have a price. */
async function checkTiers(client: PgClient, venueId: string, given: z.output<typeof tiers>): Promise<void> {
  const { rows } = await client.query<{ code: string; used: boolean }>(
    `SELECT t.code, (EXISTS (SELECT 1 FROM sections s WHERE s.venue_id = t.venue_id AND s.tier_code = t.code)
                     OR EXISTS (SELECT 1 FROM seats st JOIN sections s ON s.id = st.section_id WHERE s.venue_id = t.venue_id AND st.tier_code = t.code)) AS used
     FROM venue_tiers t WHERE t.venue_id = $1`, [venueId]);
  const known = new Set(rows.map((r) => r.code));
  const priced = new Set(given.map((t) => t.code));
  const errors = [
    ...given.filter((t) => !known.has(t.code)).map((t) => `unknown tier ${t.code}`),
    ...rows.filter((r) => r.used && !priced.has(r.code)).map((r) => `tier ${r.code} has seats but no price`),
    ...(priced.size < given.length ? ['a tier is listed twice'] : []),
  ];
  if (errors.length) throw new Problem(422, 'invalid_tiers', errors.join('; '), { errors: errors.map((message) => ({ path: 'body.tiers', message })) });
}

async function writeTiers(client: PgClient, eventId: string, given: z.output<typeof tiers>): Promise<void> {
  await client.query('DELETE FROM event_price_tiers WHERE event_id = $1', [eventId]);
  await client.query('INSERT INTO event_price_tiers (event_id, tier_code, name, price_minor) SELECT $1, c, n, p FROM unnest($2::text[], $3::text[], $4::int[]) AS x(c, n, p)',
    [eventId, given.map((t) => t.code), given.map((t) => t.name), given.map((t) => t.priceMinor)]);
}

async function lockEvent(client: PgClient, id: string): Promise<{ status: string; venue_id: string; live_sales: boolean }> {
  const { rows } = await client.query<{ status: string; venue_id: string; live_sales: boolean }>(
    `SELECT status, venue_id, EXISTS (SELECT 1 FROM sales s WHERE s.event_id = e.id AND s.status <> 'draft') AS live_sales
     FROM events e WHERE id = $1 FOR UPDATE`, [id]);
  if (!rows[0]) throw new Problem(404, 'event_not_found', `no event ${id}`);
  return rows[0];
}

const tags = ['admin: events'];
const security = needs('admin');

export interface EventRouterDeps {
  pg: PgPool;
  canceller: EventCanceller;
  /** Told when an event's start changes, so its orders' reminders move with it. */
  reminders: Pick<NotificationQueue, 'afterEventMoved'>;
}

export function createEventRouter(deps: EventRouterDeps): OpenAPIHono {
  const router = apiRouter();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the row as Postgres gives it (eventRowSchema documents it)
  const eventRow = async (id: string): Promise<any> =>
    (await deps.pg.query(`SELECT e.*, coalesce((SELECT json_agg(json_build_object('code', t.tier_code, 'name', t.name, 'priceMinor', t.price_minor))
                          FROM event_price_tiers t WHERE t.event_id = e.id), '[]') AS tiers FROM events e WHERE id = $1`, [id])).rows[0];

  router.openapi(apiRoute({
    method: 'get', path: '/v1/admin/events', summary: 'The latest 500 events', tags, security,
    responses: { 200: jsonAnswer(eventList, 'events, newest first') },
  }), async (c) => {
    const { rows } = await deps.pg.query(`SELECT id, title, status, city, venue_name, starts_at FROM events ORDER BY created_at DESC LIMIT 500`);
    return c.json({ events: rows }, 200);
  });

  router.openapi(apiRoute({
    method: 'post', path: '/v1/admin/events', summary: 'Create an event (draft) at a venue, with a price per tier', tags, security,
    request: { body: jsonBody(createSchema) },
    responses: { 201: jsonAnswer(eventRowSchema, 'the event'), 422: { description: 'unknown_venue, invalid_tiers' } },
  }), async (c) => {
    const body = c.req.valid('json');
    const id = await inTransaction(deps.pg, async (client) => {
      const venue = await client.query<{ name: string; city: string }>('SELECT name, city FROM venues WHERE id = $1', [body.venueId]);
      if (!venue.rows[0]) throw new Problem(422, 'unknown_venue', `no venue ${body.venueId}`);
      await checkTiers(client, body.venueId, body.tiers);
      const { rows } = await client.query<{ id: string }>(
        `INSERT INTO events (venue_id, venue_name, city, title, description, performer, category, starts_at, currency, refund_cutoff_s, organiser_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, coalesce($10, 172800), (SELECT id FROM users WHERE id::text = $11)) RETURNING id`,
        [body.venueId, venue.rows[0].name, venue.rows[0].city, body.title, body.description ?? '', body.performer ?? '', body.category ?? 'other',
          body.startsAt, body.currency, body.refundCutoffS ?? null, (c as unknown as { get(k: 'user'): { userId: string } | undefined }).get('user')?.userId ?? null]);
      await writeTiers(client, rows[0]!.id, body.tiers);
      return rows[0]!.id;
    });
    return c.json(await eventRow(id), 201);
  });

  router.openapi(apiRoute({
    method: 'get', path: '/v1/admin/events/{id}', summary: 'An event with its price tiers', tags, security,
    request: { params: idParams },
    responses: { 200: jsonAnswer(eventRowSchema, 'the event'), 404: { description: 'event_not_found' } },
  }), async (c) => {
    const { id } = c.req.valid('param');
    const row = await eventRow(id);
    if (!row) throw new Problem(404, 'event_not_found', `no event ${id}`);
    return c.json(row, 200);
  });

  router.openapi(apiRoute({
    method: 'patch', path: '/v1/admin/events/{id}', summary: 'Change an event (prices only until a sale is published); a new start moves the reminders', tags, security,
    request: { params: idParams, body: jsonBody(updateSchema) },
    responses: { 200: jsonAnswer(eventRowSchema, 'the event'), 409: { description: 'event_cancelled, prices_locked' } },
  }), async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    await inTransaction(deps.pg, async (client) => {
      const event = await lockEvent(client, id);
      if (event.status === 'cancelled') throw new Problem(409, 'event_cancelled', 'a cancelled event cannot change');
      if (body.tiers) {
        // prices are in every hold and order of a published sale: they stop changing then
        if (event.live_sales) throw new Problem(409, 'prices_locked', 'a sale of this event is published; its prices can no longer change');
        await checkTiers(client, event.venue_id, body.tiers);
        await writeTiers(client, id, body.tiers);
      }
      await client.query(
        `UPDATE events SET title = coalesce($2, title), description = coalesce($3, description), performer = coalesce($4, performer),
                category = coalesce($5, category), starts_at = coalesce($6, starts_at), refund_cutoff_s = coalesce($7, refund_cutoff_s), updated_at = now()
         WHERE id = $1`,
        [id, body.title ?? null, body.description ?? null, body.performer ?? null, body.category ?? null, body.startsAt ?? null, body.refundCutoffS ?? null]);
    });
    // After the commit, so the worker reads the new start. Whenever a start is given, changed or
    // not: a PATCH repeated after this failed (503) must still move the reminders.
    if (body.startsAt !== undefined) await deps.reminders.afterEventMoved(id);
    return c.json(await eventRow(id), 200);
  });

  router.openapi(apiRoute({
    method: 'post', path: '/v1/admin/events/{id}/publish', summary: 'Publish the event (it shows in the catalog); idempotent', tags, security,
    request: { params: idParams },
    responses: { 200: jsonAnswer(eventRowSchema, 'the event'), 409: { description: 'event_cancelled, event_completed' } },
  }), async (c) => {
    const { id } = c.req.valid('param');
    await inTransaction(deps.pg, async (client) => {
      const event = await lockEvent(client, id);
      if (event.status === 'cancelled' || event.status === 'completed') throw new Problem(409, `event_${event.status}`, `the event is ${event.status}`);
      await client.query(`UPDATE events SET status = 'published', updated_at = now() WHERE id = $1 AND status = 'draft'`, [id]);
    });
    return c.json(await eventRow(id), 200);
  });

  router.openapi(apiRoute({
    method: 'post', path: '/v1/admin/events/{id}/cancel', summary: 'Cancel the event: close its sales, cancel and refund every order exactly once', tags, security,
    request: { params: idParams },
    responses: { 200: jsonAnswer(cancellationReport, 'cancelled'), 202: jsonAnswer(cancellationReport, 'some orders are still being confirmed: POST again') },
  }), async (c) => {
    const { id } = c.req.valid('param');
    const report = await deps.canceller.cancelEvent(id);
    // 202 while some orders could not be cancelled yet (still being confirmed): POST again to finish.
    return report.pending.length > 0 ? c.json(report, 202) : c.json(report, 200);
  });
  return router;
}
