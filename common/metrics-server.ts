import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Readiness } from './app-context.js';
import { metricsText } from './metrics.js';
import { PROBLEM_CONTENT_TYPE, Problem } from './problem.js';

/**
 * A role's internal port: `/metrics` for Prometheus, apart from the public port so that no public
 * route reaches it (k8s/render/networking.ts routes only the public ports). The worker, which has
 * no public server, answers its probes here too (`probes`); the edge and the API answer theirs on
 * their public port, the listener that takes the traffic the probes vouch for.
 */
export interface MetricsServerOptions {
  host: string;
  port: number;
  /** What a scrape answers: this process's registry, or a process group's (process-group-metrics.ts). */
  metrics?: () => Promise<{ contentType: string; body: string }>;
  /** `/livez` (the process runs: never checks dependencies) and `/readyz` (they answer). */
  probes?: { readiness(): Promise<Readiness> };
}

export interface MetricsServer {
  port: number;
  /** `/metrics` on the loopback, for start-up logs. */
  url: string;
  close(): Promise<void>;
}

const json = { 'content-type': 'application/json' };
const problem = (p: Problem): [number, Record<string, string>, string] => [p.status, { 'content-type': PROBLEM_CONTENT_TYPE }, JSON.stringify(p.body)];
const notFound = problem(new Problem(404, 'not_found', 'no such route on this internal port'));
const notAllowed = problem(new Problem(405, 'method_not_allowed', 'GET or HEAD'));

export function startMetricsServer(o: MetricsServerOptions): Promise<MetricsServer> {
  const metrics = o.metrics ?? metricsText;
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    void (async () => {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(notAllowed[0], { ...notAllowed[1], allow: 'GET, HEAD' }).end(notAllowed[2]);
      } else if (path === '/metrics') {
        const m = await metrics();
        res.writeHead(200, { 'content-type': m.contentType }).end(m.body);
      } else if (o.probes && path === '/livez') {
        res.writeHead(200, json).end('{"ok":true}');
      } else if (o.probes && path === '/readyz') {
        const r = await o.probes.readiness();
        res.writeHead(r.ok ? 200 : 503, json).end(JSON.stringify(r));
      } else {
        res.writeHead(notFound[0], notFound[1]).end(notFound[2]);
      }
    })().catch(() => {
      // a failing registry or readiness check is still a problem body, never a bare 500
      if (!res.headersSent) res.writeHead(500, { 'content-type': PROBLEM_CONTENT_TYPE });
      res.end(JSON.stringify(new Problem(500, 'internal').body));
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      const port = (server.address() as AddressInfo).port;
      resolve({
        port,
        url: `http://127.0.0.1:${port}/metrics`,
        close: () => new Promise<void>((done) => {
          server.close(() => done());
          server.closeIdleConnections();
        }),
      });
    });
  });
}
