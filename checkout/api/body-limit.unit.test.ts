import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Problem } from '../../common/problem.js';
import { defaultBodyLimit, requestBodyLimit, routeBodyLimit } from './body-limit.js';

// Over a real Node HTTP server, because the header-only decision relies on Node's HTTP/1.1 framing.
let server: ServerType;
let port: number;
beforeAll(async () => {
  const app = new Hono();
  const received = async (c: Context) => c.json({ received: (await c.req.text()).length });
  app.use('*', defaultBodyLimit(100));
  app.all('/own', routeBodyLimit(1000), received);
  app.all('/bare', requestBodyLimit(100), received);
  app.all('*', routeBodyLimit(), received);
  app.onError((err, c) => c.json({ code: err instanceof Problem ? err.code : 'other' }, err instanceof Problem ? (err.status as 400) : 500));
  server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
  });
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

function send(method: string, path: string, body: string | undefined, headers: Record<string, string>): Promise<{ status: number; body: { code?: string; received?: number } }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) as { code?: string; received?: number } }));
    });
    req.on('error', reject);
    if (body !== undefined) for (let i = 0; i < body.length; i += 10) req.write(body.slice(i, i + 10));
    req.end();
  });
}

describe('requestBodyLimit', () => {
  it('decides sized bodies from Content-Length', async () => {
    expect(await send('POST', '/x', 'a'.repeat(100), { 'content-length': '100' })).toEqual({ status: 200, body: { received: 100 } });
    expect(await send('POST', '/x', 'a'.repeat(101), { 'content-length': '101' })).toEqual({ status: 413, body: { code: 'body_too_large' } });
  });

  it('counts chunked bodies as they stream', async () => {
    expect(await send('POST', '/x', 'a'.repeat(60), { 'transfer-encoding': 'chunked' })).toEqual({ status: 200, body: { received: 60 } });
    expect(await send('POST', '/x', 'a'.repeat(500), { 'transfer-encoding': 'chunked' })).toEqual({ status: 413, body: { code: 'body_too_large' } });
  });

  it('lets bodiless requests through, and a route with its own limit go past the default', async () => {
    expect(await send('DELETE', '/x', undefined, {})).toEqual({ status: 200, body: { received: 0 } });
    expect(await send('POST', '/own', 'a'.repeat(500), { 'content-length': '500' })).toEqual({ status: 200, body: { received: 500 } });
    expect(await send('POST', '/own', 'a'.repeat(1001), { 'transfer-encoding': 'chunked' })).toEqual({ status: 413, body: { code: 'body_too_large' } });
    expect(await send('POST', '/bare', 'a'.repeat(101), { 'content-length': '101' })).toEqual({ status: 413, body: { code: 'body_too_large' } });
  });

  it('refuses to run with a nonsensical limit', () => {
    expect(() => requestBodyLimit(0)).toThrow(/positive integer/);
  });
});
