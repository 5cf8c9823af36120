/**
 * Loads the queue's Lua scripts (one `.lua` file each, contract in its header) onto a Redis client
 * with ioredis `defineCommand`, which sends EVAL once per connection, EVALSHA after, and resends
 * the body on NOSCRIPT. Typed by module augmentation; `queue-store.ts` wraps them.
 */
import { fileURLToPath } from 'node:url';
import { defineScripts } from '../common/lua-script-loader.js';
import type { Result } from 'ioredis';
import type { RedisClient } from '../common/redis-connection.js';
import { sharedQueueLuaIncludes } from '../admission/fan-scripts.js';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    usherQueueJoin(...keysAndArgs: string[]): Result<string, Context>;
    usherQueueLeave(...keysAndArgs: string[]): Result<number, Context>;
    usherQueueAdmit(...keysAndArgs: string[]): Result<string, Context>;
    usherQueueTake(...keysAndArgs: string[]): Result<string, Context>;
    usherQueueShuffle(...keysAndArgs: string[]): Result<string, Context>;
    usherQueueDraw(...keysAndArgs: string[]): Result<string, Context>;
    usherQueueCommitDraw(...keysAndArgs: string[]): Result<string, Context>;
  }
}

/** ioredis command name → script verb (`lua/<verb>-<keys>.lua`). */
export const queueCommands = {
  usherQueueJoin: 'join',
  usherQueueLeave: 'leave',
  usherQueueAdmit: 'admit',
  usherQueueTake: 'take',
  usherQueueShuffle: 'shuffle',
  usherQueueDraw: 'draw',
  usherQueueCommitDraw: 'commitDraw',
} as const;

export const queueLuaDir = fileURLToPath(new URL('./lua/', import.meta.url));

/** Defines every queue script on `redis` (once per client). Throws at boot if a file is missing. */
export function defineQueueScripts(redis: RedisClient): RedisClient {
  defineScripts(redis, queueLuaDir, queueCommands, [sharedQueueLuaIncludes]);
  return redis;
}
