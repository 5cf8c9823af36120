/**
 * The OpenAPI 3.1 document, generated from the very zod schemas the routes validate with:
 * `defineRoute` registers each route here, `/openapi.json` serves `openApiDocument()`.
 */
import { z } from 'zod';

export interface RouteDoc {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Hono-style path, e.g. /v1/holds/:id */
  path: string;
  summary: string;
  tags?: string[];
  security?: 'pass' | 'order_token' | 'stripe_signature' | 'account';
  params?: z.ZodType;
  query?: z.ZodType;
  headers?: z.ZodType;
  body?: z.ZodType;
  responses: Record<number, { description: string; schema?: z.ZodType }>;
}

const docs = new Map<string, RouteDoc>();

export function registerRouteDoc(doc: RouteDoc): void {
  docs.set(`${doc.method} ${doc.path}`, doc);
}

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  return z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
}

function parameters(where: 'path' | 'query' | 'header', schema: z.ZodType | undefined): unknown[] {
  if (!schema) return [];
  const s = jsonSchema(schema, 'input') as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(s.properties ?? {}).map(([name, prop]) => ({
    name, in: where, required: where === 'path' || (s.required ?? []).includes(name), schema: prop,
  }));
}

const problemSchema = {
  type: 'object',
  properties: { type: { type: 'string' }, title: { type: 'string' }, status: { type: 'integer' }, detail: { type: 'string' }, code: { type: 'string' } },
  required: ['type', 'title', 'status'],
};

export function openApiDocument(info: { title: string; version: string; serverUrl: string }): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const d of [...docs.values()].sort((a, b) => a.path.localeCompare(b.path))) {
    const path = d.path.replace(/:(\w+)/g, '{$1}');
    const responses: Record<string, unknown> = {};
    for (const [status, r] of Object.entries(d.responses)) {
      responses[status] = r.schema ? { description: r.description, content: { 'application/json': { schema: jsonSchema(r.schema, 'output') } } } : { description: r.description };
    }
    responses.default = { description: 'A problem (RFC 9457)', content: { 'application/problem+json': { schema: problemSchema } } };
    (paths[path] ??= {})[d.method] = {
      summary: d.summary,
      tags: d.tags,
      parameters: [...parameters('path', d.params), ...parameters('query', d.query), ...parameters('header', d.headers)],
      ...(d.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(d.body, 'input') } } } } : {}),
      ...(d.security ? { security: [{ [d.security]: [] }] } : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: info.title, version: info.version },
    servers: [{ url: info.serverUrl }],
    components: {
      securitySchemes: {
        pass: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'admission pass from the waiting room' },
        order_token: { type: 'http', scheme: 'bearer', description: 'signed order token (confirmation link) or account access token' },
        stripe_signature: { type: 'apiKey', in: 'header', name: 'Stripe-Signature' },
        account: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'account access token (POST /v1/auth/login)' },
      },
    },
    paths,
  };
}
