/**
 * A dependency outage (Redis or PostgreSQL unreachable, restarting, or refusing connections) as
 * every role answers it: 503 `dependency_down`, a problem the client may retry, never a 500.
 */
import { Problem } from './problem.js';

/** Socket-level and PostgreSQL connection codes (57P01 admin shutdown, 57P03 cannot connect now, 08xxx connection exceptions). */
const DOWN_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', '57P01', '57P03', '08006', '08001', '08003']);

/**
 * ioredis: the offline queue gave up ("Reached the max retries per request limit"), the client is
 * closed, a cluster has no usable node; Redis itself: still loading its data after a restart, or a
 * cluster without a quorum. pg: the connection ended or could not be made in time.
 */
const DOWN_MESSAGE = /Connection terminated|timeout exceeded when trying to connect|Connection is closed|max retries per request|Reached the max retries|not currently accepting connections|Failed to refresh slots cache|Cluster isn't ready|^LOADING |^CLUSTERDOWN |^MASTERDOWN /i;

/** True for a connection failure of Redis or PostgreSQL: the request may succeed when retried. */
export function isDependencyDown(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null | undefined;
  if (typeof e?.code === 'string' && DOWN_CODES.has(e.code)) return true;
  return DOWN_MESSAGE.test(String(e?.message ?? ''));
}

export function dependencyDownProblem(): Problem {
  return new Problem(503, 'dependency_down', 'A service we depend on is unavailable; please retry shortly.');
}
