/** Organiser routes for on-sales: create, publish (builds the Redis pools), live controls, statistics, dashboard data. */
import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import { applySaleControl, initSaleSettingsFromPostgres, recordSaleStatus, saleControlSchema, setPowDifficulty } from '../../admission/sale-controls.js';
import { applySaleAccess, saleAccessAnswerSchema, saleAccessSchema } from '../../admission/sale-access.js';
import { changeSaleSchedule, saleScheduleSchema, scheduleChangeSchema } from '../../admission/sale-schedule.js';
import { inTransaction, type PgPool } from '../../common/postgres-pool.js';
import type { RedisClient } from '../../common/redis-connection.js';
import { Problem } from '../../common/problem.js';
import type { SeatInventory } from '../../inventory/inventory-api.js';
import { apiRoute, apiRouter, jsonAnswer, jsonBody } from '../api/api-route.js';
import { needs } from '../api/openapi-document.js';
import { gatewayNames, type GatewayName } from '../payments/payment-gateway.js';
import { dashboardData, idParams, saleList, salePublished, saleRow, saleSettings, saleStats } from './admin-schemas.js';
import { readSaleStats } from './sale-stats.js';
import { brandingSchema } from '../../admission/sale-page.js';
import type { DashboardReader } from './dashboard-data.js';
import type { Context } from 'hono';
import { audited, reasonHeaders, type AuditEntry } from '../../admission/operator-audit.js';
import type { AuthEnv } from '../accounts/auth-middleware.js';
import { actorOf } from './fan-routes.js';
import { buildSeatMap } from '../seatmap/seat-map-build.js';
import { readMapSource } from '../seatmap/seat-map-source.js';
import { seatMapSchema } from '../seatmap/seat-map-routes.js';


const at = z.iso.datetime({ offset: true });
/** Leading zero bits of the proof of work a joining fan must find (0 = none); each bit doubles the work. */
const powDifficulty = z.number().int().min(0).max(32).describe('proof-of-work bits asked of joining fans: 0 off, about 2^n hashes each');
/** The organiser's choice of gateways, in the order fans see them; null goes back to "every configured one". */
const paymentGateways = z.array(z.enum(gatewayNames)).min(1).max(3).refine((l) => new Set(l).size === l.length, 'a gateway named twice')
  .nullable().describe('gateways fans may pay with, the first the default (null: every gateway this deployment has)');
const createSchema = z.object({
  eventId: z.uuid(),
  prequeueOpensAt: at,
  opensAt: at,
  closesAt: at,
  admissionRatePerMin: z.number().int().min(1).max(1_000_000),
  maxActiveShoppers: z.number().int().min(1).max(1_000_000),
  holdSeconds: z.number().int().min(30).max(3600).default(480),
  paymentGraceSeconds: z.number().int().min(0).max(1800).default(120),
  perFanLimit: z.number().int().min(1).max(50).default(6),
  shardCount: z.number().int().min(1).max(1024).default(8),
  powDifficulty: powDifficulty.default(0),
  paymentGateways: paymentGateways.default(null),
}).strict()
  .refine((s) => Date.parse(s.prequeueOpensAt) <= Date.parse(s.opensAt), { message: 'the pre-queue must open no later than the sale', path: ['prequeueOpensAt'] })
  .refine((s) => Date.parse(s.opensAt) < Date.parse(s.closesAt), { message: 'the sale must open before it closes', path: ['closesAt'] });
const updateSchema = z.object({
  powDifficulty,
  paymentGateways,
  branding: brandingSchema.nullable().describe("the fan pages' branding (logo, colours, headline, the organiser's Markdown message); null clears it; pages show a change within 30 s"),
}).partial().strict().refine((v) => Object.keys(v).length > 0, 'nothing to update');

/** The inventory prices a section at one tier (a venue made by JSON rows may mix them): refused in words, not a 500. */
async function checkOneTierPerSection(pg: PgPool, eventId: string): Promise<void> {
  const { rows } = await pg.query<{ name: string; tiers: string[] }>(
    `SELECT s.name, array_agg(DISTINCT st.tier_code ORDER BY st.tier_code) AS tiers
     FROM events e JOIN sections s ON s.venue_id = e.venue_id JOIN seats st ON st.section_id = s.id
     WHERE e.id = $1 GROUP BY s.id, s.name HAVING count(DISTINCT st.tier_code) > 1`, [eventId]);
  if (rows.length === 0) return;
  const errors = rows.map((r) => ({ path: `section ${r.name}`, message: `section ${r.name} mixes tiers ${r.tiers.join(', ')}; one tier per section is supported` }));
  throw new Problem(422, 'unsupported_seat_map', errors.map((e) => e.message).join('; '), { errors });
}

export interface SaleRouterDeps {
  pg: PgPool;
  redis: RedisClient;
  inventory: Pick<SeatInventory, 'publish' | 'setOnSale' | 'availability'>;
  dashboard: DashboardReader;
  /** The gateways this deployment has: a sale may only name these. */
  gateways: readonly GatewayName[];
  /** Forgets a sale's cached gateways after a change (checkout reads them through a short cache). */
  onGatewaysChanged?: (saleId: string) => void;
}

type SaleRow = z.output<typeof saleRow> & { opens_at: Date; closes_at: Date; prequeue_opens_at: Date };

const tags = ['admin: sales'];
const security = needs('admin');

export function createSaleRouter(deps: SaleRouterDeps): OpenAPIHono<AuthEnv> {
  const router = apiRouter<AuthEnv>();
  const checkGateways = (list: GatewayName[] | null | undefined) => {
    const missing = (list ?? []).filter((g) => !deps.gateways.includes(g));
    if (missing.length > 0) throw new Problem(422, 'gateway_not_configured', `this deployment has no ${missing.join(', ')} gateway (PAYMENT_GATEWAYS: ${deps.gateways.join(', ')})`);
  };
  /** Each change of a live sale is recorded in the operator audit log with who, why and what (admission/operator-audit.ts). */
  const audit = (c: Context<AuthEnv>, saleId: string, action: string, detail: Record<string, unknown>, reason: string | undefined): AuditEntry =>
    ({ saleId, actor: actorOf(c.get('user')), via: 'api', action, reason: reason ?? null, detail });
  const sale = async (id: string): Promise<SaleRow> => {
    const { rows } = await deps.pg.query<SaleRow>('SELECT s.*, e.status AS event_status, e.title AS event_title FROM sales s JOIN events e ON e.id = s.event_id WHERE s.id = $1', [id]);
    if (!rows[0]) throw new Problem(404, 'sale_not_found', `no sale ${id}`);
    return rows[0];
  };

  router.openapi(apiRoute({
    method: 'get', path: '/v1/admin/sales', summary: 'The latest 500 sales', tags, security,
    responses: { 200: jsonAnswer(saleList, 'sales, latest opening first') },
  }), async (c) => {
    const { rows } = await deps.pg.query(`SELECT s.id, s.event_id, e.title, s.status, s.opens_at, s.closes_at FROM sales s JOIN events e ON e.id = s.event_id ORDER BY s.opens_at DESC LIMIT 500`);
    return c.json({ sales: rows }, 200);
  });

  router.openapi(apiRoute({
    method: 'post', path: '/v1/admin/sales', summary: 'Create a sale (draft) of an event: its window, admission rate, shoppers, holds, proof of work', tags, security,
    request: { body: jsonBody(createSchema) },
    responses: { 201: jsonAnswer(saleRow, 'the sale'), 409: { description: 'the event is cancelled or completed' }, 422: { description: 'unknown_event' } },
  }), async (c) => {
    const b = c.req.valid('json');
    checkGateways(b.paymentGateways);
    const id = await inTransaction(deps.pg, async (client) => {
      const event = await client.query<{ status: string }>('SELECT status FROM events WHERE id = $1 FOR SHARE', [b.eventId]);
      if (!event.rows[0]) throw new Problem(422, 'unknown_event', `no event ${b.eventId}`);
      if (event.rows[0].status === 'cancelled' || event.rows[0].status === 'completed') throw new Problem(409, `event_${event.rows[0].status}`, `the event is ${event.rows[0].status}`);
      const { rows } = await client.query<{ id: string }>(
        `INSERT INTO sales (event_id, prequeue_opens_at, opens_at, closes_at, admission_rate_per_min, max_active_shoppers, hold_seconds, payment_grace_seconds, per_fan_limit, shard_count, pow_difficulty, payment_gateways)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
        [b.eventId, b.prequeueOpensAt, b.opensAt, b.closesAt, b.admissionRatePerMin, b.maxActiveShoppers, b.holdSeconds, b.paymentGraceSeconds, b.perFanLimit, b.shardCount, b.powDifficulty, b.paymentGateways]);
      return rows[0]!.id;
    });
    return c.json(await sale(id), 201);
  });

  router.openapi(apiRoute({
    method: 'get', path: '/v1/admin/sales/{id}', summary: 'A sale', tags, security,
    request: { params: idParams },
    responses: { 200: jsonAnswer(saleRow, 'the sale') },
  }), async (c) => c.json(await sale(c.req.valid('param').id), 200));

  router.openapi(apiRoute({
    method: 'patch', path: '/v1/admin/sales/{id}', summary: "Change a sale: the proof-of-work difficulty (live: edges ask it of the next joining fans), the payment gateways it offers, the fan pages' branding", tags, security,
    request: { params: idParams, headers: reasonHeaders, body: jsonBody(updateSchema) },
    responses: { 200: jsonAnswer(saleRow, 'the sale'), 409: { description: 'the sale is closed' } },
  }), async (c) => {
    const s = await sale(c.req.valid('param').id);
    const { powDifficulty: pow, paymentGateways: gateways, branding } = c.req.valid('json');
    // the look of the pages may change at any time; the queue's and the payments' settings not once the sale is closed
    if ((pow !== undefined || gateways !== undefined) && s.status === 'closed') throw new Problem(409, 'sale_closed', 'the sale is closed');
    if (gateways !== undefined) {
      checkGateways(gateways);
      // payments already started keep their gateway (payments.gateway); new checkouts see this within seconds
      await audited(deps.pg, audit(c, s.id, 'sale.update', { paymentGateways: gateways }, c.req.valid('header')['x-usher-reason']),
        () => deps.pg.query('UPDATE sales SET payment_gateways = $2 WHERE id = $1', [s.id, gateways]));
      deps.onGatewaysChanged?.(s.id);
    }
    if (branding !== undefined) await deps.pg.query('UPDATE sales SET branding = $2::jsonb WHERE id = $1', [s.id, JSON.stringify(branding ?? {})]);
    if (pow !== undefined) {
      await audited(deps.pg, audit(c, s.id, 'sale.update', { powDifficulty: pow }, c.req.valid('header')['x-usher-reason']), async () => {
        await deps.pg.query('UPDATE sales SET pow_difficulty = $2 WHERE id = $1', [s.id, pow]);
        // a draft has no live settings yet: publishing seeds them from the row just written
        if (s.status !== 'draft') await setPowDifficulty(deps.redis, s.id, pow);
      });
    }
    return c.json(await sale(s.id), 200);
  });

  // Idempotent: the inventory's publish adds nothing the second time and HSETNX keeps live settings.
  router.openapi(apiRoute({
    method: 'post', path: '/v1/admin/sales/{id}/publish', summary: 'Publish the sale: build its seat pools in Redis and seed its queue settings; idempotent', tags, security,
    request: { params: idParams, headers: reasonHeaders },
    responses: { 200: jsonAnswer(salePublished, 'the pools and the sale'), 409: { description: 'event_not_published, sale_closed' }, 422: { description: 'unsupported_seat_map: a section mixes price tiers' } },
  }), async (c) => {
    const s = await sale(c.req.valid('param').id);
    if (s.event_status !== 'published') throw new Problem(409, 'event_not_published', `publish the event first (it is ${s.event_status})`);
    if (s.status === 'closed') throw new Problem(409, 'sale_closed', 'the sale is closed');
    await checkOneTierPerSection(deps.pg, s.event_id);
    const pools = await audited(deps.pg, audit(c, s.id, 'sale.publish', { status: s.status }, c.req.valid('header')['x-usher-reason']), () => deps.inventory.publish(s.id));
    await initSaleSettingsFromPostgres(deps.redis, deps.pg, s.id);
    await deps.pg.query(
      `UPDATE sales SET status = CASE WHEN opens_at <= now() THEN 'open' ELSE 'published' END, published_at = coalesce(published_at, now())
       WHERE id = $1 AND status = 'draft'`, [s.id]);
    // the pools were planned from the row while it was still a draft (off sale): put them on sale,
    // unless the sale was closed meanwhile
    const now = await sale(s.id);
    if (now.status !== 'closed') await deps.inventory.setOnSale(s.id, true);
    return c.json({ ...pools, sale: now }, 200);
  });

  router.openapi(apiRoute({
    method: 'post', path: '/v1/admin/sales/{id}/controls', summary: 'Live control of the queue: rate, max shoppers, pause, resume, close, message, mode (a draft takes set_mode only: the mode it opens with)', tags, security,
    request: { params: idParams, headers: reasonHeaders, body: jsonBody(saleControlSchema) },
    responses: { 200: jsonAnswer(saleSettings, 'the settings now'), 409: { description: 'sale_not_published (any control but set_mode on a draft), sale_closed' } },
  }), async (c) => {
    const s = await sale(c.req.valid('param').id);
    const control = c.req.valid('json');
    // a draft's mode is kept in its settings hash: publishing seeds the other fields beside it (HSETNX),
    // and edges know a sale only once its rate is there, so nobody queues for the draft meanwhile
    if (s.status === 'draft' && control.action !== 'set_mode') throw new Problem(409, 'sale_not_published', 'publish the sale first');
    if (s.status === 'closed' && control.action !== 'message') throw new Problem(409, 'sale_closed', 'the sale is closed');
    const settings = await audited(deps.pg, audit(c, s.id, `control.${control.action}`, { control }, c.req.valid('header')['x-usher-reason']),
      () => applySaleControl(deps.redis, s.id, control));
    if (control.action === 'close') await deps.inventory.setOnSale(s.id, false);
    await recordSaleStatus(deps.pg, s.id, control.action);
    return c.json(settings, 200);
  });

  router.openapi(apiRoute({
    method: 'post', path: '/v1/admin/sales/{id}/access', summary: 'Presale: until when newcomers need an access code or an enqueue token, codes to add, the organiser\'s JWKS', tags, security,
    request: { params: idParams, headers: reasonHeaders, body: jsonBody(saleAccessSchema) },
    responses: { 200: jsonAnswer(saleAccessAnswerSchema, 'the presale now (codes counted, never shown)'), 409: { description: 'sale_not_published' } },
  }), async (c) => {
    const s = await sale(c.req.valid('param').id);
    const change = c.req.valid('json');
    if (s.status === 'draft') throw new Problem(409, 'sale_not_published', 'publish the sale first');
    // codes are never logged: the row keeps how many were added
    const { codes, ...rest } = change;
    const detail = { ...rest, ...(codes ? { codesAdded: codes.length } : {}) };
    return c.json(await audited(deps.pg, audit(c, s.id, 'access.change', detail, c.req.valid('header')['x-usher-reason']), () => applySaleAccess(deps.redis, s.id, change)), 200);
  });

  router.openapi(apiRoute({
    method: 'post', path: '/v1/admin/sales/{id}/schedule', summary: 'The timetable of live changes (add, remove; {} reads it), applied by the admission tick at their times', tags, security,
    request: { params: idParams, headers: reasonHeaders, body: jsonBody(scheduleChangeSchema) },
    responses: { 200: jsonAnswer(saleScheduleSchema, 'pending and recently applied changes'), 409: { description: 'sale_not_published, sale_closed, schedule_full' } },
  }), async (c) => {
    const s = await sale(c.req.valid('param').id);
    const change = c.req.valid('json');
    if (s.status === 'draft') throw new Problem(409, 'sale_not_published', 'publish the sale first');
    if (s.status === 'closed' && change.add?.length) throw new Problem(409, 'sale_closed', 'the sale is closed');
    const schedule = () => changeSaleSchedule(deps.redis, s.id, change);
    const changes = Object.values(change).some((v) => Array.isArray(v) ? v.length > 0 : v !== undefined);
    // `{}` only reads the timetable: nothing to record
    return c.json(changes ? await audited(deps.pg, audit(c, s.id, 'schedule.change', { change }, c.req.valid('header')['x-usher-reason']), schedule) : await schedule(), 200);
  });

  router.openapi(apiRoute({
    method: 'get', path: '/v1/admin/sales/{id}/stats', summary: 'Orders, tickets, revenue, refunds, per-section sales and the funnel', tags, security,
    request: { params: idParams },
    responses: { 200: jsonAnswer(saleStats, 'the statistics') },
  }), async (c) => {
    const s = await sale(c.req.valid('param').id);
    return c.json(await readSaleStats(deps.pg, deps.redis, s.id), 200);
  });

  // the fans' map (GET /v1/sales/{sale}/seat-map), a draft's too, for the console's preview; built on each call: a draft's venue may still change
  router.openapi(apiRoute({
    method: 'get', path: '/v1/admin/sales/{id}/seat-map', summary: "The sale's seat map as fans get it, drafts included (the console's preview)", tags, security,
    request: { params: idParams },
    responses: { 200: jsonAnswer(seatMapSchema, 'the compact seat map') },
  }), async (c) => {
    const s = await sale(c.req.valid('param').id);
    return c.json(buildSeatMap(await readMapSource(deps.pg, s.id, { drafts: true })), 200, { 'cache-control': 'no-store' });
  });

  router.openapi(apiRoute({
    method: 'get', path: '/v1/admin/sales/{id}/dashboard', summary: 'The live dashboard figures: queue, admission, shoppers, inventory, sales, latencies', tags, security,
    request: { params: idParams },
    responses: { 200: jsonAnswer(dashboardData, 'the figures now (not cached)') },
  }), async (c) => {
    const s = await sale(c.req.valid('param').id);
    return c.json(await deps.dashboard.read(s.id), 200, { 'cache-control': 'no-store' });
  });
  return router;
}
