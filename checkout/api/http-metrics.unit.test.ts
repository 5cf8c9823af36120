import { describe, expect, it } from 'vitest';
import { Hono } from 'hono';
import { registry } from '../../common/metrics.js';
import { httpMetrics } from './http-metrics.js';

describe('httpMetrics', () => {
  it('counts by route pattern and status, never by raw path', async () => {
    const app = new Hono();
    app.use('/v1/*', httpMetrics());
    app.get('/v1/things/:id', (c) => c.json({ id: c.req.param('id') }));
    app.get('/v1/boom', () => {
      throw new Error('boom');
    });
    app.onError((_err, c) => c.json({ status: 500 }, 500));
    await app.request('/v1/things/1');
    await app.request('/v1/things/2');
    await app.request('/v1/boom');
    const values = (await registry.getSingleMetric('usher_http_requests_total')!.get()).values;
    const count = (route: string, status: string) => values.find((v) => v.labels.route === route && v.labels.status === status)?.value;
    expect(count('/v1/things/:id', '200')).toBe(2);
    expect(count('/v1/boom', '500')).toBe(1);
    expect(values.some((v) => String(v.labels.route).includes('/1'))).toBe(false);
  });
});
