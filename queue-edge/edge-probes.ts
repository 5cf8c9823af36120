/**
 * The edge's operator routes: `/livez` (the process runs), `/readyz` (its dependencies answer and
 * it is not draining: 503 otherwise, so traffic moves elsewhere) and `/metrics` (Prometheus; with
 * EDGE_PROCESSES, the whole process group's, see common/process-group-metrics.ts).
 */
import type { TemplatedApp } from 'uWebSockets.js';
import type { Logger } from '../common/logger.js';
import { groupMetricsText } from '../common/process-group-metrics.js';
import { replyTo, runRoute } from './http-reply.js';

export function mountEdgeProbes(app: TemplatedApp, log: Logger, readiness: () => Promise<{ ok: boolean }>, draining: () => boolean): void {
  app.get('/livez', (res) => replyTo(res).json(200, { ok: true }));
  app.get('/readyz', (res) => {
    const reply = replyTo(res);
    runRoute(reply, log, async () => {
      const r = await readiness();
      const ok = r.ok && !draining();
      reply.json(ok ? 200 : 503, { ...r, ok, draining: draining() });
    });
  });
  app.get('/metrics', (res) => {
    const reply = replyTo(res);
    runRoute(reply, log, async () => {
      const m = await groupMetricsText();
      reply.send(200, m.body, { 'content-type': m.contentType });
    });
  });
}
