import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { Problem } from '../../common/problem.js';

/**
 * Refuses bodies over `maxBytes` with a 413 problem, before any of it is parsed. Paths matched by
 * `ownLimit` are left to the route's own (larger) limit, e.g. a venue's seat-map CSV import.
 *
 * Decided from the headers whenever HTTP/1.1 framing allows (Node's parser holds a body to its
 * Content-Length, and a request with neither Content-Length nor Transfer-Encoding has no body).
 * Only chunked bodies go through hono's streaming limit: it touches `c.req.raw.body`, which makes
 * @hono/node-server build a full WHATWG Request and stream for the request, and on the hold routes
 * that cost more CPU than the hold itself.
 */
export function requestBodyLimit(maxBytes: number, ownLimit: (path: string) => boolean = () => false): MiddlewareHandler {
  if (!Number.isInteger(maxBytes) || maxBytes < 1) throw new Error('requestBodyLimit: maxBytes must be a positive integer');
  const tooLarge = (): never => {
    throw new Problem(413, 'body_too_large', `request bodies are limited to ${maxBytes} bytes`);
  };
  const streamingLimit = bodyLimit({ maxSize: maxBytes, onError: tooLarge });
  return async function limitRequestBody(c, next) {
    if (ownLimit(c.req.path)) return next();
    const chunked = c.req.header('transfer-encoding');
    if (chunked !== undefined) return streamingLimit(c, next);
    const length = c.req.header('content-length');
    if (length === undefined) {
      // over Node's HTTP/1.1 parser this request has no body; a fetch-style Request may still carry a stream
      return (c.env as { incoming?: unknown } | undefined)?.incoming ? next() : streamingLimit(c, next);
    }
    if (!/^\d+$/.test(length)) throw new Problem(400, 'bad_content_length', 'Content-Length must be a whole number of bytes');
    if (Number(length) > maxBytes) tooLarge();
    return next();
  };
}
