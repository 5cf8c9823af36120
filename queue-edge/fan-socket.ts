/**
 * The fan's WebSocket (`/v1/sales/:sale/ws`). Upgrade checks (drain, sale id, origin, per-address
 * connect limit, the sale exists) run async with `onAborted` registered first and the headers copied
 * out of `req` before the first await. After `hello`, the fan sends `join` with its visitor token
 * (and proof of work when the sale asks for it); then `take` for an offer and `rank` on demand.
 */
import type { TemplatedApp, WebSocketBehavior, HttpResponse, HttpRequest, us_socket_context_t } from 'uWebSockets.js';
import { Problem, PROBLEM_CONTENT_TYPE } from '../common/problem.js';
import { type EdgeCore, admitJoin, takeOffer, joinMessages, placeMessage, track } from './edge-core.js';
import { SpanKind, contextFrom, traceparentOf, withSpan } from '../common/tracing.js';
import { type FanData, type FanSocket, sendTo } from './fan-registry.js';
import { decodeClientMessage, removalDetail, REMOVED_CLOSE_CODE, saleIdSchema, type ClientMessage } from './edge-protocol.js';
import { replyTo, runRoute, clientIp } from './http-reply.js';
import { newChallenge } from './proof-of-work.js';
import { edgeProblemOf, internalProblem } from './edge-problems.js';
import { VisitorTokenError } from './visitor-token.js';
import { edgeMetrics } from './edge-metrics.js';
import { problems, type EdgeRouteDoc } from './edge-openapi.js';
import { queueKeys } from '../admission/queue-keys.js';
import { socketCapacity } from './open-files.js';

const JOIN_WITHIN_MS = 15_000;
const RANK_EVERY_MS = 1000;
/** When a socket last asked for its rank: few fans ever do, so not a field on every socket. */
const rankAskedAt = new WeakMap<FanSocket, number>();

function fail(ws: FanSocket, core: EdgeCore, err: unknown): void {
  if (err instanceof VisitorTokenError) {
    sendTo(ws, { v: 1, type: 'error', code: `visitor_token_${err.reason}`, detail: err.message });
    if (!ws.getUserData().closed) ws.cork(() => ws.end(4401, 'visitor token refused'));
    return;
  }
  const problem = edgeProblemOf(err);
  if (!problem) core.log.error({ err }, 'fan message failed');
  const { code, message } = problem ?? internalProblem();
  sendTo(ws, { v: 1, type: 'error', code, detail: message });
  if (code === 'visitor_banned') { // an end state, as for a fan banned while connected (edge-events.ts)
    sendTo(ws, { v: 1, type: 'removed', reason: 'banned', detail: removalDetail.banned });
    if (!ws.getUserData().closed) ws.cork(() => ws.end(REMOVED_CLOSE_CODE, 'removed by the organiser'));
  }
}

async function join(core: EdgeCore, ws: FanSocket, { token, nonce, accessCode, enqueueToken }: Extract<ClientMessage, { type: 'join' }>): Promise<void> {
  const data = ws.getUserData();
  const pending = data.pending;
  if (!pending) throw new Problem(409, 'already_joined', 'this socket has joined already');
  const visitorId = await core.visitors.verify(token);
  await admitJoin(core, pending.ip, pending.challenge, nonce, pending.powDifficulty);
  await core.fans.room(data.saleId).ready;
  const credential = await core.presale.of(data.saleId, { accessCode, enqueueToken });
  const place = await core.store.join(data.saleId, visitorId, true, credential);
  // The socket may have closed while we waited: undo the presence the join just counted.
  if (data.closed) return track(core, core.store.leave(data.saleId, visitorId));
  data.visitorId = visitorId;
  data.pending = null;
  const room = core.fans.add(ws, visitorId);
  if (place.state === 'admitted') data.admittedSent = true;
  if (place.state === 'prequeue') room.prequeued.add(visitorId);
  for (const message of joinMessages(core, data.saleId, place)) sendTo(ws, message);
  if (room.lastPosition && !data.closed) {
    const text = room.lastPosition;
    ws.cork(() => ws.send(text));
  }
}

async function handle(core: EdgeCore, ws: FanSocket, message: ClientMessage): Promise<void> {
  const data = ws.getUserData();
  if (message.type === 'join') {
    if (data.visitorId || data.joining) throw new Problem(409, 'already_joined', 'this socket has joined already');
    data.joining = true;
    try {
      // the fan's trace begins here (tracing on): its span context travels on with the socket
      return await withSpan('queue.join', { kind: SpanKind.SERVER, attributes: { 'usher.sale': data.saleId } }, async (span) => {
        await join(core, ws, message);
        if (span) {
          span.setAttribute('usher.visitor', data.visitorId ?? '');
          data.trace = traceparentOf();
        }
      });
    } finally {
      data.joining = false;
    }
  }
  if (!data.visitorId) throw new Problem(409, 'not_joined', 'send join first');
  const visitorId = data.visitorId;
  if (message.type === 'take') {
    const place = await withSpan('queue.admit', { kind: SpanKind.SERVER, parent: contextFrom(data.trace), attributes: { 'usher.sale': data.saleId, 'usher.visitor': visitorId } },
      async (span) => {
        const p = await takeOffer(core, data.saleId, visitorId);
        span?.setAttributes({ 'usher.place': p.state, ...(p.state === 'admitted' ? { 'usher.pass_jti': p.jti } : {}) });
        return p;
      });
    if (place.state === 'admitted' && data.admittedSent) return;
    if (place.state === 'admitted') data.admittedSent = true;
    return sendTo(ws, placeMessage(core, data.saleId, place));
  }
  const now = Date.now();
  if (now - (rankAskedAt.get(ws) ?? 0) < RANK_EVERY_MS) throw new Problem(429, 'rank_too_often', 'ask for your exact rank at most once a second');
  rankAskedAt.set(ws, now);
  const rank = await core.redis.zrank(queueKeys(data.saleId).waiting, visitorId);
  sendTo(ws, { v: 1, type: 'rank', rank });
}

/** A process at its socket capacity: refused at once, and the connection closed so its file is freed. */
function refuseFull(res: HttpResponse): void {
  edgeMetrics.rejected.inc({ reason: 'edge_full' });
  const body = JSON.stringify(new Problem(503, 'edge_full', 'this edge process holds all the fans it can; connect again').body);
  res.cork(() => res.writeStatus('503 Service Unavailable').writeHeader('content-type', PROBLEM_CONTENT_TYPE).writeHeader('retry-after', '1').end(body, true));
}

function upgrade(core: EdgeCore, draining: () => boolean, capacity: number, res: HttpResponse, req: HttpRequest, context: us_socket_context_t): void {
  if (core.fans.open + core.fans.upgrading >= capacity) return refuseFull(res);
  core.fans.upgrading++;
  const reply = replyTo(res);
  // Copied now: `req` is gone after the first await.
  const saleParam = req.getParameter(0) ?? '';
  const key = req.getHeader('sec-websocket-key');
  const protocol = req.getHeader('sec-websocket-protocol');
  const extensions = req.getHeader('sec-websocket-extensions');
  const origin = req.getHeader('origin');
  const ip = clientIp(res, req.getHeader('x-forwarded-for'), core.config.http.trustProxy);
  runRoute(reply, core.log, async () => {
    try {
      await upgradeChecked();
    } finally {
      core.fans.upgrading--;
    }
  });
  async function upgradeChecked(): Promise<void> {
    if (draining()) throw new Problem(503, 'draining', 'this edge is restarting; connect again');
    const sale = saleIdSchema.safeParse(saleParam);
    if (!sale.success) throw new Problem(400, 'bad_sale_id', sale.error.issues[0]?.message);
    const allowed = core.config.edge.allowedOrigins;
    if (allowed && !allowed.includes(origin)) {
      edgeMetrics.rejected.inc({ reason: 'origin' });
      throw new Problem(403, 'origin_not_allowed', 'this origin may not open a waiting-room socket');
    }
    if (!(await core.limits.allow('connect', ip))) {
      edgeMetrics.rejected.inc({ reason: 'connect_limit' });
      throw new Problem(429, 'too_many_connections', 'too many connections from this address; try again in a minute');
    }
    const info = await core.sales.lookup(sale.data);
    if (!info) throw new Problem(404, 'unknown_sale', 'there is no such sale');
    if (reply.aborted) return;
    reply.aborted = true;
    const data: FanData = {
      saleId: core.fans.saleIdOf(sale.data), visitorId: null, joining: false, closed: false, admittedSent: false,
      pending: { ip, challenge: newChallenge(), powDifficulty: info.powDifficulty, joinBy: Date.now() + JOIN_WITHIN_MS },
    };
    res.cork(() => res.upgrade(data, key, protocol, extensions, context));
  }
}

/** Closes, once a second, the sockets that have not joined within JOIN_WITHIN_MS. */
function sweepPendingJoins(core: EdgeCore): () => void {
  const timer = setInterval(() => core.fans.pendingJoins.sweep(Date.now(), (ws) => ws.end(4408, 'join timeout')), 1000);
  timer.unref();
  return () => clearInterval(timer);
}

export const fanSocketDoc: EdgeRouteDoc = {
  method: 'get', path: '/v1/sales/:sale/ws', tag: 'queue', params: { sale: saleIdSchema },
  summary: 'the waiting-room WebSocket (protocol v1: queue-edge/README.md)',
  description: 'An upgrade: the visitor token travels in the first `join` message, not in a header.',
  responses: { 101: { description: 'switching to the WebSocket protocol' }, ...problems(400, 403, 404, 429, 503) }, // 503: draining, dependency_down, or edge_full (this process at its open-files limit)
};

/** Mounts the fan socket on `app` and starts its join-deadline sweep; returns what stops the sweep. */
export function mountFanSocket(app: TemplatedApp, core: EdgeCore, draining: () => boolean, capacity = socketCapacity()): () => void {
  app.ws('/v1/sales/:sale/ws', fanSocketBehavior(core, draining, capacity));
  return sweepPendingJoins(core);
}

function fanSocketBehavior(core: EdgeCore, draining: () => boolean, capacity: number): WebSocketBehavior<FanData> {
  const { edge } = core.config;
  return {
    maxPayloadLength: edge.maxPayloadBytes,
    idleTimeout: edge.idleTimeoutS,
    maxBackpressure: edge.maxBackpressureBytes,
    closeOnBackpressureLimit: 1,
    sendPingsAutomatically: true,
    upgrade: (res, req, context) => upgrade(core, draining, capacity, res, req, context),
    open(ws) {
      const data = ws.getUserData();
      core.fans.open++;
      // A socket that never joins holds a file descriptor for nothing: swept after JOIN_WITHIN_MS.
      core.fans.pendingJoins.add(ws);
      const { challenge, powDifficulty } = data.pending!;
      sendTo(ws, { v: 1, type: 'hello', saleId: data.saleId, challenge, powDifficulty }, false);
    },
    message(ws, frame) {
      const decoded = decodeClientMessage(frame); // synchronous: the frame is neutered after return
      if (!decoded.ok) return sendTo(ws, { v: 1, type: 'error', code: decoded.code, detail: decoded.detail }, false);
      handle(core, ws, decoded.message).catch((err: unknown) => fail(ws, core, err));
    },
    drain() {
      // Nothing to resume: per-fan messages are few and the next tick's broadcast supersedes a
      // skipped one; a fan past maxBackpressure is closed and reconnects to the place it keeps.
    },
    close(ws) {
      const data = ws.getUserData();
      data.closed = true;
      core.fans.open--;
      if (!data.visitorId) return;
      core.fans.remove(ws, data.visitorId);
      track(core, core.store.leave(data.saleId, data.visitorId));
    },
  };
}
