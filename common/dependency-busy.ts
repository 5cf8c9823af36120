/**
 * A dependency that is up but saturated, as the API answers it: 503 `overloaded` with Retry-After,
 * the one deliberate 5xx of a rush (load shedding). Told apart from an outage (dependency-down.ts):
 * an outage is not cured by the fan's retry in two seconds, a full pool usually is.
 *
 * The case it knows: every connection of the PostgreSQL pool busy for longer than
 * PG_POOL_ACQUIRE_TIMEOUT_MS. pg-pool rejects such a wait with exactly "timeout exceeded when
 * trying to connect" (its waiting-queue timer); a new connection that cannot be made in time fails
 * with "Connection terminated due to connection timeout" instead, which stays an outage.
 */
import { Problem } from './problem.js';

const POOL_WAIT_TIMEOUT = 'timeout exceeded when trying to connect';

/** Seconds a fan is told to wait before trying again: a few pool turns, not a page reload storm. */
export const OVERLOADED_RETRY_AFTER_S = 2;

export type BusyReason = 'pg_pool';

/** What saturated, or undefined when the error is not a saturation (an outage, a bug). */
export function dependencyBusyReason(err: unknown): BusyReason | undefined {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 4; depth++) {
    const candidate = e as { message?: unknown; cause?: unknown };
    if (candidate.message === POOL_WAIT_TIMEOUT) return 'pg_pool';
    e = candidate.cause;
  }
  return undefined;
}

export function overloadedProblem(reason: BusyReason): Problem {
  return new Problem(503, 'overloaded', 'We are serving a rush of fans; please retry in a moment (nothing was lost).', {
    reason, retryAfter: OVERLOADED_RETRY_AFTER_S,
  }, OVERLOADED_RETRY_AFTER_S);
}
