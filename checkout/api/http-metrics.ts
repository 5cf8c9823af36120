/**
 * RED metrics of the API: requests by method, matched route pattern (never the raw path, which
 * would make a series per hold id) and status, and their duration.
 */
import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import { counter, histogram } from '../../common/metrics.js';

const requests = counter('usher_http_requests_total', 'API requests by method, route and status', ['method', 'route', 'status']);
const seconds = histogram('usher_http_request_seconds', 'API request duration', ['method', 'route']);

export function httpMetrics(): MiddlewareHandler {
  return async function recordHttpMetrics(c, next) {
    const started = process.hrtime.bigint();
    try {
      await next();
    } finally {
      // after next(): the pattern that finally answered, e.g. /v1/holds/:id (a wildcard such as
      // /v1/* when only middleware matched: still a bounded label)
      const route = routePath(c, -1);
      const labels = { method: c.req.method, route };
      seconds.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
      requests.inc({ ...labels, status: String(c.res.status) });
    }
  };
}
