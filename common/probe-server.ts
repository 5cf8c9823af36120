import { createServer, type Server } from 'node:http';
import type { AppContext } from './app-context.js';
import { metricsText } from './metrics.js';

/**
 * `/livez` (the process runs: never checks Redis or Postgres, so a dependency outage does not
 * restart every pod), `/readyz` (dependencies answer) and `/metrics`, for roles without an HTTP
 * server of their own (the worker).
 */
export function startProbeServer(ctx: AppContext, port: number, host = ctx.config.http.host): Promise<Server> {
  const server = createServer((req, res) => {
    void (async () => {
      if (req.url === '/livez') {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      } else if (req.url === '/readyz') {
        const r = await ctx.readiness();
        res.writeHead(r.ok ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(r));
      } else if (req.url === '/metrics') {
        const m = await metricsText();
        res.writeHead(200, { 'content-type': m.contentType }).end(m.body);
      } else {
        res.writeHead(404, { 'content-type': 'application/problem+json' }).end('{"status":404,"title":"Not Found"}');
      }
    })().catch(() => res.writeHead(500).end());
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
