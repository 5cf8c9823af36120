/**
 * RED metrics of the API: requests by method, matched route pattern (never the raw path, which
 * would make a series per hold id) and status, and their duration.
 */
import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import { counter, histogram } from '../../common/metrics.js';
import type { RequestWindow } from '../../admission/backend-health.js';

const requests = counter('usher_http_requests_total', 'API requests by method, route and status', ['method', 'route', 'status']);
// up to 30 s: a rush's checkouts wait seconds for a pool connection, and a p99 past the last
// bucket (2.5 s by default) could not be read at all
const seconds = histogram('usher_http_request_seconds', 'API request duration', ['method', 'route'], [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]);

/** The hold route whose p99 admission watches (admission/backend-health.ts). */
export const HOLD_ROUTE = '/v1/sales/:sale/holds';
const HOLD_PATH = /^\/v1\/sales\/[^/]+\/holds$/;

/** `health`: this process's request window, published to Redis for admission (its hold p99 and 5xx rate). */
export function httpMetrics(health?: RequestWindow): MiddlewareHandler {
  return async function recordHttpMetrics(c, next) {
    const started = process.hrtime.bigint();
    // a hold in flight counts by its age: a stalled API must not look healthy for want of answers
    const holdEnded = health && c.req.method === 'POST' && HOLD_PATH.test(c.req.path) ? health.beginHold() : undefined;
    try {
      await next();
    } finally {
      // after next(): the pattern that finally answered, e.g. /v1/holds/:id (a wildcard such as
      // /v1/* when only middleware matched: still a bounded label)
      const route = routePath(c, -1);
      const labels = { method: c.req.method, route };
      holdEnded?.();
      const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
      seconds.observe(labels, elapsed);
      requests.inc({ ...labels, status: String(c.res.status) });
      health?.record(elapsed, c.res.status, route === HOLD_ROUTE && c.req.method === 'POST');
    }
  };
}
