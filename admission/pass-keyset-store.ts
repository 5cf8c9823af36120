/**
 * Where the admission-pass keyset lives: one JSON document in Redis, read by every edge every
 * PASS_KEYS_REFRESH_S and changed only by compare-and-set (lua/replacePassKeyset-1.lua).
 *
 * Why Redis and not a mounted Secret re-read on change: every edge and the operator's CLI already
 * share Redis, so all edges see a rotation within one refresh, on any platform (Kubernetes, a VM,
 * the demo). A Secret mounted as a volume reaches each pod on its kubelet's own sync (a minute or
 * more, pod by pod), and our Secrets are env vars, which never change in a running pod. Edges
 * choose the signer by the key's activation time, not by when they read the keyset, so they switch
 * together. The cost: the private keys rest in Redis, which is already trusted with every lease
 * and seat; keep Redis private (NetworkPolicy, AUTH). PASS_SIGNING_JWKS only seeds an empty keyset,
 * e.g. after a Redis loss (see k8s/README.md, "Rotate the pass signing key").
 */
import { fileURLToPath } from 'node:url';
import type { Result } from 'ioredis';
import type { RedisClient } from '../common/redis-connection.js';
import { defineScripts } from '../common/lua-script-loader.js';
import { passKeysetSchema, PassKeysetError, type PassKeyset } from './pass-keyset.js';
import { redisKeys } from '../common/redis-keys.js';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    usherReplacePassKeyset(key: string, expectedVersion: string, json: string): Result<number, Context>;
  }
}

export const PASS_KEYSET_KEY = redisKeys.passKeyset;
const commonLuaDir = fileURLToPath(new URL('./lua/', import.meta.url));

function scripted(redis: RedisClient): RedisClient {
  defineScripts(redis, commonLuaDir, { usherReplacePassKeyset: 'replacePassKeyset' });
  return redis;
}

export function parsePassKeyset(json: string): PassKeyset {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new PassKeysetError(`${PASS_KEYSET_KEY} is not JSON`);
  }
  const parsed = passKeysetSchema.safeParse(value);
  if (!parsed.success) throw new PassKeysetError(`${PASS_KEYSET_KEY} is not a pass keyset: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

/** The stored keyset, or null when there is none yet. */
export async function readPassKeyset(redis: RedisClient): Promise<PassKeyset | null> {
  const raw = await redis.get(PASS_KEYSET_KEY);
  return raw === null ? null : parsePassKeyset(raw);
}

/** Writes `next` only if the stored keyset is still `read` (null: none). */
export async function replacePassKeyset(redis: RedisClient, read: PassKeyset | null, next: PassKeyset): Promise<boolean> {
  const written = await scripted(redis).usherReplacePassKeyset(PASS_KEYSET_KEY, read ? String(read.version) : '', JSON.stringify(next));
  return written === 1;
}

/** Applies `change` to the stored keyset, re-reading and retrying if someone else changed it meanwhile. */
export async function updatePassKeyset(redis: RedisClient, change: (current: PassKeyset) => PassKeyset, attempts = 5): Promise<PassKeyset> {
  for (let i = 0; i < attempts; i++) {
    const current = await readPassKeyset(redis);
    if (!current) throw new PassKeysetError('there is no pass keyset yet: start an edge (it seeds one from PASS_SIGNING_JWKS) first');
    const next = change(current);
    if (await replacePassKeyset(redis, current, next)) return next;
  }
  throw new PassKeysetError(`the pass keyset kept changing under us (${attempts} attempts); try again`);
}

/** The stored keyset; if there is none, `seed()` becomes it (the first of several edges starting at once wins). */
export async function ensurePassKeyset(redis: RedisClient, seed: () => Promise<PassKeyset>): Promise<{ keyset: PassKeyset; seeded: boolean }> {
  const existing = await readPassKeyset(redis);
  if (existing) return { keyset: existing, seeded: false };
  const candidate = await seed();
  if (await replacePassKeyset(redis, null, candidate)) return { keyset: candidate, seeded: true };
  const winner = await readPassKeyset(redis);
  if (!winner) throw new PassKeysetError('the pass keyset vanished while seeding it');
  return { keyset: winner, seeded: false };
}
