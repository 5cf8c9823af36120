/**
 * Typed wrappers of the queue scripts for one Redis client: keys come from `admission/queue-keys.ts`,
 * answers are parsed with zod, `USHER:<code>` refusals become QueueErrors (queue-errors.ts).
 */
import { z } from 'zod';
import type { RedisClient } from '../common/redis-connection.js';
import { queueKeys, abuseCounterKey } from '../admission/queue-keys.js';
import { pubSubModeOf } from '../admission/sale-channel.js';
import { fixedWindowCounter } from '../common/fixed-window-counter.js';
import { defineQueueScripts } from './queue-scripts.js';
import { fromQueueScriptError } from './queue-errors.js';
import { placeSchema, type Place } from '../admission/visitor-place.js';
import { queueModeSchema } from '../admission/sale-controls.js';
import { NO_CREDENTIAL, credentialArgs, type PresaleCredential } from './presale-credential.js';

export const tickSchema = z.object({
  now: z.number(),
  state: z.enum(['open', 'prequeue', 'paused', 'closed', 'sold_out', 'all_held', 'rejecting']),
  serving: z.number(),
  waiting: z.number(),
  prequeue: z.number(),
  active: z.number(),
  offers: z.number(),
  made: z.number(),
  admitted: z.number(),
  offersExpired: z.number(),
  ratePerMin: z.number(),
  /** the rate admission runs at: the setting, or less while backed off (includes/healthBackoff.lua) */
  effectiveRatePerMin: z.number(),
  /** backend signals past their threshold at the last backoff step, comma-separated ('' none) */
  breach: z.string(),
  maxActive: z.number(),
  message: z.string(),
  messageAt: z.number(),
  opensAt: z.number(),
  seed: z.string(),
  powDifficulty: z.number(),
  /** scheduled controls this tick applied */
  scheduled: z.number(),
  /** the opening shuffle has run */
  shuffled: z.boolean(),
  mode: queueModeSchema,
  drawWindowMs: z.number(),
  /** earliest arrival ms in the pre-queue / draw pool, 0 when it is empty */
  poolOldest: z.number(),
});
export type TickResult = z.infer<typeof tickSchema>;
export type SeatStatus = 'on_sale' | 'all_held' | 'sold_out';

/** Runs one script call: its JSON answer parsed by `schema`, its refusal a QueueError. */
async function answer<T>(call: Promise<string>, schema: z.ZodType<T>): Promise<T> {
  const raw = await call.catch(fromQueueScriptError);
  return schema.parse(JSON.parse(raw));
}

export interface TickOptions {
  seats: SeatStatus;
  offerTtlMs: number;
  graceMs: number;
  maxBatch: number;
  edgeId: string;
  connected: number;
  cleanLimit?: number;
  /** Token bucket capacity in seconds of the rate; must exceed the longest gap between ticks. */
  burstS: number;
  /** ARGV[10] of admit-14.lua (admission/backend-health.ts backoffArgument), '' for none */
  health?: string;
}

/** Token bucket capacity in seconds of the rate: 2 s, or 1.5 ticks when ticks are slower (a late tick must not lose tokens). */
export function bucketCapacityS(tickMs: number): number {
  return Math.max(2, (1.5 * tickMs) / 1000);
}

/** What a passthrough join needs to make an offer itself: the tick's offer TTL and bucket capacity. */
export interface JoinOptions {
  offerTtlMs: number;
  burstS: number;
}

export interface QueueStore {
  join(saleId: string, visitorId: string, socket: boolean, credential?: PresaleCredential): Promise<Place>;
  leave(saleId: string, visitorId: string): Promise<number>;
  tick(saleId: string, o: TickOptions): Promise<TickResult>;
  take(saleId: string, visitorId: string, pass: { jti: string; leaseDeadlineMs: number; token: string }): Promise<Place>;
  /** The pre-queue closes (commitDraw-5.lua): `members` and `hashed` aligned, sorted by hashed id. */
  commitDraw(saleId: string, c: { commitment: string; beaconPlan: string; members: string[]; hashed: string[] }): Promise<number>;
  /** The opening draw's reveal (shuffle-7.lua): every committed member in drawn order. */
  shuffle(saleId: string, seed: string, reveal: string, order: string[]): Promise<{ count: number; firstTicket: number }>;
  /** A window draw (draw-7.lua): `order` is every pool arrival before `windowEndMs`, permuted. */
  draw(saleId: string, seed: string, windowEndMs: number, order: string[]): Promise<{ count: number; draw: number }>;
  hit(action: string, ip: string, windowMs: number, nowMs?: number): Promise<number>;
}

export function queueStore(redis: RedisClient, joinOptions: JoinOptions = { offerTtlMs: 30_000, burstS: 2 }): QueueStore {
  const r = defineQueueScripts(redis);
  const countHit = fixedWindowCounter(redis);
  // The scripts publish on the sale channel: SPUBLISH on a cluster, PUBLISH on one Redis.
  const pubSub = pubSubModeOf(redis);
  return {
    async join(saleId, visitorId, socket, credential = NO_CREDENTIAL) {
      const k = queueKeys(saleId);
      const keys = [k.settings, k.seq, k.waiting, k.prequeue, k.visitors, k.presence, k.disconnected, k.active, k.bucket, k.offers, k.serving, k.stats, k.accessCodes, k.usedTokens, k.banned];
      const args = [visitorId, socket ? '1' : '0', String(joinOptions.offerTtlMs), String(joinOptions.burstS), ...credentialArgs(credential)];
      return answer(r.usherQueueJoin(...keys, ...args), placeSchema);
    },
    async leave(saleId, visitorId) {
      const k = queueKeys(saleId);
      return r.usherQueueLeave(k.presence, k.disconnected, k.visitors, visitorId);
    },
    async tick(saleId, o) {
      const k = queueKeys(saleId);
      const keys = [k.settings, k.bucket, k.waiting, k.serving, k.active, k.offers, k.visitors, k.stats, k.channel, k.disconnected, k.presence, k.prequeue, k.schedule, k.scheduleLog];
      const args = [o.seats, o.offerTtlMs, o.graceMs, o.maxBatch, o.edgeId, o.connected, o.cleanLimit ?? 500, o.burstS, pubSub, o.health ?? ''].map(String);
      return answer(r.usherQueueAdmit(...keys, ...args), tickSchema);
    },
    async take(saleId, visitorId, pass) {
      const k = queueKeys(saleId);
      return answer(r.usherQueueTake(k.visitors, k.offers, k.active, k.stats, k.channel, visitorId, pass.jti, String(pass.leaseDeadlineMs), pass.token, pubSub), placeSchema);
    },
    async commitDraw(saleId, c) {
      const k = queueKeys(saleId);
      const committed = r.usherQueueCommitDraw(k.settings, k.prequeue, k.drawMembers, k.drawHashed, k.channel, c.commitment, c.beaconPlan, pubSub, String(c.members.length), ...c.members, ...c.hashed);
      return (await answer(committed, z.object({ count: z.number() }))).count;
    },
    async shuffle(saleId, seed, reveal, order) {
      const k = queueKeys(saleId);
      const shuffled = r.usherQueueShuffle(k.settings, k.prequeue, k.seq, k.waiting, k.visitors, k.channel, k.drawMembers, seed, reveal, pubSub, ...order);
      return answer(shuffled, z.object({ count: z.number(), firstTicket: z.number() }));
    },
    async draw(saleId, seed, windowEndMs, order) {
      const k = queueKeys(saleId);
      const drawn = r.usherQueueDraw(k.settings, k.prequeue, k.seq, k.waiting, k.visitors, k.channel, k.draws, seed, pubSub, String(windowEndMs), ...order);
      return answer(drawn, z.object({ count: z.number(), draw: z.number() }));
    },
    async hit(action, ip, windowMs, nowMs = Date.now()) {
      return countHit(abuseCounterKey(action, ip, Math.floor(nowMs / windowMs)), windowMs);
    },
  };
}
