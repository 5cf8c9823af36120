/**
 * The one way to declare an API route: `apiRoute()` (zod-openapi's `createRoute` plus the gates
 * every route shares), mounted with `router.openapi(route, handler)` on an `apiRouter()`. The zod
 * schemas that validate the request are the ones `/openapi.json` shows, so the two cannot drift.
 *
 * A request passes, in order: the route's body limit; its path parameters (a malformed id is a
 * 400, not an auth failure); the route's own middleware (auth first, so a stranger's body is never
 * parsed); the JSON body gate (415, 400); then zod on query, params, headers and body, whose
 * failures `validationHook` turns into 400 (422 for a body) `validation_failed` problems.
 */
import { createRoute, OpenAPIHono, type Hook, type RouteConfig } from '@hono/zod-openapi';
import type { Env, MiddlewareHandler } from 'hono';
import type { z } from 'zod';
import { Problem } from '../../common/problem.js';
import { routeBodyLimit } from './body-limit.js';
import { problemResponses } from './openapi-document.js';

type Target = 'json' | 'form' | 'query' | 'param' | 'header' | 'cookie';
const WHERE: Record<Target, string> = { json: 'body', form: 'body', query: 'query parameters', param: 'path parameters', header: 'headers', cookie: 'cookies' };

export interface FieldError { path: string; message: string }

function validationFailed(target: Target, errors: FieldError[]): Problem {
  const status = target === 'json' || target === 'form' ? 422 : 400;
  return new Problem(status, 'validation_failed', `invalid ${WHERE[target]}: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`, { errors });
}

const pathOf = (path: PropertyKey[]): string => path.map(String).join('.') || '(root)';

/** Where a NUL character hides in a parsed value (PostgreSQL refuses it in text), or undefined. */
export function findNul(value: unknown, path: PropertyKey[] = []): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? pathOf(path) : undefined;
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) {
      const at = findNul(v, [...path, i]);
      if (at !== undefined) return at;
    }
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const at = k.includes('\u0000') ? pathOf([...path, k]) : findNul(v, [...path, k]);
      if (at !== undefined) return at;
    }
  }
  return undefined;
}

export function refuseNul(target: Target, value: unknown): void {
  const at = findNul(value);
  if (at !== undefined) throw validationFailed(target, [{ path: at, message: 'must not contain a NUL character (\\u0000)' }]);
}

/**
 * Every validated value goes through here (zod-openapi calls it for each part, passed or failed):
 * a failure becomes the one `validation_failed` problem, and no text with a NUL in it passes on.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the hook serves every route's types
export const validationHook: Hook<any, any, any, any> = (result) => {
  const target = result.target as Target;
  if (!result.success) throw validationFailed(target, result.error.issues.map((i) => ({ path: pathOf(i.path), message: i.message })));
  refuseNul(target, result.data);
};

/** A feature's router: every route on it is declared with `apiRoute` and lands in /openapi.json. */
export function apiRouter<E extends Env>(): OpenAPIHono<E> {
  return new OpenAPIHono<E>({ defaultHook: validationHook });
}

const JSON_TYPE = /^application\/([a-z-.]+\+)?json(;\s*[a-zA-Z0-9-]+=([^;]+))*$/i;

/** Reads the JSON body once, with our codes: 415 not JSON, 400 `body_required`, 400 `malformed_json`. */
function jsonBodyGate(required: boolean): MiddlewareHandler {
  return async function readJsonBody(c, next) {
    const type = c.req.header('content-type');
    const isJson = type !== undefined && JSON_TYPE.test(type);
    if (type !== undefined && !isJson) throw new Problem(415, 'unsupported_media_type', 'send the body as application/json');
    const text = await c.req.text();
    if (text.trim() === '') {
      if (required) throw isJson ? new Problem(400, 'body_required', 'a JSON body is required') : new Problem(415, 'unsupported_media_type', 'send the body as application/json');
      if (isJson) c.req.bodyCache.json = Promise.resolve({});
      return next();
    }
    if (!isJson) throw new Problem(415, 'unsupported_media_type', 'send the body as application/json');
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new Problem(400, 'malformed_json', 'the body is not valid JSON');
    }
    // zod-openapi's validator reads c.req.json(): hand it this parse rather than a second one
    c.req.bodyCache.json = Promise.resolve(parsed);
    return next();
  };
}

function paramsGate(schema: z.ZodType): MiddlewareHandler {
  return async function validateParamsFirst(c, next) {
    validationHook({ ...schema.safeParse(c.req.param()), target: 'param' }, c);
    await next();
  };
}

export type ApiRouteConfig = RouteConfig & {
  /** Largest body this route reads; the API's BODY_LIMIT_BYTES when omitted. */
  bodyLimitBytes?: number;
};

function isZod(x: unknown): x is z.ZodType {
  return typeof (x as { safeParse?: unknown } | undefined)?.safeParse === 'function';
}

/** `createRoute`, with the shared gates placed around the route's own middleware and the problem answers documented. */
export function apiRoute<P extends string, R extends Omit<ApiRouteConfig, 'path'> & { path: P }>(config: R): R {
  const { bodyLimitBytes, middleware = [], ...route } = config;
  const own = Array.isArray(middleware) ? middleware : [middleware];
  const params = route.request?.params;
  const json = route.request?.body?.content?.['application/json'];
  const gates: MiddlewareHandler[] = [
    routeBodyLimit(bodyLimitBytes),
    ...(isZod(params) ? [paramsGate(params)] : []),
    ...own,
    ...(json ? [jsonBodyGate(route.request?.body?.required === true)] : []),
  ];
  return createRoute({ ...route, middleware: gates, responses: { ...route.responses, ...problemResponses } }) as unknown as R;
}

/** A JSON answer of a route: `responses: { 200: jsonAnswer(schema, 'what it is') }`. */
export const jsonAnswer = <S extends z.ZodType>(schema: S, description: string) => ({ description, content: { 'application/json': { schema } } });

/** A JSON request body (required unless said otherwise): `request: { body: jsonBody(schema) }`. */
export const jsonBody = <S extends z.ZodType>(schema: S, required = true) => ({ required, content: { 'application/json': { schema } } });
