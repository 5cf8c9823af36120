import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pacedLoad } from './paced-http.js';

let server: Server;
let port: number;
beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/chunked') {
      res.writeHead(201, { 'content-type': 'application/json' });
      res.write('{"holdId":');
      res.end('"h1"}');
      return;
    }
    res.writeHead(req.method === 'DELETE' ? 404 : 200, { 'content-type': 'text/plain', 'content-length': '2' }).end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('pacedLoad', () => {
  it('sends the offered rate evenly over each second (no burst at its start), each latency counted once', async () => {
    const r = await pacedLoad({ host: '127.0.0.1', port, rate: 400, seconds: 1, connections: 20, requests: [{ method: 'GET', build: () => ({ path: '/' }) }], context: () => ({}) });
    expect(r.sent).toBe(400);
    expect(r.answered).toBe(400);
    expect(r.errors).toBe(0);
    // an even spread puts ~10% of a second's requests in each 100 ms; autocannon's overallRate sends them all in the first
    // (a loaded machine delays some timers: the bound leaves room for that, a burst is near 1)
    expect(r.busiest_100ms_share).toBeLessThan(0.35);
  });

  it('runs each connection through its turn with its own context, reads chunked bodies and counts non-2xx answers', async () => {
    const seen: string[] = [];
    const r = await pacedLoad<{ id?: string }>({
      host: '127.0.0.1', port, rate: 40, seconds: 0.5, connections: 2, context: () => ({}),
      requests: [
        { method: 'POST', build: () => ({ path: '/chunked', headers: { 'content-type': 'application/json' }, body: '{}' }), onResponse: (status, body, c) => { c.id = (JSON.parse(body) as { holdId: string }).holdId; seen.push(`${status}`); } },
        { method: 'DELETE', build: (c) => ({ path: `/${c.id}` }) },
      ],
    });
    expect(r.answered).toBe(20);
    expect(seen).toEqual(Array(10).fill('201'));
    expect(r.non2xx).toBe(10);
    expect(r.errors).toBe(10);
  });
});
