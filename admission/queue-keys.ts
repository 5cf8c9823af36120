/**
 * Every Redis key of one sale's queue. All share the hash tag `{<sale>}` so the whole queue of a
 * sale is one Redis Cluster slot and its Lua scripts never cross slots. Computed here only, passed
 * to scripts as KEYS. The root (namespace and hash tag) is common/redis-keys.ts's.
 */
import { redisKeys } from '../common/redis-keys.js';

export interface QueueKeys {
  /** INCR counter: the next ticket number handed to a joining fan. */
  seq: string;
  /** ZSET visitor → ticket number: who waits, for membership, exact rank and abandonment. */
  waiting: string;
  /** Pre-queue arrivals before opening (ZSET visitor → arrival ms), shuffled into `waiting` at opening. */
  prequeue: string;
  /** STRING: highest ticket number admitted so far (position = ticket − serving). */
  serving: string;
  /** ZSET pass jti → lease deadline (ms): the active shoppers. A pass whose jti is absent is revoked. */
  active: string;
  /** ZSET visitor → offer deadline (ms): admitted, offer not yet taken. */
  offers: string;
  /** HASH visitor → JSON of the fan's ticket, offer or pass: what a reconnecting fan is told. */
  visitors: string;
  /** ZSET visitor → disconnect time (ms): fans whose place lapses after the reconnect grace. */
  disconnected: string;
  /** HASH: live settings (rate_per_min, max_active, paused, closed, message, opens_at_ms, …). */
  settings: string;
  /** HASH: token bucket state (tokens, ts). */
  bucket: string;
  /** HASH: running totals for dashboards (admitted, offers_expired, …). */
  stats: string;
  /** Pub/sub channel: admissions and control changes for every edge. */
  channel: string;
  /** HASH visitor → open sockets across all edges: a fan with a tab still open is not disconnected. */
  presence: string;
  /** HASH draw number → JSON {seed, count, windowEnd, firstTicket, at}: the `random`-mode window draws. */
  draws: string;
  /** LIST the opening draw's members (visitors), frozen when the pre-queue closes, in the order of their hashed ids. */
  drawMembers: string;
  /** LIST their hashed ids, sorted: the list the commitment is of, published after the reveal. */
  drawHashed: string;
  /** ZSET JSON of a scheduled control → its time ms (admission/sale-schedule.ts). */
  schedule: string;
  /** LIST the scheduled controls applied, latest first (the last 100). */
  scheduleLog: string;
  /** HASH salted SHA-256 of an access code → '' (unused) or the visitor who used it (admission/sale-access.ts). */
  accessCodes: string;
  /** ZSET jti → exp ms of every enqueue token used: one visitor per token. */
  usedTokens: string;
  /** HASH visitor → JSON ban record: refused at join (join-15.lua), removed from the queue (fanAction-11.lua). */
  banned: string;
  /** HASH account user id → JSON ban record: refused at checkout when the fan names that account. */
  bannedAccounts: string;
  /** HASH pass jti → JSON revocation record: an operator ended this pass (the API answers 403 pass_revoked_by_operator). */
  revokedPasses: string;
}

export function queueKeys(saleId: string): QueueKeys {
  const base = redisKeys.queueRoot(saleId);
  return {
    seq: `${base}:seq`,
    waiting: `${base}:waiting`,
    prequeue: `${base}:prequeue`,
    serving: `${base}:serving`,
    active: `${base}:active`,
    offers: `${base}:offers`,
    visitors: `${base}:visitors`,
    disconnected: `${base}:disconnected`,
    settings: `${base}:settings`,
    bucket: `${base}:bucket`,
    stats: `${base}:stats`,
    channel: `${base}:events`,
    presence: `${base}:presence`,
    draws: `${base}:draws`,
    drawMembers: `${base}:draw-members`,
    drawHashed: `${base}:draw-hashed`,
    schedule: `${base}:schedule`,
    scheduleLog: `${base}:schedule-log`,
    accessCodes: `${base}:access-codes`,
    usedTokens: `${base}:used-tokens`,
    banned: `${base}:banned`,
    bannedAccounts: `${base}:banned-accounts`,
    revokedPasses: `${base}:revoked-passes`,
  };
}

/**
 * Fixed-window abuse counter of one client address for one action (connect, join). Not sale-scoped:
 * the hash tag is the address, so each counter is its own slot.
 */
export function abuseCounterKey(action: string, ip: string, windowIndex: number): string {
  return redisKeys.abuseWindow(action, ip, windowIndex);
}
