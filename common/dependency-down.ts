/**
 * A dependency outage (Redis or PostgreSQL unreachable, restarting, out of memory, read-only or
 * refusing connections) as every role answers it: 503 `dependency_down`, a problem the client may
 * retry, never a 500. The one classification the edge and the API share.
 */
import { Problem } from './problem.js';

/** Socket-level failures of either client. */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * PostgreSQL SQLSTATEs: class 08 connection exception, class 53 insufficient resources (disk full,
 * out of memory, too many connections), 57P01–57P03 the server shutting down or not accepting
 * connections yet, 25006 read-only transaction (a standby, or a primary being failed over).
 */
const SQLSTATE_DOWN = /^(08[0-9A-Z]{3}|53[0-9A-Z]{3}|57P0[123]|25006)$/;

/**
 * ioredis: the offline queue gave up ("Reached the max retries per request limit"), the client is
 * closed or not writable, a cluster has no usable node. Redis itself: still loading its data after
 * a restart, out of memory under noeviction, a replica that became read-only, a script running too
 * long, a cluster without a quorum. pg: the connection ended or could not be made in time.
 */
const DOWN_MESSAGE = new RegExp([
  'Connection terminated', 'timeout exceeded when trying to connect', 'Connection is closed', 'max retries per request', 'Reached the max retries',
  "Stream isn't writeable", "Cluster isn't ready", 'not currently accepting connections', 'Failed to refresh slots cache', 'None of startup nodes is available',
  '^LOADING ', '^CLUSTERDOWN ', '^MASTERDOWN ', '^OOM ', '^READONLY ', '^BUSY ', '^TRYAGAIN ',
].join('|'), 'i');

function isDown(e: { code?: unknown; message?: unknown; name?: unknown }): boolean {
  if (typeof e.code === 'string' && (SOCKET_CODES.has(e.code) || SQLSTATE_DOWN.test(e.code))) return true;
  if (e.name === 'MaxRetriesPerRequestError') return true;
  return DOWN_MESSAGE.test(String(e.message ?? ''));
}

/** True for a failure of Redis or PostgreSQL as a service (not of one command): the request may succeed when retried. */
export function isDependencyDown(err: unknown): boolean {
  // a wrapper (BullMQ, an AggregateError of several addresses) keeps the outage in its cause
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 4; depth++) {
    const candidate = e as { code?: unknown; message?: unknown; name?: unknown; cause?: unknown; errors?: unknown };
    if (isDown(candidate)) return true;
    if (Array.isArray(candidate.errors) && candidate.errors.some((inner) => inner && typeof inner === 'object' && isDown(inner as object))) return true;
    e = candidate.cause;
  }
  return false;
}

export const DEPENDENCY_DOWN_RETRY_AFTER_S = 1;

export function dependencyDownProblem(): Problem {
  // a Redis restart is picked up within REDIS_RETRY_CAP_MS, a Postgres failover in seconds: worth a retry soon
  return new Problem(503, 'dependency_down', 'A service we depend on is unavailable; please retry shortly.', {}, DEPENDENCY_DOWN_RETRY_AFTER_S);
}
