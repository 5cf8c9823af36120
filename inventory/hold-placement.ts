/**
 * Places the one hold of an admission pass, without cross-slot keys.
 *
 * Why a pass can never get two holds, even with 20 identical requests in flight at once:
 * - Every request of a pass walks the shards in the same order: home = hash(jti) mod S, then
 *   home+1, … A walk stops at its first hold.
 * - On each shard, holdSeats-10.lua decides once per (pass, round): it takes seats and records the
 *   hold, or records a "missed here" marker for the round. Later requests of the same round replay
 *   that decision instead of deciding again. So all requests of one round see the same sequence of
 *   decisions and stop at the same shard: at most one hold per round.
 * - A new round starts only when a request saw every shard miss in the current round (bumpRound-1
 *   on the home shard, compare-and-set). Then no shard can hold for that round any more, so the
 *   next round cannot add a second hold; a request still walking the old round meets a newer
 *   marker, answers 'stale' and restarts. A hold, once made, is returned to every later request of
 *   the pass, whatever its round.
 * - Explicit seats live on one shard: the request first records 'elsewhere' on every other shard
 *   (returning any hold it finds there), then tries its shard, so that round is also fully decided.
 * Free-count hints are deliberately not used to skip shards: a skip is a decision that is not
 * recorded, which is exactly what would let two requests of one pass diverge.
 */
import type { RedisClient } from '../common/redis-connection.js';
import type { Hold, HoldRequest } from './inventory-api.js';
import { shardKeys } from './inventory-keys.js';
import { InventoryError, fromScriptError, isMissReason, missError, type MissReason } from './inventory-errors.js';
import { homeShard, parseJti, parseSaleId } from './hold-id.js';
import { fieldsOf, holdFromFields } from './hold-record.js';
import type { LayoutCache } from './sale-layout.js';
import { validateRequest, type PlacementRequest } from './hold-request.js';
import { counter, histogram } from '../common/metrics.js';
import { HoldBatcher, type HoldBatchOptions } from './hold-batcher.js';

const holdsTotal = counter('usher_inventory_hold_requests_total', 'Hold requests by outcome', ['outcome']);
const holdSeconds = histogram('usher_hold_seconds', 'Time to place or refuse a hold (all shard attempts)');

type Step = ({ kind: 'hold'; shard: number; fields: Record<string, string> } | { kind: 'miss'; reason: MissReason } | { kind: 'stale' }) & { round: number };

const MAX_ROUND_RESTARTS = 5;

export class HoldPlacement {
  private readonly batcher: HoldBatcher;

  constructor(
    private readonly redis: RedisClient,
    private readonly layouts: LayoutCache,
    /** How long per-shard decisions and the round live: at least a pass's lifetime. */
    private readonly passMemoryS: number,
    batching: HoldBatchOptions = {},
  ) {
    this.batcher = new HoldBatcher(redis, passMemoryS, batching);
  }

  async hold(saleIdRaw: string, jtiRaw: string, request: HoldRequest): Promise<Hold> {
    const timer = holdSeconds.startTimer();
    try {
      const hold = await this.place(parseSaleId(saleIdRaw), parseJti(jtiRaw), request);
      holdsTotal.inc({ outcome: 'held' });
      return hold;
    } catch (err) {
      holdsTotal.inc({ outcome: err instanceof InventoryError ? err.code : 'error' });
      throw err;
    } finally {
      timer();
    }
  }

  private async place(saleId: string, jti: string, request: HoldRequest): Promise<Hold> {
    const layout = await this.layouts.get(saleId);
    const placement = await validateRequest(this.redis, layout, request);
    const S = layout.shards;
    const home = homeShard(jti, S);
    const order = Array.from({ length: S }, (_, j) => (home + j) % S);
    const roundKey = shardKeys(saleId, home).round(jti);
    for (let attempt = 0; attempt < MAX_ROUND_RESTARTS; attempt++) {
      let steps: Step[] = [];
      let round: number;
      if (placement.mode === 'seats') {
        round = Number((await this.redis.get(roundKey)) ?? '0');
        const step = (shard: number, p: PlacementRequest | 'probe'): Promise<Step> => this.step(saleId, shard, jti, round, p, home);
        steps = await Promise.all(order.filter((k) => k !== placement.shard).map((k) => step(k, 'probe')));
        if (!steps.some((s) => s.kind !== 'miss')) steps.push(await step(placement.shard, placement));
      } else {
        // the home shard's script reads the round itself: one round trip for a hold found at home
        const first = await this.step(saleId, home, jti, undefined, placement, home);
        round = first.round;
        steps.push(first);
        for (const k of order.slice(1)) {
          if (steps.at(-1)!.kind !== 'miss') break;
          steps.push(await this.step(saleId, k, jti, round, placement, home));
        }
      }
      const found = steps.find((s) => s.kind === 'hold');
      if (found?.kind === 'hold') {
        const hold = holdFromFields({ saleId, shard: found.shard, jti }, found.fields);
        if (!hold) throw new Error('hold script answered an empty hold');
        if (hold.state === 'RELEASED' || hold.state === 'EXPIRED') throw new InventoryError('hold_expired', 'this pass already had a hold, now ended');
        return hold;
      }
      if (steps.some((s) => s.kind === 'stale')) continue;
      await this.redis.usherInvBumpRound(roundKey, round, this.passMemoryS);
      throw missError(steps.flatMap((s) => (s.kind === 'miss' ? [s.reason] : [])));
    }
    throw new InventoryError('all_held', 'too many concurrent requests for this pass; try again');
  }

  private async step(saleId: string, shard: number, jti: string, knownRound: number | undefined, p: PlacementRequest | 'probe', home: number): Promise<Step> {
    // KEYS[9] is only read when the round is unknown, which happens on the home shard only
    if (knownRound === undefined && shard !== home) throw new Error('the round is read on the home shard only');
    const round = knownRound === undefined ? '' : String(knownRound);
    const step = p === 'probe' ? { jti, round, mode: 'probe' as const, target: '', quantity: 0, together: false, seatIds: [] }
      : p.mode === 'seats' ? { jti, round, mode: 'seats' as const, target: '', quantity: p.quantity, together: false, seatIds: p.seatIds }
      : { jti, round, mode: p.mode, target: p.target, quantity: p.quantity, together: p.together, seatIds: [] };
    // steps of many passes on one shard share one script call (hold-batcher.ts)
    const reply = await this.batcher.step(saleId, shard, step).catch(fromScriptError);
    const [tag, answeredRound, reason] = reply;
    const r = Number(answeredRound);
    if (tag === 'hold') return { kind: 'hold', shard, fields: fieldsOf(reply, 2), round: r };
    if (tag === 'stale') return { kind: 'stale', round: r };
    if (tag === 'miss' && reason !== undefined && isMissReason(reason)) return { kind: 'miss', reason, round: r };
    throw new Error(`holdSeats answered ${JSON.stringify(reply)}`);
  }
}
