/**
 * The edge's HTTP surface documented in OpenAPI 3.1 (`GET /openapi.json` on the edge): each module
 * that mounts routes declares them as `EdgeRouteDoc`s beside its mount function, with the zod
 * schemas the route validates with; the document is their JSON Schemas (zod 4 `z.toJSONSchema`,
 * draft 2020-12, which OpenAPI 3.1 speaks). `recordRoutes` notes what is actually mounted, so a
 * test can hold the two together (edge-openapi.test.ts).
 */
import type { TemplatedApp } from 'uWebSockets.js';
import { z } from 'zod';
import { replyTo } from './http-reply.js';
import { problemBodySchema } from './edge-http-schemas.js';

export interface EdgeResponseDoc {
  description: string;
  /** The body's schema; none for a body the route does not describe (an upgrade, a page). */
  schema?: z.ZodType;
  /** default application/json (application/problem+json for 4xx and 5xx) */
  contentType?: string;
}

export interface EdgeRouteDoc {
  /** A WebSocket is documented as the GET that upgrades. */
  method: 'get' | 'post';
  /** The uWS pattern as mounted, e.g. `/v1/sales/:sale/status`. */
  path: string;
  summary: string;
  description?: string;
  tag: 'queue' | 'visitors' | 'controls' | 'passes' | 'pages' | 'operations';
  security?: 'visitor' | 'admin';
  /** A schema per `:param` of the path (they are strings on the wire). */
  params?: Record<string, z.ZodType>;
  /** The JSON body the route validates; none: it reads no body. */
  body?: z.ZodType;
  responses: Record<number, EdgeResponseDoc>;
}

const problemTitles: Record<number, string> = {
  400: 'malformed request (bad sale id, body not JSON)', 401: 'missing or invalid bearer token', 403: 'not allowed (not an admin; a missing proof of work)',
  404: 'unknown sale', 409: 'not now: no offer to take, or the queue is not open yet', 410: 'gone: the sale closed, or the offer lapsed', 413: 'body larger than EDGE_BODY_LIMIT_BYTES', 422: 'body does not match the schema', 429: 'per-address limit reached',
  503: 'Redis or PostgreSQL unavailable (`dependency_down`): retry',
};

/** The problem answers a route may give, by status. */
export function problems(...statuses: number[]): Record<number, EdgeResponseDoc> {
  return Object.fromEntries(statuses.map((s) => [s, { description: problemTitles[s] ?? 'problem', schema: problemBodySchema, contentType: 'application/problem+json' }]));
}

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}

/** `/v1/sales/:sale/status` → `/v1/sales/{sale}/status`, as OpenAPI names a path. */
export const openApiPath = (pattern: string): string => pattern.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

export function edgeOpenApiDocument(routes: readonly EdgeRouteDoc[], serverUrl: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const params = [...r.path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]!);
    const responses = Object.fromEntries(Object.entries(r.responses).map(([status, res]) => {
      const type = res.contentType ?? (Number(status) >= 400 ? 'application/problem+json' : 'application/json');
      return [status, { description: res.description, ...(res.schema ? { content: { [type]: { schema: jsonSchema(res.schema, 'output') } } } : {}) }];
    }));
    (paths[openApiPath(r.path)] ??= {})[r.method] = {
      summary: r.summary,
      ...(r.description ? { description: r.description } : {}),
      tags: [r.tag],
      operationId: `${r.method}${openApiPath(r.path).replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      ...(r.security ? { security: [{ [r.security === 'visitor' ? 'visitorToken' : 'adminToken']: [] }] } : {}),
      ...(params.length > 0
        ? { parameters: params.map((name) => ({ name, in: 'path', required: true, schema: jsonSchema(r.params?.[name] ?? z.string(), 'input') })) }
        : {}),
      ...(r.body ? { requestBody: { required: false, content: { 'application/json': { schema: jsonSchema(r.body, 'input') } } } } : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Usher edge',
      version: '1',
      description: 'The waiting-room edge over HTTP: visitor tokens, the queue status fallback, live sale controls, the admission-pass JWKS. The WebSocket protocol (v1) is described in queue-edge/README.md.',
    },
    servers: [{ url: serverUrl }],
    components: {
      securitySchemes: {
        visitorToken: { type: 'http', scheme: 'bearer', description: 'a visitor token from POST /v1/visitors' },
        adminToken: { type: 'http', scheme: 'bearer', description: 'an admin account access token, or ADMIN_API_TOKEN' },
      },
    },
    paths,
  };
}

export const openApiDoc: EdgeRouteDoc = {
  method: 'get', path: '/openapi.json', tag: 'operations', summary: 'this document',
  responses: { 200: { description: 'OpenAPI 3.1' } },
};

/** Serves the document, built once: the routes do not change while the edge runs. */
export function mountEdgeOpenApi(app: TemplatedApp, routes: readonly EdgeRouteDoc[], serverUrl: string): void {
  const body = JSON.stringify(edgeOpenApiDocument([...routes, openApiDoc], serverUrl));
  app.get(openApiDoc.path, (res) => replyTo(res).send(200, body, { 'content-type': 'application/json', 'cache-control': 'public, max-age=300' }));
}

export interface MountedRoute {
  /** `get`, `post`, … as uWS names them; a WebSocket is `ws`, the catch-all `any`. */
  method: string;
  pattern: string;
}

const ROUTE_METHODS = new Set(['get', 'post', 'put', 'patch', 'del', 'options', 'head', 'connect', 'trace', 'any', 'ws']);

/** `app` noting every route mounted on it, for the test that holds the document to the routes. */
export function recordRoutes(app: TemplatedApp): { app: TemplatedApp; routes: MountedRoute[] } {
  const routes: MountedRoute[] = [];
  const recording = new Proxy(app, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop);
      if (typeof prop !== 'string' || typeof value !== 'function') return value;
      const fn = value as (...args: unknown[]) => unknown;
      if (!ROUTE_METHODS.has(prop)) return fn.bind(target);
      return (pattern: string, ...rest: unknown[]) => {
        routes.push({ method: prop, pattern });
        fn.call(target, pattern, ...rest);
        return recording;
      };
    },
  });
  return { app: recording, routes };
}
