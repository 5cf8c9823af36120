/**
 * Request input for the catalog, accounts and admin routes: every body, query, header and path
 * parameter goes through a zod schema here, so a bad one is a 400 problem naming each field and
 * never reaches a handler that could change something.
 */
import type { Context } from 'hono';
import type { z } from 'zod';
import { Problem } from '../../common/problem.js';

export type InputPart = 'body' | 'query' | 'path' | 'header';

export function parseInput<S extends z.ZodType>(schema: S, value: unknown, part: InputPart): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const errors = result.error.issues.map((i) => ({ path: [part, ...i.path.map(String)].join('.'), message: i.message }));
  throw new Problem(400, 'invalid_request', `invalid ${part}: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`, { errors });
}

/** Parses the JSON body; a missing or malformed body is a 400 like any other bad input. */
export async function jsonBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/(.+\+)?json\b/i.test(type)) throw new Problem(415, 'unsupported_media_type', 'send the body as application/json');
  let raw: unknown;
  try {
    raw = await c.req.json();
  } catch {
    throw new Problem(400, 'invalid_json', 'the body is not valid JSON');
  }
  return parseInput(schema, raw, 'body');
}

export function queryOf<S extends z.ZodType>(c: Context, schema: S): z.output<S> {
  return parseInput(schema, c.req.query(), 'query');
}

export function pathOf<S extends z.ZodType>(c: Context, schema: S): z.output<S> {
  return parseInput(schema, c.req.param(), 'path');
}
