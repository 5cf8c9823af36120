import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { Problem } from '../../common/problem.js';

/**
 * Refuses bodies over `maxBytes` with a 413 problem, before any of it is parsed.
 *
 * Decided from the headers whenever HTTP/1.1 framing allows (Node's parser holds a body to its
 * Content-Length, and a request with neither Content-Length nor Transfer-Encoding has no body).
 * Only chunked bodies go through hono's streaming limit: it touches `c.req.raw.body`, which makes
 * @hono/node-server build a full WHATWG Request and stream for the request, and on the hold routes
 * that cost more CPU than the hold itself.
 */
export function requestBodyLimit(maxBytes: number): MiddlewareHandler {
  if (!Number.isInteger(maxBytes) || maxBytes < 1) throw new Error('requestBodyLimit: maxBytes must be a positive integer');
  const tooLarge = (): never => {
    throw new Problem(413, 'body_too_large', `request bodies are limited to ${maxBytes} bytes`);
  };
  const streamingLimit = bodyLimit({ maxSize: maxBytes, onError: tooLarge });
  return async function limitRequestBody(c, next) {
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

type LimitVars = { Variables: { bodyLimitBytes?: number } };

/** Makes `bytes` the limit of every route that declares none (the API's BODY_LIMIT_BYTES). */
export function defaultBodyLimit(bytes: number): MiddlewareHandler<LimitVars> {
  if (!Number.isInteger(bytes) || bytes < 1) throw new Error('defaultBodyLimit: bytes must be a positive integer');
  return function setDefaultBodyLimit(c, next) {
    c.set('bodyLimitBytes', bytes);
    return next();
  };
}

/**
 * One route's body limit: its own when it declares one (a venue's seat map), else the default set
 * by `defaultBodyLimit`. Every `apiRoute` starts with one, so no path needs an exception.
 */
export function routeBodyLimit(ownBytes?: number): MiddlewareHandler<LimitVars> {
  const own = ownBytes === undefined ? undefined : requestBodyLimit(ownBytes);
  let byDefault: { bytes: number; limit: MiddlewareHandler } | undefined;
  return function limitRouteBody(c, next) {
    if (own) return own(c, next);
    const bytes = c.get('bodyLimitBytes');
    if (bytes === undefined) throw new Error('routeBodyLimit: no default body limit; mount the router through createApiApp');
    if (byDefault?.bytes !== bytes) byDefault = { bytes, limit: requestBodyLimit(bytes) };
    return byDefault.limit(c, next);
  };
}
