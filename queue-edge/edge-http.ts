/**
 * The edge's HTTP API: the JWKS of admission passes, visitor tokens, the status fallback for
 * clients without WebSocket (GET status, POST join / take: the same queue as the socket), and the
 * organiser's live controls (admin bearer).
 */
import type { TemplatedApp, HttpResponse, HttpRequest } from 'uWebSockets.js';
import { z } from 'zod';
import { Problem } from '../common/problem.js';
import { isAdmin } from '../access/access-token.js';
import { applySaleControl, saleControlSchema } from '../admission/sale-controls.js';
import { queueKeys } from '../admission/queue-keys.js';
import { type EdgeCore, admitJoin, takeOffer } from './edge-core.js';
import { replyTo, readBody, runRoute, bearerOf, clientIp, type Reply } from './http-reply.js';
import { saleIdSchema, checkoutUrl } from './edge-protocol.js';
import { storedPlace, type Place } from './visitor-place.js';
import { VisitorTokenError } from './visitor-token.js';
import { etaRangeS } from './eta-estimator.js';

const joinBodySchema = z.strictObject({ nonce: z.string().max(32).optional() });
/** visitors and take read nothing from the body: an empty one, or `{}` */
const noBodySchema = z.strictObject({});

interface Request {
  sale: string;
  authorization: string;
  ip: string;
}

/** `body`: the whole request body, already within EDGE_BODY_LIMIT_BYTES (null for a GET). */
type Route = (core: EdgeCore, reply: Reply, request: Request, body: Buffer | null) => Promise<void>;

async function visitorOf(core: EdgeCore, authorization: string): Promise<string> {
  try {
    return await core.visitors.verify(bearerOf(authorization));
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

function placeBody(core: EdgeCore, saleId: string, place: Place | null): Record<string, unknown> {
  if (!place) return { place: 'none' };
  switch (place.state) {
    case 'prequeue': return { place: 'prequeue' };
    case 'waiting': return { place: 'waiting', ticket: place.ticket };
    case 'offer': return { place: 'offer', ticket: place.ticket, offerDeadline: place.deadline };
    case 'admitted': return { place: 'admitted', pass: place.pass, exp: place.exp, checkoutUrl: checkoutUrl(core.config.http.publicApiUrl, saleId, place.pass) };
    case 'done': return { place: 'done' };
  }
}

/** GET status: the visitor's place and the sale's counters from this edge's last tick; a poll keeps an HTTP client's place. */
const status: Route = async (core, reply, req) => {
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
  reply.json(200, {
    saleId, state: last?.state ?? 'prequeue', ...placeBody(core, saleId, place), ahead,
    etaS: ahead === null || !last || last.state !== 'open' ? null : etaRangeS(ahead, measured, last.ratePerMin),
    serving: last?.serving ?? 0, waiting: last?.waiting ?? 0, ratePerMin: last?.ratePerMin ?? 0, measuredPerMin: measured,
    message: last?.message ?? '', seed: last?.seed ?? '', at: last?.now ?? Date.now(),
  }, { 'cache-control': `private, max-age=${Math.max(1, Math.round(core.config.edge.tickMs / 1000))}` });
};

const join: Route = async (core, reply, req, body) => {
  const visitorId = await visitorOf(core, req.authorization);
  const { saleId, powDifficulty } = await knownSale(core, req.sale);
  const { nonce } = jsonBody(body, joinBodySchema);
  // HTTP has no per-connection challenge: the work is bound to this sale and visitor instead.
  await admitJoin(core, req.ip, `${saleId}:${visitorId}`, nonce, powDifficulty);
  await core.fans.room(saleId).ready;
  reply.json(200, placeBody(core, saleId, await core.store.join(saleId, visitorId, false)));
};

const take: Route = async (core, reply, req, body) => {
  const visitorId = await visitorOf(core, req.authorization);
  const { saleId } = await knownSale(core, req.sale);
  jsonBody(body, noBodySchema);
  reply.json(200, placeBody(core, saleId, await takeOffer(core, saleId, visitorId)));
};

const controls: Route = async (core, reply, req, body) => {
  if (!(await isAdmin(bearerOf(req.authorization), core.accessTokens, core.config.secrets.adminApiToken, core.denylist))) {
    throw new Problem(req.authorization ? 403 : 401, 'admin_required', 'an admin access token or the admin API token is required');
  }
  const control = jsonBody(body, saleControlSchema);
  const { saleId } = await knownSale(core, req.sale);
  reply.json(200, { saleId, settings: await applySaleControl(core.redis, saleId, control) });
};

/** Visitor tokens for new visitors, at most EDGE_JOINS_PER_IP_PER_MIN per address. */
const visitors: Route = async (core, reply, req, body) => {
  jsonBody(body, noBodySchema);
  if (!(await core.limits.allow('visitor', req.ip))) throw new Problem(429, 'too_many_visitors', 'too many new visitors from this address');
  reply.json(201, await core.visitors.issue(), { 'cache-control': 'no-store' });
};

/**
 * A uWS handler running `handler` with what it needs copied out of `req` first. A route that takes
 * a body gets all of it, within EDGE_BODY_LIMIT_BYTES, before it starts: an oversized body is
 * answered 413 as soon as it is known to be (its Content-Length, or a chunked body's running size),
 * and nothing else happens.
 */
function route(core: EdgeCore, handler: Route, withBody: boolean) {
  return (res: HttpResponse, req: HttpRequest): void => {
    const reply = replyTo(res);
    const request: Request = {
      sale: req.getParameter(0) ?? '',
      authorization: req.getHeader('authorization'),
      ip: clientIp(res, req.getHeader('x-forwarded-for'), core.config.http.trustProxy),
    };
    const body = withBody ? readBody(res, req.getHeader('content-length'), core.config.edge.bodyLimitBytes) : null;
    runRoute(reply, core.log, async () => handler(core, reply, request, body ? await body : null));
  };
}

export function mountEdgeHttp(app: TemplatedApp, core: EdgeCore): void {
  // Re-read per request: a rotation adds or retires keys without a restart. Caches may keep it no
  // longer than the API does (PASS_JWKS_MAX_AGE_S), or a retired key would outlive its retirement.
  const jwksCacheControl = `public, max-age=${core.config.pass.jwksMaxAgeS}`;
  app.get('/.well-known/jwks.json', (res) => {
    replyTo(res).json(200, core.passes.publicJwks, { 'cache-control': jwksCacheControl });
  });
  app.post('/v1/visitors', route(core, visitors, true));
  app.get('/v1/sales/:sale/status', route(core, status, false));
  app.post('/v1/sales/:sale/join', route(core, join, true));
  app.post('/v1/sales/:sale/take', route(core, take, true));
  app.post('/v1/sales/:sale/controls', route(core, controls, true));
}
