import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { Problem, PROBLEM_CONTENT_TYPE } from '../../common/problem.js';
import type { Logger } from '../../common/logger.js';
import { counter } from '../../common/metrics.js';

const shed = counter('usher_api_shed_total', 'API requests answered 503 overloaded (Retry-After): load shed because a dependency was saturated', ['reason']);

export function problemResponse(c: Context, problem: Problem): Response {
  const headers: Record<string, string> = { 'content-type': PROBLEM_CONTENT_TYPE };
  if (problem.retryAfterS !== undefined) headers['retry-after'] = String(problem.retryAfterS);
  return c.body(JSON.stringify(problem.body), problem.status as 400, headers);
}

/** Hono's and zod-openapi's own exceptions, in the API's vocabulary (api-route.ts's gates answer first; this is the net). */
function httpExceptionCode(err: HTTPException): string {
  if (err.status === 413) return 'body_too_large';
  if (err.status === 415) return 'unsupported_media_type';
  if (err.status === 400 && /malformed json/i.test(err.message)) return 'malformed_json';
  return 'http_error';
}

/**
 * The API's one error boundary: domain problems keep their status and code; Hono's own
 * exceptions (body limit, …) keep their status; anything else is logged and becomes a bare 500.
 */
export function problemHandler(log: Logger, toProblem: (err: unknown) => Problem | undefined = () => undefined) {
  return function handleProblem(err: unknown, c: Context): Response {
    const mapped = err instanceof Problem ? err : toProblem(err);
    if (mapped) {
      // shedding is counted (a storm of it must not flood the log); any other 5xx is ours to explain:
      // the error behind it is logged
      if (mapped.code === 'overloaded') shed.inc({ reason: String(mapped.extra.reason ?? 'unknown') });
      else if (mapped.status >= 500) log.warn({ err, path: c.req.path, status: mapped.status, code: mapped.code, requestId: c.get('requestId' as never) }, 'answered with a server error');
      return problemResponse(c, mapped);
    }
    if (err instanceof HTTPException) {
      return problemResponse(c, new Problem(err.status, httpExceptionCode(err), err.message || undefined));
    }
    log.error({ err, path: c.req.path, requestId: c.get('requestId' as never) }, 'unhandled error');
    return problemResponse(c, new Problem(500, 'internal', 'Something went wrong on our side; it has been logged.'));
  };
}
