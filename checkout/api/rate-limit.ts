/**
 * Fixed-window rate limit in Redis, shared by every API process: one counter per key per window.
 * Answers 429 with Retry-After. If Redis cannot be asked, the request goes through (fail open):
 * the rate limit protects the service, it must not become the outage.
 */
import { fileURLToPath } from 'node:url';
import type { Context, MiddlewareHandler } from 'hono';
import { counter } from '../../common/metrics.js';
import { Problem } from '../../common/problem.js';
import type { RedisClient } from '../../common/redis-connection.js';
import type { Logger } from '../../common/logger.js';
import { fixedWindowCounter } from '../../common/fixed-window-counter.js';
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
}

/** ioredis states between losing the connection and the next attempt (not the first connect). */
const LOST = new Set(['reconnecting', 'close', 'end']);

export function rateLimit(options: RateLimitOptions): MiddlewareHandler {
  const { name, redis, limit, windowS, key, log } = options;
  if (!Number.isInteger(limit) || limit < 1) throw new Error(`rateLimit ${name}: limit must be a positive integer`);
  if (!Number.isInteger(windowS) || windowS < 1) throw new Error(`rateLimit ${name}: windowS must be a positive integer`);
  const countHit = fixedWindowCounter(redis);
  // the counter outlives its window by a second: a late request of the window still finds it
  const lifetimeMs = (windowS + 1) * 1000;
  return async function rateLimiter(c, next) {
    const who = key(c);
    // Connection lost: fail open now rather than at the client's next reconnect attempt, so an
    // outage costs a request one wait on Redis (its own route's), not two.
    if (who === undefined || LOST.has(redis.status)) return next();
    const window = Math.floor(Date.now() / 1000 / windowS);
    const redisKey = redisKeys.rateWindow(name, who, window);
    let count: number | undefined;
    try {
      count = await countHit(redisKey, lifetimeMs);
    } catch (err) {
      log?.warn({ err: (err as Error).message, limit: name }, 'rate limit unavailable, letting the request through');
    }
    if (count !== undefined) enforceLimit(c, name, limit, windowS, count);
    await next();
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
