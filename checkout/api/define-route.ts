/**
 * One declaration per route: its zod schemas validate the request AND document it in OpenAPI, so
 * the two cannot drift. Path parameters are checked before any middleware (a malformed id is a 400,
 * not an auth failure); headers, query and body after the route's middleware (auth first).
 */
import type { Context, Hono, MiddlewareHandler } from 'hono';
import type { z } from 'zod';
import { Problem } from '../../common/problem.js';
import type { ApiEnv } from './api-env.js';
import { registerRouteDoc, type RouteDoc } from './openapi-registry.js';

type Schemas = { params?: z.ZodType; query?: z.ZodType; headers?: z.ZodType; body?: z.ZodType };
export type RouteInput<S extends Schemas> = { [K in keyof S]-?: S[K] extends z.ZodType ? z.output<S[K]> : undefined };

export interface RouteSpec<S extends Schemas> extends Omit<RouteDoc, keyof Schemas> {
  schemas: S;
  use?: MiddlewareHandler<ApiEnv>[];
}

function issues(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((i) => ({ path: i.path.join('.') || '(root)', message: i.message }));
}

function parse<T extends z.ZodType>(schema: T, value: unknown, where: string, status: number): z.output<T> {
  const r = schema.safeParse(value);
  if (!r.success) throw new Problem(status, 'validation_failed', `invalid ${where}`, { errors: issues(r.error) });
  return r.data;
}

async function readJson(c: Context): Promise<unknown> {
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/(.+\+)?json\b/i.test(type)) throw new Problem(415, 'unsupported_media_type', 'send the body as application/json');
  const text = await c.req.text();
  if (text.trim() === '') throw new Problem(400, 'body_required', 'a JSON body is required');
  try {
    return JSON.parse(text);
  } catch {
    throw new Problem(400, 'malformed_json', 'the body is not valid JSON');
  }
}

export function defineRoute<S extends Schemas>(
  router: Hono<ApiEnv>,
  spec: RouteSpec<S>,
  handler: (c: Context<ApiEnv>, input: RouteInput<S>) => Promise<Response> | Response,
): void {
  const { schemas, use = [], ...doc } = spec;
  registerRouteDoc({ ...doc, ...schemas });
  const checkParams: MiddlewareHandler<ApiEnv> = async function validateParams(c, next) {
    if (schemas.params) parse(schemas.params, c.req.param(), 'path parameters', 400);
    await next();
  };
  const run: MiddlewareHandler<ApiEnv> = async function validatedHandler(c) {
    const input = {
      params: schemas.params ? parse(schemas.params, c.req.param(), 'path parameters', 400) : undefined,
      query: schemas.query ? parse(schemas.query, c.req.query(), 'query parameters', 400) : undefined,
      headers: schemas.headers ? parse(schemas.headers, c.req.header(), 'headers', 400) : undefined,
      body: schemas.body ? parse(schemas.body, await readJson(c), 'body', 422) : undefined,
    } as RouteInput<S>;
    c.set('input', input);
    return handler(c, input);
  };
  router.on(doc.method.toUpperCase(), doc.path, checkParams, ...use, run);
}
