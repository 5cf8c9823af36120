/**
 * The edge's HTTP API: the JWKS of admission passes, visitor tokens, the status fallback for
 * clients without WebSocket (GET status, POST join / take: the same queue as the socket), and the
 * organiser's live controls (admin bearer).
 */
import type { TemplatedApp, HttpResponse, HttpRequest } from 'uWebSockets.js';
import type { z } from 'zod';
import { Problem } from '../common/problem.js';
import { operatorOf } from '../access/account-roles.js';
import { audited, type AuditEntry } from '../admission/operator-audit.js';
import { applySaleControl, recordSaleStatus, type SaleControl } from '../admission/sale-controls.js';
import { InventoryError, setOnSaleFlag } from '../inventory/index.js';
import { queueKeys } from '../admission/queue-keys.js';
import { type EdgeCore, admitJoin, takeOffer } from './edge-core.js';
import { replyTo, readBody, runRoute, clientIp, type Reply } from './http-reply.js';
import { bearerToken } from '../common/bearer-token.js';
import { checkoutUrl } from './edge-protocol.js';
import { storedPlace, type Place } from '../admission/visitor-place.js';
import { VisitorTokenError } from './visitor-token.js';
import { etaRangeS } from './eta-estimator.js';
import { readDrawRecord } from './draw-record.js';
import { problems, type EdgeRouteDoc } from './edge-openapi.js';
import {
  controlsResponseSchema, drawRecordSchema, jwksResponseSchema, joinBodySchema, noBodySchema, placeResponseSchema, saleControlSchema, saleIdSchema,
  salePageResponseSchema, statusResponseSchema, visitorTokenResponseSchema, type ControlsResponse, type PlaceResponse, type SalePageResponse, type StatusResponse,
} from './edge-http-schemas.js';

interface Request {
  sale: string;
  authorization: string;
  /** `X-Usher-Reason` (controls: kept in the audit log) */
  reason: string;
  ip: string;
}

/**
 * One route, declared once: its document (with the schemas it validates with) and its handler.
 * `body()` parses the request body with `doc.body`, when the handler chooses (after its auth
 * check: a request that may not be made learns nothing about its body).
 */
interface EdgeHttpRoute<B> {
  doc: EdgeRouteDoc & { body?: z.ZodType<B> };
  handler: (core: EdgeCore, reply: Reply, request: Request, body: () => B) => Promise<void>;
}

/** Erases the body type, so routes of every body type sit in one table. */
const defineRoute = <B>(r: EdgeHttpRoute<B>): EdgeHttpRoute<unknown> => r as EdgeHttpRoute<unknown>;

async function visitorOf(core: EdgeCore, authorization: string): Promise<string> {
  try {
    return await core.visitors.verify(bearerToken(authorization));
  } catch (err) {
    if (err instanceof VisitorTokenError) throw new Problem(401, `visitor_token_${err.reason}`, err.message);
    throw err;
  }
}

async function knownSale(core: EdgeCore, raw: string): Promise<{ saleId: string; powDifficulty: number }> {
  const sale = saleIdSchema.safeParse(raw);
  if (!sale.success) throw new Problem(400, 'bad_sale_id', sale.error.issues[0]?.message);
  const info = await core.sales.lookup(sale.data);
  if (!info) throw new Problem(404, 'unknown_sale', 'there is no such sale');
  return { saleId: sale.data, ...info };
}

function jsonBody<T>(body: Buffer | null, schema: z.ZodType<T>): T {
  const raw = body ? body.toString('utf8') : '';
  let value: unknown;
  try {
    value = raw.trim() === '' ? {} : JSON.parse(raw);
  } catch {
    throw new Problem(400, 'bad_json', 'the body is not JSON');
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new Problem(422, 'invalid_body', 'the body does not match the schema', {
      errors: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    });
  }
  return parsed.data;
}

function placeBody(core: EdgeCore, saleId: string, place: Place | null): PlaceResponse {
  if (!place) return { place: 'none' };
  switch (place.state) {
    case 'prequeue': return { place: 'prequeue' };
    case 'waiting': return { place: 'waiting', ticket: place.ticket };
    case 'offer': return { place: 'offer', ticket: place.ticket, offerDeadline: place.deadline };
    case 'admitted': return { place: 'admitted', pass: place.pass, exp: place.exp, checkoutUrl: checkoutUrl(core.config.http.publicApiUrl, saleId, place.pass) };
    case 'done': return { place: 'done' };
  }
}

const saleParam = { sale: saleIdSchema };

/** GET status: the visitor's place and the sale's counters from this edge's last tick; a poll keeps an HTTP client's place. */
const status = defineRoute({
  doc: {
    method: 'get', path: '/v1/sales/:sale/status', tag: 'queue', security: 'visitor', params: saleParam,
    summary: "the visitor's place and the sale's counters (the fallback for clients without WebSocket)",
    description: 'Counters from this edge\'s last tick; `Cache-Control: private, max-age=<tick>`. A poll keeps an HTTP client\'s place as an open socket would.',
    responses: { 200: { description: 'place and counters', schema: statusResponseSchema }, ...problems(400, 401, 404, 503) },
  },
  async handler(core, reply, req) {
    const visitorId = await visitorOf(core, req.authorization);
    const { saleId } = await knownSale(core, req.sale);
    const k = queueKeys(saleId);
    const answers = (await core.redis.multi().hget(k.visitors, visitorId).zadd(k.disconnected, 'XX', Date.now(), visitorId).zrank(k.waiting, visitorId).exec()) ?? [];
    const raw = answers[0]?.[1];
    const rank = answers[2]?.[1];
    const place = typeof raw === 'string' ? storedPlace(raw) : null;
    const room = core.fans.room(saleId);
    if (!room.last) await core.tickNow(saleId);
    const last = room.last;
    const measured = room.meter.rangePerMin();
    const ahead = typeof rank === 'number' ? rank : null;
    const body: StatusResponse = {
      saleId, state: last?.state ?? 'prequeue', ...placeBody(core, saleId, place), ahead,
      etaS: ahead === null || !last || last.state !== 'open' ? null : etaRangeS(ahead, measured, last.ratePerMin),
      serving: last?.serving ?? 0, waiting: last?.waiting ?? 0, ratePerMin: last?.ratePerMin ?? 0, measuredPerMin: measured,
      message: last?.message ?? '', seed: last?.seed ?? '', at: last?.now ?? Date.now(),
    };
    reply.json(200, body, { 'cache-control': `private, max-age=${Math.max(1, Math.round(core.config.edge.tickMs / 1000))}` });
  },
});

const join = defineRoute({
  doc: {
    method: 'post', path: '/v1/sales/:sale/join', tag: 'queue', security: 'visitor', params: saleParam, body: joinBodySchema,
    summary: 'join the queue (the same queue as the socket; joining twice keeps the place)',
    responses: { 200: { description: 'the place', schema: placeResponseSchema }, ...problems(400, 401, 403, 404, 409, 410, 413, 422, 429, 503) },
  },
  async handler(core, reply, req, body) {
    const visitorId = await visitorOf(core, req.authorization);
    const { saleId, powDifficulty } = await knownSale(core, req.sale);
    const { nonce, ...brought } = body();
    // HTTP has no per-connection challenge: the work is bound to this sale and visitor instead.
    await admitJoin(core, req.ip, `${saleId}:${visitorId}`, nonce, powDifficulty);
    await core.fans.room(saleId).ready;
    const credential = await core.presale.of(saleId, brought);
    reply.json(200, placeBody(core, saleId, await core.store.join(saleId, visitorId, false, credential)));
  },
});

const take = defineRoute({
  doc: {
    method: 'post', path: '/v1/sales/:sale/take', tag: 'queue', security: 'visitor', params: saleParam, body: noBodySchema,
    summary: 'take the offer: the admission pass, as `admitted`',
    responses: { 200: { description: 'the place, `admitted` with the pass when an offer was open', schema: placeResponseSchema }, ...problems(400, 401, 404, 409, 410, 413, 422, 503) },
  },
  async handler(core, reply, req, body) {
    const visitorId = await visitorOf(core, req.authorization);
    const { saleId } = await knownSale(core, req.sale);
    body();
    reply.json(200, placeBody(core, saleId, await takeOffer(core, saleId, visitorId)));
  },
});

const controls = defineRoute({
  doc: {
    method: 'post', path: '/v1/sales/:sale/controls', tag: 'controls', security: 'admin', params: saleParam, body: saleControlSchema,
    summary: "change a sale's queue live (rate, maximum shoppers, pause, resume, close, message)",
    description: 'Effective at the next tick on every edge (the publish makes each edge tick at once). A close also stops new holds on every shard of the sale, and pause, resume and close are recorded on the sale (when the edge has PostgreSQL), as through the API. An optional `X-Usher-Reason` header is kept with the change in the operator audit log (when the edge has PostgreSQL).',
    responses: { 200: { description: 'the settings now in force', schema: controlsResponseSchema }, ...problems(400, 401, 403, 404, 413, 422, 503) },
  },
  async handler(core, reply, req, body) {
    const auth = { tokens: core.accessTokens, adminApiToken: core.config.secrets.adminApiToken, denylist: core.denylist, roles: core.roles };
    const operator = await operatorOf(bearerToken(req.authorization), auth);
    if (!operator) {
      throw new Problem(req.authorization ? 403 : 401, 'admin_required', 'an admin access token or the admin API token is required');
    }
    const control = body();
    const { saleId } = await knownSale(core, req.sale);
    const entry = { saleId, actor: { id: operator.userId, email: operator.email }, via: 'edge' as const, action: `control.${control.action}`, reason: req.reason || null, detail: { control } };
    const settings = await auditedAtEdge(core, entry, () => applySaleControl(core.redis, saleId, control));
    await followStatus(core, saleId, control.action);
    const answer: ControlsResponse = { saleId, settings };
    reply.json(200, answer);
  },
});

/**
 * A close stops selling as the API's close does: every shard refuses new holds (Redis, so it takes
 * effect with the queue's close even when PostgreSQL is out), and the sale's row says so when this
 * edge has PostgreSQL; when it has not or the row cannot be written, the error log says so and a
 * close through the API (idempotent) records it. A queue with no inventory (not published) has no
 * shards to switch off.
 */
async function followStatus(core: EdgeCore, saleId: string, action: SaleControl['action']): Promise<void> {
  if (action === 'close') {
    await setOnSaleFlag(core.redis, saleId, false).catch((err: unknown) => {
      if (!(err instanceof InventoryError && err.code === 'unknown_sale')) throw err;
    });
  }
  if (action !== 'close' && action !== 'pause' && action !== 'resume') return;
  if (!core.pg) {
    core.log.warn({ saleId, action }, 'sale status not recorded: this edge has no PostgreSQL; repeat the control through the API');
    return;
  }
  await recordSaleStatus(core.pg, saleId, action).catch((err: unknown) => core.log.error({ err, saleId, action }, 'sale status not recorded: PostgreSQL refused it; repeat the control through the API'));
}

/**
 * The edge's controls are the operator's path that needs Redis only (pause during an incident), so
 * their audit row is written like the API's (row first: admission/operator-audit.ts)
 * when PostgreSQL takes it, and when it cannot (no PostgreSQL here, unreachable, not migrated) the
 * control still applies and the whole entry goes to the error log, to be recovered from there.
 */
async function auditedAtEdge<T>(core: EdgeCore, entry: AuditEntry, apply: () => Promise<T>): Promise<T> {
  if (!core.pg) {
    core.log.warn({ audit: entry }, 'sale control not audited: this edge has no PostgreSQL');
    return apply();
  }
  let started = false;
  try {
    return await audited(core.pg, entry, () => {
      started = true;
      return apply();
    });
  } catch (err) {
    if (started) throw err; // the control itself failed (Redis), and that is recorded
    core.log.error({ err, audit: entry }, 'sale control applied without its audit row: PostgreSQL refused it');
    return apply();
  }
}

/** Visitor tokens for new visitors, at most EDGE_JOINS_PER_IP_PER_MIN per address. */
const visitors = defineRoute({
  doc: {
    method: 'post', path: '/v1/visitors', tag: 'visitors', body: noBodySchema,
    summary: 'a new visitor token (at most EDGE_JOINS_PER_IP_PER_MIN per address)',
    responses: { 201: { description: 'the token; `Cache-Control: no-store`', schema: visitorTokenResponseSchema }, ...problems(413, 422, 429, 503) },
  },
  async handler(core, reply, req, body) {
    body();
    if (!(await core.limits.allow('visitor', req.ip))) throw new Problem(429, 'too_many_visitors', 'too many new visitors from this address');
    reply.json(201, await core.visitors.issue(), { 'cache-control': 'no-store' });
  },
});

const jwks = defineRoute({
  doc: {
    method: 'get', path: '/.well-known/jwks.json', tag: 'passes',
    summary: 'the public keys of admission passes (pending, signing and previous)',
    description: 'Read per request: a rotation adds or retires keys without a restart. `Cache-Control: max-age=PASS_JWKS_MAX_AGE_S`.',
    responses: { 200: { description: 'JWK set', schema: jwksResponseSchema } },
  },
  async handler(core, reply) {
    // Caches may keep it no longer than the API does (PASS_JWKS_MAX_AGE_S), or a retired key would outlive its retirement.
    reply.json(200, core.passes.publicJwks, { 'cache-control': `public, max-age=${core.config.pass.jwksMaxAgeS}` });
  },
});

/** The opening draw as published: no auth, no identities; immutable once revealed. */
const draw = defineRoute({
  doc: {
    method: 'get', path: '/v1/sales/:sale/draw', tag: 'queue', params: saleParam,
    summary: "the opening draw's public record: count and commitment at the close, then beacon, seed and hashed list",
    description: 'Everything `npm run verify:draw` needs to recompute every position (README: A draw anyone can verify). `Cache-Control: immutable` once revealed; CORS open.',
    responses: { 200: { description: 'the draw record', schema: drawRecordSchema }, ...problems(400, 404, 503) },
  },
  async handler(core, reply, req) {
    const { saleId } = await knownSale(core, req.sale);
    const record = await readDrawRecord(core.redis, saleId);
    reply.json(200, record, { 'cache-control': record.state === 'revealed' ? 'public, max-age=3600, immutable' : 'no-cache', 'access-control-allow-origin': '*' });
  },
});

/** The event, pre-queue and branding the waiting-room page shows: public, cached 30 s (sale-pages.ts). */
const salePage = defineRoute({
  doc: {
    method: 'get', path: '/v1/sales/:sale/page', tag: 'pages', params: saleParam,
    summary: "what the waiting-room page shows about its sale: the event's name, date and venue, whether there was a pre-queue, the branding",
    description: '`Cache-Control: public, max-age=30`; read from PostgreSQL at most once per sale every 30 s per edge process.',
    responses: { 200: { description: 'the sale as its pages show it', schema: salePageResponseSchema }, ...problems(400, 404, 503) },
  },
  async handler(core, reply, req) {
    const { saleId } = await knownSale(core, req.sale);
    const { page, hadPrequeue, branding } = await core.pages.about(saleId);
    const site = core.config.http.publicApiUrl;
    const body: SalePageResponse = {
      saleId, hadPrequeue, branding,
      event: page ? { id: page.eventId, title: page.title, startsAt: page.startsAt, venue: page.venue } : null,
      links: { events: `${site}/`, orders: `${site}/orders`, event: page ? `${site}/events/${encodeURIComponent(page.eventId)}` : null },
    };
    reply.json(200, body, { 'cache-control': 'public, max-age=30' });
  },
});

const routes = [jwks, visitors, status, join, take, controls, draw, salePage];

/** What mountEdgeHttp serves, for the edge's OpenAPI document. */
export const edgeHttpDocs: readonly EdgeRouteDoc[] = routes.map((r) => r.doc);

/**
 * A uWS handler running the route with what it needs copied out of `req` first. A route that takes
 * a body gets all of it, within EDGE_BODY_LIMIT_BYTES, before it starts: an oversized body is
 * answered 413 as soon as it is known to be (its Content-Length, or a chunked body's running size),
 * and nothing else happens.
 */
function uwsHandler(core: EdgeCore, r: EdgeHttpRoute<unknown>) {
  const schema = r.doc.body;
  return (res: HttpResponse, req: HttpRequest): void => {
    const reply = replyTo(res);
    const request: Request = {
      sale: req.getParameter(0) ?? '',
      authorization: req.getHeader('authorization'),
      reason: req.getHeader('x-usher-reason').slice(0, 500),
      ip: clientIp(res, req.getHeader('x-forwarded-for'), core.config.http.trustProxy),
    };
    const body = schema ? readBody(res, req.getHeader('content-length'), core.config.edge.bodyLimitBytes) : null;
    runRoute(reply, core.log, async () => {
      const raw = body ? await body : null;
      await r.handler(core, reply, request, () => (schema ? jsonBody(raw, schema) : undefined));
    });
  };
}

export function mountEdgeHttp(app: TemplatedApp, core: EdgeCore): void {
  for (const r of routes) app[r.doc.method](r.doc.path, uwsHandler(core, r));
}
