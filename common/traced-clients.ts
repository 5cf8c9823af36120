/**
 * Redis commands and PostgreSQL queries as client spans, by thin wrappers on the two clients this
 * codebase builds (connectRedis, createPgPool) instead of the module-patching instrumentations,
 * which need loader hooks under ESM. Applied only when tracing is on at connection time; a command
 * becomes a span only under an active span (common/tracing.ts startClientSpan), so background
 * polling (BullMQ, the sweeper) makes no traces of its own.
 */
import type { Command } from 'ioredis';
import type pg from 'pg';
import { failSpan, startClientSpan, tracingEnabled, type Span } from './tracing.js';

const traced = new WeakSet<object>();
const MAX_STATEMENT = 300;

function settle(span: Span | undefined, p: Promise<unknown>): void {
  if (!span) return;
  p.then(() => span.end(), (err: unknown) => {
    failSpan(span, err);
    span.end();
  });
}

interface SendsCommands {
  sendCommand(command: Command, stream?: unknown): unknown;
}

/** Each command sent under an active span becomes `redis <COMMAND>` (EVALSHA names its script's sha). */
export function traceRedis<T extends object>(client: T): T {
  if (!tracingEnabled() || traced.has(client)) return client;
  traced.add(client);
  const target = client as unknown as SendsCommands;
  const send = target.sendCommand.bind(target);
  target.sendCommand = (command, stream) => {
    const span = startClientSpan(`redis ${command.name.toUpperCase()}`, {
      'db.system.name': 'redis',
      'db.operation.name': command.name.toUpperCase(),
      ...(command.name === 'evalsha' ? { 'db.redis.script_sha': String(command.args[0] ?? '') } : {}),
    });
    const result = send(command, stream);
    settle(span, command.promise);
    return result;
  };
  return client;
}

type Query = (...args: unknown[]) => unknown;

function statementOf(arg: unknown): string {
  const text = typeof arg === 'string' ? arg : (arg as { text?: string } | undefined)?.text ?? '';
  return text.replace(/\s+/g, ' ').trim();
}

function tracedQuery(query: Query): Query {
  return function (this: unknown, ...args: unknown[]) {
    // the callback form is pg-pool's own (pool.query → client.query): the pool's span covers it
    if (typeof args.at(-1) === 'function') return query.apply(this, args);
    const statement = statementOf(args[0]);
    const span = startClientSpan(`pg ${statement.split(' ', 1)[0]?.toUpperCase() ?? 'QUERY'}`, {
      'db.system.name': 'postgresql',
      'db.query.text': statement.slice(0, MAX_STATEMENT),
    });
    const result = query.apply(this, args);
    if (result instanceof Promise) settle(span, result);
    else span?.end();
    return result;
  };
}

/** pool.query and the queries of clients checked out with pool.connect() become `pg <VERB>` spans. */
export function tracePg(pool: pg.Pool): pg.Pool {
  if (!tracingEnabled() || traced.has(pool)) return pool;
  traced.add(pool);
  pool.query = tracedQuery(pool.query as Query) as typeof pool.query;
  pool.on('connect', (client) => {
    client.query = tracedQuery(client.query as Query) as typeof client.query;
  });
  return pool;
}
