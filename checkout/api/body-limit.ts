import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { Problem } from '../../common/problem.js';

/** Refuses bodies over `maxBytes` with a 413 problem, before any of it is parsed. */
export function requestBodyLimit(maxBytes: number): MiddlewareHandler {
  if (!Number.isInteger(maxBytes) || maxBytes < 1) throw new Error('requestBodyLimit: maxBytes must be a positive integer');
  const limit = bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new Problem(413, 'body_too_large', `request bodies are limited to ${maxBytes} bytes`);
    },
  });
  return async function limitRequestBody(c, next) {
    return limit(c, next);
  };
}
