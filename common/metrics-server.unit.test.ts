import { afterEach, describe, expect, it } from 'vitest';
import { startMetricsServer, type MetricsServer } from './metrics-server.js';
import { counter } from './metrics.js';

let server: MetricsServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const at = (path: string, init?: RequestInit): Promise<Response> => fetch(`http://127.0.0.1:${server!.port}${path}`, init);

describe('the internal metrics port', () => {
  it("answers /metrics with this process's registry as Prometheus text, and nothing else", async () => {
    counter('usher_test_metrics_port_total', 'test').inc(3);
    server = await startMetricsServer({ host: '127.0.0.1', port: 0 });
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/metrics`);
    const scrape = await at('/metrics?x=1');
    expect(scrape.status).toBe(200);
    expect(scrape.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await scrape.text()).toMatch(/^usher_test_metrics_port_total 3$/m);
    for (const path of ['/', '/livez', '/readyz', '/v1/visitors']) {
      const res = await at(path);
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(await res.json()).toMatchObject({ status: 404, code: 'not_found' });
    }
    expect((await at('/metrics', { method: 'POST' })).status).toBe(405);
  });

  it('answers the probes too when given them (the worker, which has no public port)', async () => {
    let ready = true;
    server = await startMetricsServer({ host: '127.0.0.1', port: 0, metrics: async () => ({ contentType: 'text/plain', body: 'x 1\n' }), probes: { readiness: async () => ({ ok: ready, checks: { redis: ready } }) } });
    expect(await (await at('/metrics')).text()).toBe('x 1\n');
    expect((await at('/livez')).status).toBe(200);
    expect((await at('/readyz')).status).toBe(200);
    ready = false;
    const down = await at('/readyz');
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({ ok: false, checks: { redis: false } });
    expect((await at('/livez')).status).toBe(200);
  });
});
