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
import type { Context, Env, MiddlewareHandler } from 'hono';
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

/** Set by `apiRoute` on its config: its gates validate every part of the request themselves. */
const VALIDATES_ITSELF = Symbol('usher.apiRoute.validatesItself');

/**
 * A feature's router: every route on it is declared with `apiRoute` and lands in /openapi.json.
 * An `apiRoute` validates its request once, in its own gates (synchronous zod, the same hook): its
 * schemas are registered for the document here, and zod-openapi is handed the route without them,
 * so it does not validate the same parts a second time (an async safeParse each) behind our gates.
 */
export function apiRouter<E extends Env>(): OpenAPIHono<E> {
  const router = new OpenAPIHono<E>({ defaultHook: validationHook });
  const mount = router.openapi;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the wrapper serves every route's types
  router.openapi = ((route: any, handler: any, hook?: any) => {
    if (hook !== undefined || route?.[VALIDATES_ITSELF] !== true) return mount(route, handler, hook);
    const { middleware: _middleware, hide, ...documented } = route as RouteConfig & { hide?: boolean };
    if (!hide) router.openAPIRegistry.registerPath(documented);
    return mount({ ...route, hide: true, request: notValidatedByZodOpenApi(route.request) }, handler);
  }) as typeof mount;
  return router;
}

/** The parts of a request zod-openapi would still validate: those our gates do not (a non-JSON body, cookies). */
function notValidatedByZodOpenApi(request: RouteConfig['request']): RouteConfig['request'] {
  if (!request) return request;
  const { params: _p, query: _q, headers: _h, body, ...rest } = request;
  return jsonOnly(body) ? rest : { ...rest, ...(body ? { body } : {}) };
}

function jsonOnly(body: NonNullable<RouteConfig['request']>['body']): boolean {
  const types = Object.keys(body?.content ?? {});
  return types.length === 1 && types[0] === 'application/json';
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

/** zod's answer, synchronously when the schema allows (none of ours is async; zod throws if one is): undefined means ask safeParseAsync. */
function parseNow(schema: z.ZodType, value: unknown): z.ZodSafeParseResult<unknown> | undefined {
  try {
    return schema.safeParse(value);
  } catch (err) {
    if ((err as Error)?.name === '$ZodAsyncError' || /async/i.test((err as Error)?.message ?? '')) return undefined;
    throw err;
  }
}

function recordPart(c: Context, target: Target, value: unknown, result: z.ZodSafeParseResult<unknown>): void {
  validationHook({ data: value, ...result, target } as never, c);
  c.req.addValidatedData(target, result.data as object);
}

/**
 * Validates one part through `validationHook` (400/422 problems, NUL refused) and makes it
 * `c.req.valid(target)`: in this turn (no promise per part on every request), or a promise when the
 * schema turned out to be async.
 */
function validatePart(c: Context, target: Target, schema: z.ZodType, value: unknown): Promise<void> | undefined {
  const result = parseNow(schema, value);
  if (result) {
    recordPart(c, target, value, result);
    return undefined;
  }
  return schema.safeParseAsync(value).then((r) => recordPart(c, target, value, r));
}

function paramsGate(schema: z.ZodType): MiddlewareHandler {
  return function validateParamsFirst(c, next) {
    const pending = validatePart(c, 'param', schema, c.req.param());
    return pending ? pending.then(next) : next();
  };
}

/** The header names of a schema, lowercased (as Node hands headers over) to the schema's spelling; zod-validator's map. */
function headerKeymap(schema: z.ZodType): Map<string, string> {
  const shape = (schema as unknown as { shape?: Record<string, unknown>; in?: { shape?: Record<string, unknown> } });
  const keys = Object.keys(shape.in?.shape ?? shape.shape ?? {});
  return new Map(keys.map((k) => [k.toLowerCase(), k]));
}

/**
 * Whether the schema is a plain z.object (unknown keys stripped, no catch-all): its answer then
 * depends only on its declared headers, so those alone are read. Reading every header makes
 * @hono/node-server build a WHATWG Headers of the whole request, on every hold.
 */
function readsOnlyDeclaredHeaders(schema: z.ZodType): boolean {
  const def = (schema as unknown as { _zod?: { def?: { type?: string; catchall?: unknown } } })._zod?.def;
  return def?.type === 'object' && def.catchall === undefined;
}

/**
 * Query, headers and the JSON body, in zod-openapi's order, each validated once (the values are
 * read as hono's validator reads them). `json`: the body schema when the route takes JSON only.
 */
function partsGate(request: RouteConfig['request'], json: z.ZodType | undefined, jsonRequired: boolean): MiddlewareHandler | undefined {
  const query = isZod(request?.query) ? request.query : undefined;
  const headers = isZod(request?.headers) ? request.headers : undefined;
  const keymap = headers ? headerKeymap(headers) : undefined;
  const declaredOnly = headers !== undefined && readsOnlyDeclaredHeaders(headers);
  if (!query && !headers && !json) return undefined;
  return async function validateRequestParts(c, next) {
    if (query) {
      const value = Object.fromEntries(Object.entries(c.req.queries()).map(([k, v]) => (v.length === 1 ? [k, v[0]] : [k, v])));
      const pending = validatePart(c, 'query', query, value);
      if (pending) await pending;
    }
    if (headers) {
      const value: Record<string, string> = {};
      if (declaredOnly) {
        for (const [lower, key] of keymap!) {
          const v = c.req.header(lower);
          if (v !== undefined) value[key] = v;
        }
      } else {
        for (const [k, v] of Object.entries(c.req.header())) value[keymap!.get(k) ?? k] = v;
      }
      const pending = validatePart(c, 'header', headers, value);
      if (pending) await pending;
    }
    if (json) {
      const type = c.req.header('content-type');
      // as zod-openapi did: an optional body sent without a type is `{}`, unvalidated
      if (!jsonRequired && !type) c.req.addValidatedData('json', {});
      else {
        const pending = validatePart(c, 'json', json, type && JSON_TYPE.test(type) ? await c.req.json() : {});
        if (pending) await pending;
      }
    }
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
  const required = route.request?.body?.required === true;
  const jsonSchema = (json as { schema?: unknown } | undefined)?.schema;
  const parts = partsGate(route.request, jsonOnly(route.request?.body) && isZod(jsonSchema) ? jsonSchema : undefined, required);
  const gates: MiddlewareHandler[] = [
    routeBodyLimit(bodyLimitBytes),
    ...(isZod(params) ? [paramsGate(params)] : []),
    ...own,
    ...(json ? [jsonBodyGate(required)] : []),
    ...(parts ? [parts] : []),
  ];
  const created = createRoute({ ...route, middleware: gates, responses: { ...route.responses, ...problemResponses } });
  return Object.assign(created, { [VALIDATES_ITSELF]: true }) as unknown as R;
}

/** A JSON answer of a route: `responses: { 200: jsonAnswer(schema, 'what it is') }`. */
export const jsonAnswer = <S extends z.ZodType>(schema: S, description: string) => ({ description, content: { 'application/json': { schema } } });

/** A JSON request body (required unless said otherwise): `request: { body: jsonBody(schema) }`. */
export const jsonBody = <S extends z.ZodType>(schema: S, required = true) => ({ required, content: { 'application/json': { schema } } });
