/**
 * Fixed-window rate limit in Redis, shared by every API process: one counter per key per window.
 * Answers 429 with Retry-After. If Redis cannot be asked, the request goes through (fail open):
 * the rate limit protects the service, it must not become the outage.
 *
 * `syncMs` (the per-address limit of every /v1 request): a key's first hit of a window in this
 * process asks Redis as before; later hits are counted here and sent as one INCRBY per key every
 * `syncMs`, each answer bringing back the other processes' hits. One process decides exactly as
 * before; across processes a client can pass the limit by what the others counted within the last
 * `syncMs`. Without it (limits of a few per account) every hit is one Redis call, exact everywhere.
 */
import { fileURLToPath } from 'node:url';
import type { Context, MiddlewareHandler } from 'hono';
import { counter } from '../../common/metrics.js';
import { Problem } from '../../common/problem.js';
import type { RedisClient } from '../../common/redis-connection.js';
import type { Logger } from '../../common/logger.js';
import { fixedWindowCounter, type CountHit } from '../../common/fixed-window-counter.js';
import type { Result } from 'ioredis';
import { redisKeys } from '../../common/redis-keys.js';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    usherPassGate(active: string, counter: string, releases: string, jti: string, nowMs: number, windowS: number): Result<[number, number, number], Context>;
  }
}

export const rateLimitLuaDir = fileURLToPath(new URL('./lua/', import.meta.url));

const limited = counter('usher_api_rate_limited_total', 'requests refused by a rate limit', ['limit']);

export interface RateLimitOptions {
  name: string;
  redis: RedisClient;
  limit: number;
  windowS: number;
  /** The bucket of this request; undefined skips the limit. */
  key: (c: Context) => string | undefined;
  log?: Logger;
  /** Count locally and send the hits to Redis every this many ms (see above); omitted: one call per hit. */
  syncMs?: number;
}

/** ioredis states between losing the connection and the next attempt (not the first connect). */
const LOST = new Set(['reconnecting', 'close', 'end']);

export function rateLimit(options: RateLimitOptions): MiddlewareHandler {
  const { name, redis, limit, windowS, key, log, syncMs } = options;
  if (!Number.isInteger(limit) || limit < 1) throw new Error(`rateLimit ${name}: limit must be a positive integer`);
  if (!Number.isInteger(windowS) || windowS < 1) throw new Error(`rateLimit ${name}: windowS must be a positive integer`);
  if (syncMs !== undefined && !(Number.isInteger(syncMs) && syncMs >= 1 && syncMs < windowS * 1000)) throw new Error(`rateLimit ${name}: syncMs must be a whole number of ms below the window`);
  const countHit = fixedWindowCounter(redis);
  // the counter outlives its window by a second: a late request of the window still finds it
  const lifetimeMs = (windowS + 1) * 1000;
  const warn = (err: unknown): void => log?.warn({ err: (err as Error).message, limit: name }, 'rate limit unavailable, letting the request through');
  const local = syncMs === undefined ? undefined : localCounts(countHit, lifetimeMs, syncMs, warn);
  return async function rateLimiter(c, next) {
    const who = key(c);
    if (who === undefined) return next();
    const window = Math.floor(Date.now() / 1000 / windowS);
    const redisKey = redisKeys.rateWindow(name, who, window);
    // Connection lost: fail open now rather than at the client's next reconnect attempt, so an
    // outage costs a request one wait on Redis (its own route's), not two.
    const lost = LOST.has(redis.status);
    let count: number | undefined;
    if (local) count = local.hit(redisKey) ?? (lost ? undefined : await local.first(redisKey, window));
    else if (!lost) {
      try {
        count = await countHit(redisKey, lifetimeMs);
      } catch (err) {
        warn(err);
      }
    }
    if (count !== undefined) enforceLimit(c, name, limit, windowS, count);
    await next();
  };
}

interface LocalCount { window: number; known: number; sending: number; unsent: number; first?: Promise<number | undefined> }

/**
 * This process's view of each counter: `known` is Redis's count at the last answer (every process's
 * hits), `sending` this process's hits on their way there, `unsent` its hits since. One timer sends
 * every key's unsent hits.
 */
function localCounts(countHit: CountHit, lifetimeMs: number, syncMs: number, warn: (err: unknown) => void) {
  const counts = new Map<string, LocalCount>();
  let timer: NodeJS.Timeout | undefined;
  let latestWindow = -1;
  const total = (e: LocalCount): number => e.known + e.sending + e.unsent;
  const sync = (): void => {
    timer = undefined;
    for (const [redisKey, e] of counts) {
      if (e.window < latestWindow && e.sending === 0 && e.unsent === 0) counts.delete(redisKey);
      if (e.unsent === 0) continue;
      const hits = e.unsent;
      e.unsent = 0;
      e.sending += hits;
      // answers come in order (one connection): an answer counts every hit sent before it
      countHit(redisKey, lifetimeMs, hits).then(
        (n) => { e.sending -= hits; e.known = Math.max(e.known, n); },
        (err: unknown) => { e.sending -= hits; e.known += hits; warn(err); },
      );
    }
  };
  const schedule = (): void => {
    if (!timer) timer = setTimeout(sync, syncMs).unref();
  };
  return {
    /** Counts a hit locally when this key already has a count this window; undefined: ask `first`. */
    hit(redisKey: string): number | undefined {
      const e = counts.get(redisKey);
      if (!e || e.first) return undefined;
      e.unsent++;
      schedule();
      return total(e);
    },
    /** The key's first hit of the window in this process (or one while that first is out): Redis decides. */
    async first(redisKey: string, window: number): Promise<number | undefined> {
      if (window > latestWindow) {
        latestWindow = window;
        schedule();
      }
      let e = counts.get(redisKey);
      if (e?.first) {
        // a hit while the first one is being counted: counted here, sent with the next sync
        await e.first;
        e.unsent++;
        schedule();
        return total(e);
      }
      e = { window, known: 0, sending: 1, unsent: 0 };
      const entry = e;
      counts.set(redisKey, entry);
      const settle = (n: number): void => { entry.sending -= 1; entry.known = Math.max(entry.known, n); entry.first = undefined; };
      entry.first = countHit(redisKey, lifetimeMs).then(
        (n) => { settle(n); return n; },
        // fail open for this hit; it still counts here, so the process keeps limiting while Redis is away
        (err: unknown) => { settle(entry.known + 1); warn(err); return undefined; },
      );
      return entry.first;
    },
  };
}

/** Answers 429 (with Retry-After) once `count` passes `limit`; otherwise tells the client what is left. */
export function enforceLimit(c: Context, name: string, limit: number, windowS: number, count: number): void {
  if (count > limit) {
    limited.inc({ limit: name });
    const retryAfter = windowS - (Math.floor(Date.now() / 1000) % windowS);
    c.header('Retry-After', String(retryAfter));
    throw new Problem(429, 'rate_limited', `too many requests (${name}: ${limit} per ${windowS}s); retry in ${retryAfter}s`);
  }
  c.header('RateLimit', `limit=${limit}, remaining=${Math.max(0, limit - count)}`);
}

/** A 429 for a limit that knows its own wait (a per-account or per-address limiter): Retry-After and `retryAfterS`. */
export function refuseFor(c: Context, waitS: number, code: string, detail: string): never {
  c.header('Retry-After', String(waitS));
  throw new Problem(429, code, detail, { retryAfterS: waitS });
}
