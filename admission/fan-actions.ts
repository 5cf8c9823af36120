/**
 * Operator actions on one fan of a sale (issue #18 item 4): revoke their admission pass, remove
 * them from the queue, ban them (their visitor id, and optionally their account), lift a ban.
 * Each queue change is one script on the sale's slot (lua/fanAction-11.lua), atomic with joins and
 * admission ticks, which also publishes on the sale channel so every edge closes the fan's sockets.
 * Who did it and why is the caller's to record (operator-audit.ts), before the script runs.
 */
import { z } from 'zod';
import type { RedisClient } from '../common/redis-connection.js';
import { Problem } from '../common/problem.js';
import { scriptErrorOf } from '../common/script-error.js';
import { queueKeys } from './queue-keys.js';
import { pubSubModeOf } from './sale-channel.js';
import { defineFanScripts } from './fan-scripts.js';
import { storedPlace, type Place } from './visitor-place.js';

export const fanActionSchema = z.enum(['revoke_pass', 'remove', 'ban', 'unban']);
export type FanAction = z.infer<typeof fanActionSchema>;
const scriptAction: Record<FanAction, string> = { revoke_pass: 'revoke', remove: 'remove', ban: 'ban', unban: 'unban' };

/** What a ban or a revocation keeps: who (the admin account), why and when. */
export const fanActionRecordSchema = z.object({ by: z.string(), byEmail: z.string(), reason: z.string(), at: z.number() });
export type FanActionRecord = z.infer<typeof fanActionRecordSchema>;

/** The one place fanAction-11.lua's refusals become HTTP problems. */
const meaning = {
  no_pass: { status: 409, detail: 'this visitor holds no admission pass in this sale' },
  pass_not_active: { status: 409, detail: "this visitor's pass is no longer active (its shopping window ended, or it was used or revoked)" },
  not_in_queue: { status: 404, detail: 'this visitor has no place in this sale\'s queue' },
} as const satisfies Record<string, { status: number; detail: string }>;

function fromFanScriptError(err: unknown): never {
  const failed = scriptErrorOf(err);
  if (failed && Object.hasOwn(meaning, failed.code)) {
    const m = meaning[failed.code as keyof typeof meaning];
    throw new Problem(m.status, failed.code, m.detail);
  }
  throw err;
}

const answerSchema = z.object({ action: z.string(), before: z.string(), jti: z.string(), changed: z.number() });
export type FanActionAnswer = { action: FanAction; before: string; revokedJti: string | null; changed: boolean };

export async function applyFanAction(redis: RedisClient, saleId: string, visitorId: string, action: FanAction, record: FanActionRecord): Promise<FanActionAnswer> {
  const r = defineFanScripts(redis);
  const k = queueKeys(saleId);
  const raw = await r.usherFanAction(
    k.banned, k.waiting, k.prequeue, k.offers, k.active, k.visitors, k.presence, k.disconnected, k.revokedPasses, k.stats, k.channel,
    visitorId, scriptAction[action], JSON.stringify(record), pubSubModeOf(redis),
  ).catch(fromFanScriptError);
  const a = answerSchema.parse(JSON.parse(raw));
  return { action, before: a.before, revokedJti: a.jti || null, changed: a.changed === 1 };
}

/** Bars an account from checking out in this sale (the API refuses it when the fan names it); `null` lifts the bar. */
export async function setAccountBan(redis: RedisClient, saleId: string, userId: string, record: FanActionRecord | null): Promise<boolean> {
  const key = queueKeys(saleId).bannedAccounts;
  if (record) return (await redis.hset(key, userId, JSON.stringify(record))) === 1;
  return (await redis.hdel(key, userId)) === 1;
}

function parseRecord(raw: string | null): FanActionRecord | null {
  if (!raw) return null;
  const parsed = fanActionRecordSchema.safeParse(JSON.parse(raw));
  return parsed.success ? parsed.data : null;
}

export async function accountBan(redis: RedisClient, saleId: string, userId: string): Promise<FanActionRecord | null> {
  return parseRecord(await redis.hget(queueKeys(saleId).bannedAccounts, userId));
}

/** Why an operator revoked this pass, or null (a pass that simply ended, or a live one). */
export async function passRevocation(redis: RedisClient, saleId: string, jti: string): Promise<FanActionRecord | null> {
  return parseRecord(await redis.hget(queueKeys(saleId).revokedPasses, jti));
}

export interface FanState {
  visitorId: string;
  /** the stored place (an `admitted` one with `leaseActive` false has had its turn); null: no place */
  place: Place | null;
  leaseActive: boolean;
  banned: FanActionRecord | null;
  revoked: FanActionRecord | null;
}

/** One fan as the queue has them now: one round trip. */
export async function readFan(redis: RedisClient, saleId: string, visitorId: string): Promise<FanState> {
  const k = queueKeys(saleId);
  const [rawPlace, rawBan] = await Promise.all([redis.hget(k.visitors, visitorId), redis.hget(k.banned, visitorId)]);
  const place = rawPlace ? storedPlace(rawPlace) : null;
  let leaseActive = false;
  let revoked: FanActionRecord | null = null;
  if (place?.state === 'admitted') {
    const [deadline, rawRevoked] = await Promise.all([redis.zscore(k.active, place.jti), redis.hget(k.revokedPasses, place.jti)]);
    leaseActive = deadline !== null && Number(deadline) > Date.now();
    revoked = parseRecord(rawRevoked);
  }
  return { visitorId, place, leaseActive, banned: parseRecord(rawBan), revoked };
}

/**
 * The visitors holding these passes (jti). The queue keeps no jti → visitor index (the hot path has
 * no use for one), so this scans the sale's places: O(visitors), for an operator's look-up only.
 */
export async function visitorsOfPasses(redis: RedisClient, saleId: string, jtis: readonly string[]): Promise<Map<string, string>> {
  const wanted = new Set(jtis);
  const found = new Map<string, string>();
  if (wanted.size === 0) return found;
  let cursor = '0';
  do {
    const [next, entries] = await redis.hscan(queueKeys(saleId).visitors, cursor, 'COUNT', 1000);
    cursor = next;
    for (let i = 0; i + 1 < entries.length; i += 2) {
      const place = storedPlace(entries[i + 1]!);
      if (place?.state === 'admitted' && wanted.has(place.jti)) found.set(place.jti, entries[i]!);
    }
  } while (cursor !== '0' && found.size < wanted.size);
  return found;
}
