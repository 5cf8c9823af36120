/**
 * The one fixed-window counter of every role (the API's rate limits, the edge's abuse limits):
 * `lua/countHit-1.lua` counts a hit and sets the counter's expiry in one atomic step, one EVALSHA
 * per hit (a MULTI would build an ioredis Pipeline object on every request).
 */
import { fileURLToPath } from 'node:url';
import type { Result } from 'ioredis';
import { defineScripts } from './lua-script-loader.js';
import type { RedisClient } from './redis-connection.js';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    usherCountHit(key: string, lifetimeMs: number, hits?: number): Result<number, Context>;
  }
}

export const commonLuaDir = fileURLToPath(new URL('./lua/', import.meta.url));

/** Counts `hits` (1 when omitted) on `key` and answers the count including them; `key` names its window. */
export type CountHit = (key: string, lifetimeMs: number, hits?: number) => Promise<number>;

/** The counter on `redis` (the script is defined once per client). */
export function fixedWindowCounter(redis: RedisClient): CountHit {
  defineScripts(redis, commonLuaDir, { usherCountHit: 'countHit' });
  return (key, lifetimeMs, hits) => (hits === undefined ? redis.usherCountHit(key, lifetimeMs) : redis.usherCountHit(key, lifetimeMs, hits));
}
