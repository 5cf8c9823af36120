/**
 * The edge's probes: `/livez` (the process runs) and `/readyz` (its dependencies answer and it is
 * not draining: 503 otherwise, so traffic moves elsewhere). They stay on the public port, the
 * listener whose draining they report (with EDGE_PROCESSES, the process a probe lands on, as a
 * fan's connection would); metrics are on EDGE_METRICS_PORT only (edge-role.ts).
 */
import type { TemplatedApp } from 'uWebSockets.js';
import type { Logger } from '../common/logger.js';
import { replyTo, runRoute } from './http-reply.js';
import type { EdgeRouteDoc } from './edge-openapi.js';
import { livezResponseSchema, readyzResponseSchema, type ReadyzResponse } from './edge-http-schemas.js';

export const edgeProbeDocs: readonly EdgeRouteDoc[] = [
  { method: 'get', path: '/livez', tag: 'operations', summary: 'the process runs (never checks dependencies)', responses: { 200: { description: 'alive', schema: livezResponseSchema } } },
  {
    method: 'get', path: '/readyz', tag: 'operations', summary: 'Redis and PostgreSQL answer and the edge is not draining',
    responses: { 200: { description: 'ready', schema: readyzResponseSchema }, 503: { description: 'not ready, or draining: send traffic elsewhere', schema: readyzResponseSchema, contentType: 'application/json' } },
  },
];

export function mountEdgeProbes(app: TemplatedApp, log: Logger, readiness: () => Promise<{ ok: boolean }>, draining: () => boolean): void {
  app.get('/livez', (res) => replyTo(res).json(200, { ok: true }));
  app.get('/readyz', (res) => {
    const reply = replyTo(res);
    runRoute(reply, log, async () => {
      const r = await readiness();
      const ok = r.ok && !draining();
      const body: ReadyzResponse = { ...r, ok, draining: draining() };
      reply.json(ok ? 200 : 503, body);
    });
  });
}
