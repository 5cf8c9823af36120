import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { Problem } from '../../common/problem.js';

/**
 * Refuses bodies over `maxBytes` with a 413 problem, before any of it is parsed. Paths matched by
 * `ownLimit` are left to the route's own (larger) limit, e.g. a venue's seat-map CSV import.
 */
export function requestBodyLimit(maxBytes: number, ownLimit: (path: string) => boolean = () => false): MiddlewareHandler {
  if (!Number.isInteger(maxBytes) || maxBytes < 1) throw new Error('requestBodyLimit: maxBytes must be a positive integer');
  const limit = bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new Problem(413, 'body_too_large', `request bodies are limited to ${maxBytes} bytes`);
    },
  });
  return async function limitRequestBody(c, next) {
    return ownLimit(c.req.path) ? next() : limit(c, next);
  };
}
