/**
 * EDGE_BODY_LIMIT_BYTES on every edge route that reads a body: a larger one is 413 `body_too_large`
 * whether its Content-Length says so or it arrives chunked (a 2.5 MB stream is cut short), and the
 * route does nothing else.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { request } from 'node:http';
import type { Redis } from 'ioredis';
import { newRedis } from '../test/support/databases.js';
import { queueKeys } from '../admission/queue-keys.js';
import { startTestEdge, createSale, newVisitor, type TestEdge } from '../test/support/edge-test-harness.js';

const LIMIT = 4096; // the default
const ADMIN = 'test-admin-token-0123456789';
let redis: Redis;
let edge: TestEdge;

beforeAll(async () => {
  redis = newRedis();
  edge = await startTestEdge();
});
afterAll(async () => {
  await edge.close();
  redis.disconnect();
});

interface Answer {
  status: number;
  type: string | undefined;
  code: unknown;
}

/**
 * POSTs `body` with a Content-Length, or (chunked) as 64 KB chunks of a 2.5 MB stream written as
 * fast as the socket takes them. Resolves with the answer, which may come before the stream ends.
 */
function post(path: string, token: string, body: string | 'chunked'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    if (body !== 'chunked') headers['content-length'] = String(Buffer.byteLength(body));
    const req = request(`${edge.url}${path}`, { method: 'POST', headers }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], code: (JSON.parse(text) as { code?: unknown }).code }));
    });
    let answered = false;
    req.on('response', () => (answered = true));
    req.on('error', (err) => !answered && reject(err)); // the edge may close the socket once it has answered
    if (body !== 'chunked') return void req.end(body);
    const chunk = Buffer.alloc(64 * 1024, ' ');
    let sent = 0;
    const more = (): void => {
      while (sent < 2.5 * 1024 * 1024 && !answered) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', more);
      }
      req.end();
    };
    more();
  });
}

const tooLarge = { status: 413, type: 'application/problem+json', code: 'body_too_large' };

describe('the edge body limit', () => {
  it('refuses an oversized body on every route that reads one, by Content-Length and chunked, and changes nothing', async () => {
    const saleId = await createSale(redis);
    const v = await newVisitor(edge.url);
    const routes: [string, string][] = [
      ['/v1/visitors', v.token],
      [`/v1/sales/${saleId}/join`, v.token],
      [`/v1/sales/${saleId}/take`, v.token],
      [`/v1/sales/${saleId}/controls`, ADMIN],
    ];
    const over = `{"action":"pause"}${' '.repeat(LIMIT)}`;
    for (const [path, token] of routes) {
      expect(await post(path, token, over), `${path} with Content-Length`).toEqual(tooLarge);
      expect(await post(path, token, 'chunked'), `${path} chunked`).toEqual(tooLarge);
    }
    expect(await redis.hget(queueKeys(saleId).visitors, v.visitorId)).toBeNull();
    expect(await redis.hget(queueKeys(saleId).settings, 'paused')).toBe('0');
  });

  it('reads a body of exactly the limit', async () => {
    const saleId = await createSale(redis);
    const v = await newVisitor(edge.url);
    const atLimit = `{}${' '.repeat(LIMIT - 2)}`;
    expect(await post(`/v1/sales/${saleId}/join`, v.token, atLimit)).toMatchObject({ status: 200 });
    expect(await post('/v1/visitors', 'unused', atLimit)).toMatchObject({ status: 201 });
    expect(await post(`/v1/sales/${saleId}/take`, v.token, '{"extra":1}')).toMatchObject({ status: 422, code: 'invalid_body' });
  });
});
