/**
 * What the edge's WebSocket and HTTP handlers share, and the queue actions both offer (join, take),
 * so the HTTP fallback behaves exactly like the socket.
 */
import type { AccessDenylist } from '../access/access-denylist.js';
import type { Config } from '../common/config.js';
import type { Logger } from '../common/logger.js';
import type { RedisClient } from '../common/redis-connection.js';
import type { PgPool } from '../common/postgres-pool.js';
import type { PassSigningKeys } from '../admission/admission-pass.js';
import type { AccessTokens } from '../access/access-token.js';
import type { AccountRoles } from '../access/account-roles.js';
import { Problem } from '../common/problem.js';
import type { QueueStore } from './queue-store.js';
import type { Place } from '../admission/visitor-place.js';
import type { VisitorTokens } from './visitor-token.js';
import type { SalePages } from './sale-pages.js';
import type { SaleRegistry } from './sale-registry.js';
import type { FanRegistry } from './fan-registry.js';
import type { AbuseLimits } from './abuse-limits.js';
import type { PresaleCredentials } from './presale-credential.js';
import type { DrawBeacon } from './draw-beacon.js';
import { checkoutUrl, type ServerMessage } from './edge-protocol.js';
import { edgeMetrics } from './edge-metrics.js';
import { verifyWork } from './proof-of-work.js';
import { traceparentOf } from '../common/tracing.js';

export interface EdgeCore {
  config: Config;
  log: Logger;
  redis: RedisClient;
  store: QueueStore;
  visitors: VisitorTokens;
  passes: PassSigningKeys;
  accessTokens: AccessTokens;
  /** logged-out access tokens: an organiser who logged out loses the controls at once */
  denylist: AccessDenylist;
  /** accounts' current roles (PostgreSQL); without PostgreSQL only the static operator token controls sales */
  roles: AccountRoles | undefined;
  /** PostgreSQL, when the edge has it: the controls are then recorded in the operator audit log */
  pg: PgPool | undefined;
  sales: SaleRegistry;
  /** what the waiting-room page shows about a sale (event, pre-queue, branding), cached */
  pages: SalePages;
  fans: FanRegistry;
  limits: AbuseLimits;
  presale: PresaleCredentials;
  /** the public randomness of the opening draw (draw-beacon.ts) */
  beacon: DrawBeacon;
  edgeId: string;
  /** Redis writes started by socket closes, awaited by the drain so no place is left dangling. */
  pending: Set<Promise<unknown>>;
  /** Runs the sale's tick now (a control changed, or an HTTP client needs counters this edge has not ticked yet). */
  tickNow(saleId: string): Promise<void>;
}

export function track(core: EdgeCore, work: Promise<unknown>): void {
  const p = work.catch((err: unknown) => core.log.warn({ err }, 'edge background write failed')).finally(() => core.pending.delete(p));
  core.pending.add(p);
}

/** Checks everything a join needs before touching the queue: limit, proof of work. */
export async function admitJoin(core: EdgeCore, ip: string, challenge: string, nonce: string | undefined, powDifficulty: number): Promise<void> {
  if (!verifyWork(challenge, nonce, powDifficulty)) {
    edgeMetrics.rejected.inc({ reason: 'proof_of_work' });
    throw new Problem(403, 'proof_of_work', `join needs a proof of work of difficulty ${powDifficulty}`);
  }
  if (!(await core.limits.allow('join', ip))) {
    edgeMetrics.rejected.inc({ reason: 'join_limit' });
    throw new Problem(429, 'too_many_joins', 'too many joins from this address; try again in a minute');
  }
}

/** Takes the fan's offer: signs a pass, then lets take-5.lua decide atomically if it becomes the lease. */
export async function takeOffer(core: EdgeCore, saleId: string, visitorId: string): Promise<Place> {
  // the pass carries the fan's trace (the admission span around this call) to the API
  const traceparent = traceparentOf();
  const { token, claims } = await core.passes.sign({ saleId, visitorId, ttlS: core.config.pass.ttlS, ...(traceparent ? { traceparent } : {}) });
  const place = await core.store.take(saleId, visitorId, { jti: claims.jti, leaseDeadlineMs: claims.exp * 1000, token });
  if (place.state === 'admitted' && place.jti === claims.jti) edgeMetrics.passesIssued.inc();
  return place;
}

/**
 * What a socket is told when it joins. A visitor who already holds an offer (a reconnect, a second
 * tab) hears the ticket first: on every socket `queued` comes before `offer`.
 */
export function joinMessages(core: EdgeCore, saleId: string, place: Place): ServerMessage[] {
  if (place.state !== 'offer') return [placeMessage(core, saleId, place)];
  return [{ v: 1, type: 'queued', state: 'waiting', ticket: place.ticket }, placeMessage(core, saleId, place)];
}

/** What the fan is told about their place. */
export function placeMessage(core: EdgeCore, saleId: string, place: Place): ServerMessage {
  switch (place.state) {
    case 'prequeue': return { v: 1, type: 'queued', state: 'prequeue' };
    case 'waiting': return { v: 1, type: 'queued', state: 'waiting', ticket: place.ticket, ...(place.rank !== undefined ? { rank: place.rank } : {}) };
    case 'offer': return { v: 1, type: 'offer', deadline: place.deadline };
    case 'admitted': return { v: 1, type: 'admitted', pass: place.pass, exp: place.exp, checkoutUrl: checkoutUrl(core.config.http.publicApiUrl, saleId, place.pass) };
    case 'done': return { v: 1, type: 'done' };
  }
}
