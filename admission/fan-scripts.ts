/**
 * The admission scripts the API runs on a sale's queue (lua/fanAction-11.lua), and the Lua includes
 * every queue script shares (lua/includes/: the stored visitor place, the sale-channel publish), so
 * the edge's scripts (queue-edge/lua/) and the API's speak one vocabulary without importing each other.
 */
import { fileURLToPath } from 'node:url';
import type { Result } from 'ioredis';
import { defineScripts } from '../common/lua-script-loader.js';
import type { RedisClient } from '../common/redis-connection.js';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    usherFanAction(...keysAndArgs: string[]): Result<string, Context>;
  }
}

export const admissionLuaDir = fileURLToPath(new URL('./lua/', import.meta.url));
/** Includes shared by the queue scripts of the edge and of the API. */
export const sharedQueueLuaIncludes = fileURLToPath(new URL('./lua/includes/', import.meta.url));

export function defineFanScripts(redis: RedisClient): RedisClient {
  defineScripts(redis, admissionLuaDir, { usherFanAction: 'fanAction' });
  return redis;
}
