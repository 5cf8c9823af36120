/**
 * Operator actions on one fan of a sale (issue #18 item 4) and the sale's audit log:
 *   GET  /v1/admin/sales/{id}/fans?visitor=|email=|order=   look a fan up
 *   POST /v1/admin/sales/{id}/fans/{visitor}/actions          revoke_pass, remove, ban, unban, with a reason
 *   GET  /v1/admin/sales/{id}/audit                           who did what, newest first, paged
 * The queue side is admission/fan-actions.ts (one script, atomic with joins, heard by every edge);
 * each action's audit row is written before it runs (admission/operator-audit.ts): an action that
 * cannot be recorded does not happen, and one that fails adds a `.failed` row.
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import {
  accountBan, applyFanAction, fanActionRecordSchema, fanActionSchema, readFan, setAccountBan, visitorsOfPasses, type FanActionRecord,
} from '../../admission/fan-actions.js';
import { audited, auditRowSchema, readOperatorAudit, reasonSchema, type OperatorActor } from '../../admission/operator-audit.js';
import { holderOf, passOf } from '../../admission/pass-holder.js';
import type { PgPool } from '../../common/postgres-pool.js';
import { Problem } from '../../common/problem.js';
import type { RedisClient } from '../../common/redis-connection.js';
import { makeHoldId, parseHoldId } from '../../inventory/hold-id.js';
import type { SeatInventory } from '../../inventory/inventory-api.js';
import { redisKeys } from '../../common/redis-keys.js';
import type { AuthEnv } from '../accounts/auth-middleware.js';
import { apiRoute, apiRouter, jsonAnswer, jsonBody } from '../api/api-route.js';
import { needs } from '../api/openapi-document.js';

export interface FanRouterDeps {
  pg: PgPool;
  redis: RedisClient;
  inventory: Pick<SeatInventory, 'getHold' | 'release'>;
}

const tags = ['admin: fans'];
const security = needs('admin');
const visitorIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, 'a visitor id is 1-128 letters, digits, - or _');
const saleParams = z.object({ id: z.uuid() });
const fanParams = saleParams.extend({ visitor: visitorIdSchema });

const lookupQuery = z.object({
  visitor: visitorIdSchema.optional().describe('the visitor id (the `sub` of the fan\'s visitor token)'),
  email: z.email().max(320).optional().describe('an account e-mail, or the e-mail an order was placed with'),
  order: z.string().regex(/^USH-[0-9A-HJKMNP-TV-Z]{6}$/, 'an order number looks like USH-7K2M9Q').optional().describe('an order number'),
}).refine((q) => [q.visitor, q.email, q.order].filter((v) => v !== undefined).length === 1, { message: 'give exactly one of visitor, email, order' });

const recordView = fanActionRecordSchema.nullable();
const orderView = z.object({ id: z.string(), number: z.string().nullable(), status: z.string(), email: z.string(), userId: z.string().nullable() });
const fanView = z.object({
  visitorId: z.string(),
  state: z.enum(['none', 'prequeue', 'waiting', 'offer', 'admitted', 'done']).describe('`done`: had a turn (lease over); `none`: no place'),
  ticket: z.number().nullable(),
  passJti: z.string().nullable(),
  leaseActive: z.boolean(),
  banned: recordView,
  passRevoked: recordView,
  orders: z.array(orderView),
});
const lookupAnswer = z.object({
  fans: z.array(fanView),
  accounts: z.array(z.object({ id: z.string(), email: z.string(), banned: recordView })).describe('accounts matching an e-mail look-up'),
  /** orders found whose pass holder has no place left in the queue (e.g. after a removal) */
  unplacedOrders: z.array(orderView),
});

const actionBody = z.object({
  action: fanActionSchema,
  reason: reasonSchema,
  accountEmail: z.email().max(320).optional().describe('ban / unban: also bar (lift the bar on) this account in this sale, and ban every visitor whose orders here are that account\'s'),
}).strict();
const actionAnswer = z.object({
  visitorId: z.string(),
  action: fanActionSchema,
  before: z.string().describe('the place\'s state before the action'),
  revokedJti: z.string().nullable(),
  releasedHold: z.string().nullable().describe('the revoked pass\'s live hold, released: its seats are back on sale (a payment in flight for it is cancelled at commit)'),
  changed: z.boolean(),
  account: z.object({ id: z.string(), email: z.string() }).nullable(),
  alsoBanned: z.array(z.string()).describe('other visitors of the account, banned with it'),
});
const auditQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  before: z.string().regex(/^[1-9]\d{0,18}$/).optional().describe('the `nextBefore` of the previous page'),
  visitor: visitorIdSchema.optional(),
});
const auditAnswer = z.object({ entries: z.array(auditRowSchema), nextBefore: z.string().nullable() });

interface OrderRow { id: string; number: string | null; status: string; email: string; user_id: string | null }
const orderOut = (o: OrderRow) => ({ id: o.id, number: o.number, status: o.status, email: o.email, userId: o.user_id });
/** The pass (jti) behind an order: its id is the hold id `<sale>.<shard>.<holder>`. */
const passOfOrder = (o: OrderRow): string => passOf(parseHoldId(o.id).jti);

export function actorOf(user: { userId: string; email: string }): OperatorActor {
  return { id: user.userId, email: user.email };
}

export function createFanRouter(deps: FanRouterDeps): OpenAPIHono<AuthEnv> {
  const { pg, redis, inventory } = deps;
  const router = apiRouter<AuthEnv>();

  async function liveSale(id: string): Promise<{ shardCount: number }> {
    const { rows } = await pg.query<{ status: string; shard_count: number }>('SELECT status, shard_count FROM sales WHERE id = $1', [id]);
    if (!rows[0]) throw new Problem(404, 'sale_not_found', `no sale ${id}`);
    if (rows[0].status === 'draft') throw new Problem(409, 'sale_not_published', 'the sale has no queue until it is published');
    return { shardCount: rows[0].shard_count };
  }

  /**
   * The revoked pass's live hold goes back on sale: its holder is the pass's after its releases
   * (pass-holder.ts), on whichever shard placement found seats. Only a HELD hold is released: one
   * already claimed by its commit is left to finish. A payment started for a released hold is
   * cancelled when it arrives (the commit finds the hold lost), so no fan pays without a ticket.
   */
  async function releaseHoldOf(saleId: string, shardCount: number, jti: string): Promise<string | null> {
    const releases = Number((await redis.get(redisKeys.passReleases(saleId, jti))) ?? 0);
    const holder = holderOf(jti, releases);
    for (let shard = 0; shard < shardCount; shard++) {
      const holdId = makeHoldId(saleId, shard, holder);
      const hold = await inventory.getHold(holdId);
      if (hold?.state === 'HELD') return (await inventory.release(holdId)) === 'released' ? holdId : null;
    }
    return null;
  }

  async function ordersOfPasses(saleId: string, jtis: string[]): Promise<OrderRow[]> {
    if (jtis.length === 0) return [];
    const { rows } = await pg.query<OrderRow>(
      `SELECT id, number, status, email, user_id::text AS user_id FROM orders
        WHERE sale_id = $1 AND regexp_replace(split_part(id, '.', 3), '-r[0-9]+$', '') = ANY($2::text[])`, [saleId, jtis]);
    return rows;
  }

  async function viewOf(saleId: string, visitorId: string, orders?: OrderRow[]) {
    const fan = await readFan(redis, saleId, visitorId);
    const place = fan.place;
    const jti = place?.state === 'admitted' ? place.jti : null;
    const state = !place ? 'none' : place.state === 'admitted' && !fan.leaseActive ? 'done' : place.state;
    const ticket = place && (place.state === 'waiting' || place.state === 'offer') ? place.ticket : null;
    return {
      visitorId, state, ticket, passJti: jti, leaseActive: fan.leaseActive, banned: fan.banned, passRevoked: fan.revoked,
      orders: (orders ?? (jti ? await ordersOfPasses(saleId, [jti]) : [])).map(orderOut),
    } as const;
  }

  async function accountsByEmail(email: string): Promise<{ id: string; email: string }[]> {
    const { rows } = await pg.query<{ id: string; email: string }>('SELECT id::text AS id, email FROM users WHERE lower(email) = lower($1)', [email]);
    return rows;
  }

  /** Visitors (with their orders) behind these orders; orders whose holder has no place left are returned apart. */
  async function fansOfOrders(saleId: string, orders: OrderRow[]) {
    const byPass = new Map<string, OrderRow[]>();
    for (const o of orders) byPass.set(passOfOrder(o), [...(byPass.get(passOfOrder(o)) ?? []), o]);
    const visitors = await visitorsOfPasses(redis, saleId, [...byPass.keys()]);
    const fans = [];
    const unplaced: OrderRow[] = [];
    for (const [jti, os] of byPass) {
      const visitor = visitors.get(jti);
      if (visitor) fans.push(await viewOf(saleId, visitor, os));
      else unplaced.push(...os);
    }
    return { fans, unplaced: unplaced.map(orderOut) };
  }

  router.openapi(apiRoute({
    method: 'get', path: '/v1/admin/sales/{id}/fans', summary: 'Look a fan up by visitor id, account e-mail or order number: their place, pass, bans and orders', tags, security,
    request: { params: saleParams, query: lookupQuery },
    responses: { 200: jsonAnswer(lookupAnswer, 'the fans found (none: an empty list)'), 409: { description: 'sale_not_published' } },
  }), async (c) => {
    const { id } = c.req.valid('param');
    const q = c.req.valid('query');
    await liveSale(id);
    if (q.visitor) return c.json({ fans: [await viewOf(id, q.visitor)], accounts: [], unplacedOrders: [] }, 200);
    if (q.order) {
      const { rows } = await pg.query<OrderRow>(`SELECT id, number, status, email, user_id::text AS user_id FROM orders WHERE sale_id = $1 AND number = $2`, [id, q.order]);
      const { fans, unplaced } = await fansOfOrders(id, rows);
      return c.json({ fans, accounts: [], unplacedOrders: unplaced }, 200);
    }
    const accounts = await accountsByEmail(q.email!);
    const { rows } = await pg.query<OrderRow>(
      `SELECT id, number, status, email, user_id::text AS user_id FROM orders
        WHERE sale_id = $1 AND (lower(email) = lower($2) OR user_id = ANY($3::uuid[])) ORDER BY created_at LIMIT 100`,
      [id, q.email, accounts.map((a) => a.id)]);
    const { fans, unplaced } = await fansOfOrders(id, rows);
    const withBans = await Promise.all(accounts.map(async (a) => ({ ...a, banned: await accountBan(redis, id, a.id) })));
    return c.json({ fans, accounts: withBans, unplacedOrders: unplaced }, 200);
  });

  router.openapi(apiRoute({
    method: 'post', path: '/v1/admin/sales/{id}/fans/{visitor}/actions',
    summary: 'Act on one fan, with a reason (audited): revoke_pass (holds and checkout refused at once), remove from the queue, ban (visitor, optionally account; future joins refused on every edge), unban',
    description: 'The fan\'s sockets on every edge are told `removed` and closed. The audit row is written first: nothing changes if it cannot be; a refused action adds a `fan.<action>.failed` row.',
    tags, security,
    request: { params: fanParams, body: jsonBody(actionBody) },
    responses: {
      200: jsonAnswer(actionAnswer, 'what changed'),
      404: { description: 'sale_not_found, not_in_queue (remove), account_not_found' },
      409: { description: 'sale_not_published, no_pass, pass_not_active (revoke_pass)' },
      422: { description: 'validation_failed (accountEmail only with ban / unban)' },
    },
  }), async (c) => {
    const { id, visitor } = c.req.valid('param');
    const body = c.req.valid('json');
    const actor = actorOf(c.get('user'));
    const { shardCount } = await liveSale(id);
    if (body.accountEmail && body.action !== 'ban' && body.action !== 'unban') {
      throw new Problem(422, 'validation_failed', 'invalid body: accountEmail: only with ban or unban', { errors: [{ path: 'accountEmail', message: 'only with ban or unban' }] });
    }
    let account: { id: string; email: string } | null = null;
    let others: string[] = [];
    if (body.accountEmail) {
      account = (await accountsByEmail(body.accountEmail))[0] ?? null;
      if (!account) throw new Problem(404, 'account_not_found', `no account ${body.accountEmail}`);
      if (body.action === 'ban') {
        const { rows } = await pg.query<OrderRow>(`SELECT id, number, status, email, user_id::text AS user_id FROM orders WHERE sale_id = $1 AND user_id = $2`, [id, account.id]);
        const visitors = await visitorsOfPasses(redis, id, [...new Set(rows.map(passOfOrder))]);
        others = [...new Set(visitors.values())].filter((v) => v !== visitor);
      }
    }
    const record: FanActionRecord = { by: actor.id, byEmail: actor.email, reason: body.reason, at: Date.now() };
    // what the fan was just before, for the record (the script's own answer may differ if they moved on meanwhile)
    const seen = await viewOf(id, visitor, []);
    const entry = {
      saleId: id, actor, via: 'api' as const, action: `fan.${body.action}`, visitorId: visitor, accountId: account?.id ?? null, reason: body.reason,
      detail: { state: seen.state, passJti: seen.passJti, ...(others.length ? { alsoBanned: others } : {}) },
    };
    const done = await audited(pg, entry, async () => {
      const r = await applyFanAction(redis, id, visitor, body.action, record);
      if (account) await setAccountBan(redis, id, account.id, body.action === 'ban' ? record : null);
      for (const other of others) await applyFanAction(redis, id, other, 'ban', record);
      return r;
    });
    // after the commit: the pass is dead either way, its seats should not wait for the hold's deadline
    const releasedHold = done.revokedJti ? await releaseHoldOf(id, shardCount, done.revokedJti) : null;
    return c.json({ visitorId: visitor, action: body.action, before: done.before, revokedJti: done.revokedJti, releasedHold, changed: done.changed, account, alsoBanned: others }, 200);
  });

  router.openapi(apiRoute({
    method: 'get', path: '/v1/admin/sales/{id}/audit', summary: 'The sale\'s operator audit log, newest first: who did what, to whom, why, when (append-only)', tags, security,
    request: { params: saleParams, query: auditQuery },
    responses: { 200: jsonAnswer(auditAnswer, 'a page of entries; `nextBefore` fetches the next (older) page') },
  }), async (c) => {
    const { id } = c.req.valid('param');
    const q = c.req.valid('query');
    const { rows } = await pg.query('SELECT 1 FROM sales WHERE id = $1', [id]);
    if (!rows[0]) throw new Problem(404, 'sale_not_found', `no sale ${id}`);
    return c.json(await readOperatorAudit(pg, id, { limit: q.limit, before: q.before, visitorId: q.visitor }), 200, { 'cache-control': 'no-store' });
  });

  return router;
}
