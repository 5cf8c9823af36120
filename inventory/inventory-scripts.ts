/**
 * Defines the inventory's Lua scripts on a Redis (or Cluster) client with ioredis `defineCommand`:
 * EVAL once per connection, EVALSHA after, the body resent on NOSCRIPT (a flushed or restarted
 * Redis). Each script's contract is the header of its `.lua` file; the key count is in its name.
 * Typed by module augmentation, so wrappers call `redis.usherInvHoldSeats(…)` without casts.
 */
import { fileURLToPath } from 'node:url';
import type { Result } from 'ioredis';
import type { RedisClient } from '../common/redis-connection.js';
import { defineScripts } from '../common/lua-script-loader.js';

type Arg = string | number;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    usherInvHoldSeats(...keysAndArgs: Arg[]): Result<string[], Context>;
    usherInvReleaseHold(...keysAndArgs: Arg[]): Result<number, Context>;
    usherInvExpireHold(...keysAndArgs: Arg[]): Result<number, Context>;
    usherInvExtendHold(...keysAndArgs: Arg[]): Result<string[], Context>;
    usherInvClaimHold(...keysAndArgs: Arg[]): Result<string[], Context>;
    usherInvFinalizeHold(...keysAndArgs: Arg[]): Result<number, Context>;
    usherInvUnclaimHold(...keysAndArgs: Arg[]): Result<number, Context>;
    usherInvRestockHold(...keysAndArgs: Arg[]): Result<number, Context>;
    usherInvPublishShard(...keysAndArgs: Arg[]): Result<number, Context>;
    usherInvRestoreHold(...keysAndArgs: Arg[]): Result<number, Context>;
    usherInvBumpRound(...keysAndArgs: Arg[]): Result<number, Context>;
  }
}

/** The commands every script file must provide (checked at boot: a missing file fails fast). */
export const inventoryCommands = [
  'holdSeats', 'releaseHold', 'expireHold', 'extendHold', 'claimHold', 'finalizeHold',
  'unclaimHold', 'restockHold', 'publishShard', 'restoreHold', 'bumpRound',
] as const;

export const luaDir = fileURLToPath(new URL('./lua/', import.meta.url));

export function commandName(verb: string): string {
  return `usherInv${verb[0]!.toUpperCase()}${verb.slice(1)}`;
}

/** Defines every inventory script on `redis`, once per client. */
export function defineInventoryScripts(redis: RedisClient): void {
  defineScripts(redis, luaDir, Object.fromEntries(inventoryCommands.map((verb) => [commandName(verb), verb])));
}
