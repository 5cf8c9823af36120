/**
 * The edge's one error boundary, shared by its HTTP routes (http-reply.ts) and the fan socket
 * (fan-socket.ts): what an error becomes for the client. Problems keep their status and code, queue
 * refusals map through queue-errors.ts, a Redis or PostgreSQL outage is 503 `dependency_down`;
 * anything else is a bug: null, so the caller logs it and answers 500 `internal` without internals.
 */
import { Problem } from '../common/problem.js';
import { isDependencyDown, dependencyDownProblem } from '../common/dependency-down.js';
import { QueueError } from './queue-errors.js';

export function edgeProblemOf(err: unknown): Problem | null {
  if (err instanceof Problem) return err;
  if (err instanceof QueueError) return err.toProblem();
  if (isDependencyDown(err)) return dependencyDownProblem();
  return null;
}

export const internalProblem = (): Problem => new Problem(500, 'internal', 'something went wrong on our side');
