/**
 * The claims and finalizes of a group commit, one script call per shard for all of a batch's holds
 * on it (lua/claimHolds-N.lua, lua/finalizeHolds-N.lua) instead of one call per hold: each hold
 * gets what claim / finalize alone would answer it, a refused hold is refused alone. A shard's
 * keys share one hash tag, so each call runs on one Cluster slot. A call that fails as a whole (a
 * connection error, a Lua error) fails every hold of its shard with that error; each hold's own
 * transition is atomic inside the script, so a retry finds every hold either done or untouched.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Result } from 'ioredis';
import { resolveIncludes } from '../common/lua-script-loader.js';
import type { RedisClient } from '../common/redis-connection.js';
import type { ClaimResult, ExpectedHold, PerHold } from './inventory-api.js';
import { InventoryError, fromScriptError } from './inventory-errors.js';
import { parseHoldId, type HoldLocation } from './hold-id.js';
import { claimResultOf, compactExpected, transitions } from './hold-lifecycle.js';
import { shardKeys } from './inventory-keys.js';
import { luaDir } from './inventory-scripts.js';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    /** claimHolds-N.lua: the key count first (it varies with the batch). */
    usherInvClaimHolds(numberOfKeys: number, ...keysAndArgs: (string | number)[]): Result<(string[])[], Context>;
    /** finalizeHolds-N.lua: the key count first. */
    usherInvFinalizeHolds(numberOfKeys: number, ...keysAndArgs: (string | number)[]): Result<(number | string)[], Context>;
  }
}

const lua = (file: string) => resolveIncludes(readFileSync(path.join(luaDir, file), 'utf8'), path.join(luaDir, 'includes'));
const definedOn = new WeakSet<object>();

/** Defines both scripts on `redis` once (no numberOfKeys: the caller passes it; ioredis still routes by the keys). */
export function defineCommitBatchScripts(redis: RedisClient): void {
  if (definedOn.has(redis)) return;
  redis.defineCommand('usherInvClaimHolds', { lua: lua('claimHolds-N.lua') });
  redis.defineCommand('usherInvFinalizeHolds', { lua: lua('finalizeHolds-N.lua') });
  definedOn.add(redis);
}


/** The script's `USHER:<code> …` string as the InventoryError a lone call throws. */
function scriptError(message: string): unknown {
  try {
    return fromScriptError(new Error(message));
  } catch (err) {
    return err;
  }
}

/** Holds grouped by shard, in the order given; a malformed id is answered at once. */
function byShard<T, V>(items: T[], holdOf: (t: T) => string, out: Map<string, PerHold<V>>): Map<string, { at: HoldLocation; item: T }[]> {
  const groups = new Map<string, { at: HoldLocation; item: T }[]>();
  for (const item of items) {
    let at: HoldLocation;
    try {
      at = parseHoldId(holdOf(item));
    } catch (error) {
      out.set(holdOf(item), { ok: false, error });
      continue;
    }
    const shard = `${at.saleId}.${at.shard}`;
    groups.set(shard, [...(groups.get(shard) ?? []), { at, item }]);
  }
  return groups;
}

/** claim for many holds: one claimHolds-N.lua call per shard. A hold id listed twice is claimed once (both entries answered). */
export async function claimMany(redis: RedisClient, claims: { holdId: string; expected: ExpectedHold }[]): Promise<Map<string, PerHold<ClaimResult>>> {
  const out = new Map<string, PerHold<ClaimResult>>();
  const groups = byShard(claims, (c) => c.holdId, out);
  await Promise.all([...groups.values()].map(async (group) => {
    const { saleId, shard } = group[0]!.at;
    const k = shardKeys(saleId, shard);
    const keys = [k.seats, k.state, k.free, k.counts, k.deadlines, k.claims, k.holds];
    const args: (string | number)[] = [];
    const ready: { at: HoldLocation; holdId: string }[] = [];
    for (const { at, item } of group) {
      let items;
      try {
        items = compactExpected(item.expected.items);
      } catch (error) {
        out.set(item.holdId, { ok: false, error });
        continue;
      }
      keys.push(k.hold(at.jti));
      args.push(at.jti, JSON.stringify(items), item.expected.amountMinor, item.expected.currency);
      ready.push({ at, holdId: item.holdId });
    }
    if (ready.length === 0) return;
    let replies: string[][];
    try {
      replies = await redis.usherInvClaimHolds(keys.length, ...keys, ...args);
    } catch (error) {
      for (const r of ready) out.set(r.holdId, { ok: false, error });
      return;
    }
    ready.forEach(({ at, holdId }, h) => {
      const reply = replies[h]!;
      if (out.get(holdId)?.ok) return; // a duplicate: its first entry's claim answers for it
      if (reply[0] === 'error') return void out.set(holdId, { ok: false, error: scriptError(reply[1]!) });
      try {
        out.set(holdId, { ok: true, value: claimResultOf(at, reply) });
      } catch (error) {
        out.set(holdId, { ok: false, error });
      }
    });
  }));
  return out;
}

/** finalize for many holds: one finalizeHolds-N.lua call per shard. */
export async function finalizeMany(redis: RedisClient, holdIds: string[]): Promise<Map<string, PerHold<void>>> {
  const out = new Map<string, PerHold<void>>();
  const groups = byShard(holdIds, (id) => id, out);
  await Promise.all([...groups.values()].map(async (group) => {
    const { saleId, shard } = group[0]!.at;
    const k = shardKeys(saleId, shard);
    const keys = [k.seats, k.state, k.free, k.counts, k.claims, ...group.map(({ at }) => k.hold(at.jti))];
    let answers: (number | string)[];
    try {
      answers = await redis.usherInvFinalizeHolds(keys.length, ...keys, ...group.map(({ at }) => at.jti));
    } catch (error) {
      for (const { item } of group) out.set(item, { ok: false, error });
      return;
    }
    group.forEach(({ item }, h) => {
      const answer = answers[h];
      if (out.get(item)?.ok) return; // a duplicate: finalized by its first entry
      if (answer === 1) transitions.inc({ kind: 'finalize' });
      if (answer === 1 || answer === 0) out.set(item, { ok: true, value: undefined });
      else out.set(item, { ok: false, error: typeof answer === 'string' ? scriptError(answer) : new InventoryError('wrong_state', `finalizeHolds answered ${String(answer)}`) });
    });
  }));
  return out;
}
