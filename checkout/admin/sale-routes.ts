/** Organiser routes for on-sales: create, publish (builds the Redis pools), live controls, statistics, dashboard data. */
import { Hono } from 'hono';
import { z } from 'zod';
import { applySaleControl, initSaleSettingsFromPostgres, saleControlSchema } from '../../admission/sale-controls.js';
import { inTransaction, type PgPool } from '../../common/postgres-pool.js';
import type { RedisClient } from '../../common/redis-connection.js';
import { Problem } from '../../common/problem.js';
import type { SeatInventory } from '../../inventory/inventory-api.js';
import { jsonBody, pathOf } from '../accounts/http-input.js';
import { readSaleStats } from './sale-stats.js';
import type { DashboardReader } from './dashboard-data.js';

const at = z.iso.datetime({ offset: true });
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
}).strict()
  .refine((s) => Date.parse(s.prequeueOpensAt) <= Date.parse(s.opensAt), { message: 'the pre-queue must open no later than the sale', path: ['prequeueOpensAt'] })
  .refine((s) => Date.parse(s.opensAt) < Date.parse(s.closesAt), { message: 'the sale must open before it closes', path: ['closesAt'] });
const idPath = z.object({ id: z.uuid() });

export interface SaleRouterDeps {
  pg: PgPool;
  redis: RedisClient;
  inventory: Pick<SeatInventory, 'publish' | 'setOnSale' | 'availability'>;
  dashboard: DashboardReader;
}

interface SaleRow { id: string; event_id: string; status: string; event_status: string; opens_at: Date; closes_at: Date; prequeue_opens_at: Date; admission_rate_per_min: number; max_active_shoppers: number }

export function createSaleRouter(deps: SaleRouterDeps): Hono {
  const router = new Hono();
  const sale = async (id: string): Promise<SaleRow> => {
    const { rows } = await deps.pg.query<SaleRow>('SELECT s.*, e.status AS event_status, e.title AS event_title FROM sales s JOIN events e ON e.id = s.event_id WHERE s.id = $1', [id]);
    if (!rows[0]) throw new Problem(404, 'sale_not_found', `no sale ${id}`);
    return rows[0];
  };

  router.get('/v1/admin/sales', async (c) => {
    const { rows } = await deps.pg.query(`SELECT s.id, s.event_id, e.title, s.status, s.opens_at, s.closes_at FROM sales s JOIN events e ON e.id = s.event_id ORDER BY s.opens_at DESC LIMIT 500`);
    return c.json({ sales: rows });
  });

  router.post('/v1/admin/sales', async (c) => {
    const b = await jsonBody(c, createSchema);
    const id = await inTransaction(deps.pg, async (client) => {
      const event = await client.query<{ status: string }>('SELECT status FROM events WHERE id = $1 FOR SHARE', [b.eventId]);
      if (!event.rows[0]) throw new Problem(422, 'unknown_event', `no event ${b.eventId}`);
      if (event.rows[0].status === 'cancelled' || event.rows[0].status === 'completed') throw new Problem(409, `event_${event.rows[0].status}`, `the event is ${event.rows[0].status}`);
      const { rows } = await client.query<{ id: string }>(
        `INSERT INTO sales (event_id, prequeue_opens_at, opens_at, closes_at, admission_rate_per_min, max_active_shoppers, hold_seconds, payment_grace_seconds, per_fan_limit, shard_count)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
        [b.eventId, b.prequeueOpensAt, b.opensAt, b.closesAt, b.admissionRatePerMin, b.maxActiveShoppers, b.holdSeconds, b.paymentGraceSeconds, b.perFanLimit, b.shardCount]);
      return rows[0]!.id;
    });
    return c.json(await sale(id), 201);
  });

  router.get('/v1/admin/sales/:id', async (c) => c.json(await sale(pathOf(c, idPath).id)));

  // Idempotent: the inventory's publish adds nothing the second time and HSETNX keeps live settings.
  router.post('/v1/admin/sales/:id/publish', async (c) => {
    const s = await sale(pathOf(c, idPath).id);
    if (s.event_status !== 'published') throw new Problem(409, 'event_not_published', `publish the event first (it is ${s.event_status})`);
    if (s.status === 'closed') throw new Problem(409, 'sale_closed', 'the sale is closed');
    const pools = await deps.inventory.publish(s.id);
    await initSaleSettingsFromPostgres(deps.redis, deps.pg, s.id);
    await deps.pg.query(
      `UPDATE sales SET status = CASE WHEN opens_at <= now() THEN 'open' ELSE 'published' END, published_at = coalesce(published_at, now())
       WHERE id = $1 AND status = 'draft'`, [s.id]);
    return c.json({ ...pools, sale: await sale(s.id) });
  });

  router.post('/v1/admin/sales/:id/controls', async (c) => {
    const s = await sale(pathOf(c, idPath).id);
    const control = await jsonBody(c, saleControlSchema);
    if (s.status === 'draft') throw new Problem(409, 'sale_not_published', 'publish the sale first');
    if (s.status === 'closed' && control.action !== 'message') throw new Problem(409, 'sale_closed', 'the sale is closed');
    const settings = await applySaleControl(deps.redis, s.id, control);
    if (control.action === 'close') {
      await deps.inventory.setOnSale(s.id, false);
      await deps.pg.query(`UPDATE sales SET status = 'closed' WHERE id = $1`, [s.id]);
    } else if (control.action === 'pause') {
      await deps.pg.query(`UPDATE sales SET status = 'paused' WHERE id = $1 AND status = 'open'`, [s.id]);
    } else if (control.action === 'resume') {
      await deps.pg.query(`UPDATE sales SET status = 'open' WHERE id = $1 AND status = 'paused'`, [s.id]);
    }
    return c.json(settings);
  });

  router.get('/v1/admin/sales/:id/stats', async (c) => {
    const s = await sale(pathOf(c, idPath).id);
    return c.json(await readSaleStats(deps.pg, deps.redis, s.id));
  });

  router.get('/v1/admin/sales/:id/dashboard', async (c) => {
    const s = await sale(pathOf(c, idPath).id);
    return c.json(await deps.dashboard.read(s.id), 200, { 'cache-control': 'no-store' });
  });
  return router;
}
