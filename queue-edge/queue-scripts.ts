/**
 * Loads the queue's Lua scripts (one `.lua` file each, contract in its header) onto a Redis client
 * with ioredis `defineCommand`, which sends EVAL once per connection, EVALSHA after, and resends
 * the body on NOSCRIPT. Typed by module augmentation; `queue-store.ts` wraps them.
 */
import { readFileSync } from 'node:fs';
import type { Result } from 'ioredis';
import type { RedisClient } from '../common/redis-connection.js';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    usherQueueJoin(...keysAndArgs: string[]): Result<string, Context>;
    usherQueueLeave(...keysAndArgs: string[]): Result<number, Context>;
    usherQueueAdmit(...keysAndArgs: string[]): Result<string, Context>;
    usherQueueTake(...keysAndArgs: string[]): Result<string, Context>;
    usherQueueShuffle(...keysAndArgs: string[]): Result<string, Context>;
    usherAbuseHit(...keysAndArgs: string[]): Result<number, Context>;
  }
}

/** command name → script file; the digit in the file name is its key count. */
export const queueScriptFiles = {
  usherQueueJoin: 'join-8.lua',
  usherQueueLeave: 'leave-3.lua',
  usherQueueAdmit: 'admit-12.lua',
  usherQueueTake: 'take-5.lua',
  usherQueueShuffle: 'shuffle-6.lua',
  usherAbuseHit: 'hit-1.lua',
} as const;

const loaded = new WeakSet<object>();

export function keyCountOf(file: string): number {
  const m = /-(\d+)\.lua$/.exec(file);
  if (!m) throw new Error(`script ${file} must be named <verb>-<keys>.lua`);
  return Number(m[1]);
}

/** Defines every queue script on `redis` (once per client). Throws at boot if a file is missing. */
export function defineQueueScripts(redis: RedisClient): RedisClient {
  if (loaded.has(redis)) return redis;
  for (const [name, file] of Object.entries(queueScriptFiles)) {
    const lua = readFileSync(new URL(`./lua/${file}`, import.meta.url), 'utf8');
    redis.defineCommand(name, { numberOfKeys: keyCountOf(file), lua });
  }
  loaded.add(redis);
  return redis;
}
