/**
 * uWS HTTP plumbing for the edge's async routes: `onAborted` is registered when the reply is made
 * (before any await), late writes are corked and skipped once the client is gone, bodies are read
 * with a size limit, and every error becomes an RFC 9457 problem at this one boundary.
 */
import type { HttpResponse } from 'uWebSockets.js';
import type { Logger } from '../common/logger.js';
import { Problem, PROBLEM_CONTENT_TYPE } from '../common/problem.js';
import { clientAddress } from '../common/client-address.js';
import { edgeProblemOf, internalProblem } from './edge-problems.js';

const statusLine: Record<number, string> = {
  200: '200 OK', 201: '201 Created', 304: '304 Not Modified', 400: '400 Bad Request', 401: '401 Unauthorized', 403: '403 Forbidden',
  404: '404 Not Found', 405: '405 Method Not Allowed', 409: '409 Conflict', 410: '410 Gone', 413: '413 Content Too Large',
  415: '415 Unsupported Media Type', 422: '422 Unprocessable Content', 429: '429 Too Many Requests', 500: '500 Internal Server Error',
  503: '503 Service Unavailable',
};

export interface Reply {
  readonly res: HttpResponse;
  aborted: boolean;
  send(status: number, body: string, headers?: Record<string, string>): void;
  json(status: number, body: unknown, headers?: Record<string, string>): void;
  problem(problem: Problem): void;
}

/** Call first thing in a handler: from here on the response may be written after an await. */
export function replyTo(res: HttpResponse): Reply {
  const reply: Reply = {
    res,
    aborted: false,
    send(status, body, headers = {}) {
      if (reply.aborted) return;
      reply.aborted = true; // written once: a second write would touch a finished response
      res.cork(() => {
        res.writeStatus(statusLine[status] ?? `${status} Status`);
        for (const [k, v] of Object.entries(headers)) res.writeHeader(k, v);
        res.end(body);
      });
    },
    json(status, body, headers = {}) {
      reply.send(status, JSON.stringify(body), { 'content-type': 'application/json', ...headers });
    },
    problem(problem) {
      reply.send(problem.status, JSON.stringify(problem.body), { 'content-type': PROBLEM_CONTENT_TYPE, 'cache-control': 'no-store' });
    },
  };
  res.onAborted(() => {
    reply.aborted = true;
  });
  return reply;
}

/**
 * Reads the whole body (call it before the handler's first await, with the request's
 * Content-Length header), refusing more than `limit` bytes: at once when Content-Length says so,
 * else as soon as a chunked body grows past it. The caller answers the refusal without waiting for
 * the rest of the body.
 */
export function readBody(res: HttpResponse, contentLength: string, limit: number): Promise<Buffer> {
  const tooLarge = (): Problem => new Problem(413, 'body_too_large', `the body exceeds ${limit} bytes`);
  if (Number(contentLength) > limit) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    res.onData((chunk, isLast) => {
      if (failed) return;
      size += chunk.byteLength;
      if (size > limit) {
        failed = true;
        reject(tooLarge());
        return;
      }
      chunks.push(Buffer.from(chunk.slice(0))); // the ArrayBuffer is neutered after this callback
      if (isLast) resolve(Buffer.concat(chunks));
    });
  });
}

/** Runs an async route; domain errors and outages become problems (edge-problems.ts), anything else is logged and becomes a 500. */
export function runRoute(reply: Reply, log: Logger, route: () => Promise<void>): void {
  route().catch((err: unknown) => {
    const problem = edgeProblemOf(err);
    if (problem) return reply.problem(problem);
    log.error({ err }, 'edge route failed');
    reply.problem(internalProblem());
  });
}

/** The client address of a uWS request, as common/client-address.ts decides it for every role. */
export function clientIp(res: HttpResponse, forwardedFor: string, trustProxy: boolean): string {
  return clientAddress(forwardedFor, Buffer.from(res.getRemoteAddressAsText()).toString(), trustProxy);
}
