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
 * - Best available plans its walk with the shards' availability counters (placement-hints.ts),
 *   but a shard it skips is never skipped silently: it gets a probe ('elsewhere') before the walk
 *   moves past it. A silent skip would be a decision not recorded, exactly what would let two
 *   requests of one pass diverge; a probe is one, so the walk stays "each shard in order, decided
 *   once". A request that finds no shard able to serve it decides nothing at all and bumps no
 *   round: it answers the pass's existing hold, or the miss.
 */
import type { RedisClient } from '../common/redis-connection.js';
import type { Hold, HoldRequest } from './inventory-api.js';
import { shardKeys } from './inventory-keys.js';
import { InventoryError, fromScriptError, isMissReason, missError, type MissReason } from './inventory-errors.js';
import { homeShard, parseJti, parseSaleId } from './hold-id.js';
import { fieldsOf, holdFromFields } from './hold-record.js';
import type { LayoutCache, SaleLayout } from './sale-layout.js';
import { validateRequest, type PlacementRequest } from './hold-request.js';
import { counter, histogram } from '../common/metrics.js';
import { HoldBatcher, type HoldBatchOptions } from './hold-batcher.js';
import { PlacementHints, chooseOnShard } from './placement-hints.js';

const holdsTotal = counter('usher_inventory_hold_requests_total', 'Hold requests by outcome', ['outcome']);
const holdSeconds = histogram('usher_hold_seconds', 'Time to place or refuse a hold (all shard attempts)');
const placementSteps = counter('usher_inventory_best_placement_total', 'Best-available placement per shard: try / spill / probe, or none_fit (no shard could serve it, no script run)', ['kind']);

type Step = ({ kind: 'hold'; shard: number; fields: Record<string, string> } | { kind: 'miss'; reason: MissReason } | { kind: 'stale' }) & { round: number };

const MAX_ROUND_RESTARTS = 5;

type BestRequest = Extract<PlacementRequest, { mode: 'section' | 'tier' }>;

export class HoldPlacement {
  private readonly batcher: HoldBatcher;
  private readonly hints: PlacementHints;

  constructor(
    private readonly redis: RedisClient,
    private readonly layouts: LayoutCache,
    /** How long per-shard decisions and the round live: at least a pass's lifetime. */
    private readonly passMemoryS: number,
    batching: HoldBatchOptions = {},
    /** Age of the availability counters a best-available hold plans with (placement-hints.ts); 0 reads them for every hold. */
    hintsMaxAgeMs = 100,
  ) {
    this.batcher = new HoldBatcher(redis, passMemoryS, batching);
    this.hints = new PlacementHints(redis, hintsMaxAgeMs);
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
    if (placement.mode !== 'seats') return this.placeBest(saleId, jti, layout, placement, order, roundKey);
    for (let attempt = 0; attempt < MAX_ROUND_RESTARTS; attempt++) {
      const round = Number((await this.redis.get(roundKey)) ?? '0');
      const step = (shard: number, p: PlacementRequest | 'probe'): Promise<Step> => this.step(saleId, shard, jti, round, p, home);
      const steps = await Promise.all(order.filter((k) => k !== placement.shard).map((k) => step(k, 'probe')));
      if (!steps.some((s) => s.kind !== 'miss')) steps.push(await step(placement.shard, placement));
      const found = this.found(saleId, jti, steps);
      if (found) return found;
      if (steps.some((s) => s.kind === 'stale')) continue;
      await this.redis.usherInvBumpRound(roundKey, round, this.passMemoryS);
      throw missError(steps.flatMap((s) => (s.kind === 'miss' ? [s.reason] : [])));
    }
    throw new InventoryError('all_held', 'too many concurrent requests for this pass; try again');
  }

  /**
   * Best available (by section or tier): the walk of the class comment, but each shard's
   * availability counters (placement-hints.ts) say beforehand what to do there: hold as asked
   * (a tier narrowed to the section that fits), spill across the tier's sections of the shard when
   * no single one has the quantity, or skip. A skipped shard is still decided: it gets a probe
   * ('elsewhere') before the walk moves past it, all skipped shards up to the next try in one
   * parallel round, so the order of decisions stays the one every request of the pass follows.
   * When no shard can serve the request at all, nothing is decided: the answer is the pass's
   * existing hold, or the miss, from one read per shard and no script.
   */
  private async placeBest(saleId: string, jti: string, layout: SaleLayout, placement: BestRequest, order: number[], roundKey: string): Promise<Hold> {
    const home = order[0]!;
    // the shared, slightly old counters plan the walk; a miss is only answered from fresh ones
    let fresh = false;
    for (let attempt = 0; attempt < MAX_ROUND_RESTARTS; attempt++) {
      const counts = fresh ? await this.hints.freshCounts(saleId, layout, placement) : await this.hints.counts(saleId, layout.shards);
      const choices = order.map((k) => chooseOnShard(layout, counts[k] ?? {}, k, placement));
      const hinted = choices.flatMap((c) => (c.kind === 'skip' ? [c.reason] : []));
      if (hinted.length === order.length) {
        if (!fresh) {
          fresh = true;
          continue;
        }
        placementSteps.inc({ kind: 'none_fit' });
        const held = await this.existingHold(saleId, jti, layout.shards);
        if (held) return held;
        await this.refuseAsScriptWould(saleId, home);
        throw missError(hinted);
      }
      const steps: Step[] = [];
      let round: number | undefined;
      let undecided: number[] = [];
      const decide = async (): Promise<boolean> => {
        if (undecided.length === 0) return true;
        round ??= Number((await this.redis.get(roundKey)) ?? '0');
        const r = round;
        placementSteps.inc({ kind: 'probe' }, undecided.length);
        const probes = await Promise.all(undecided.map((k) => this.step(saleId, k, jti, r, 'probe', home)));
        undecided = [];
        steps.push(...probes);
        return probes.every((s) => s.kind === 'miss');
      };
      for (const [j, k] of order.entries()) {
        const choice = choices[j]!;
        if (choice.kind === 'skip') {
          undecided.push(k);
          continue;
        }
        if (!(await decide())) break;
        let step: Step;
        if (choice.kind === 'spill') {
          const seatIds = await this.hints.spillSeats(saleId, k, choice.sections, placement.quantity);
          if (seatIds.length < placement.quantity) {
            // the counters were ahead of the seats: nothing to try here after all
            this.hints.stale(saleId);
            undecided.push(k);
            continue;
          }
          placementSteps.inc({ kind: 'spill' });
          step = await this.step(saleId, k, jti, round, { mode: 'seats', seatIds, shard: k, quantity: placement.quantity }, home);
        } else {
          placementSteps.inc({ kind: 'try' });
          step = await this.step(saleId, k, jti, round, { ...placement, mode: choice.mode, target: choice.target }, home);
        }
        round ??= step.round;
        steps.push(step);
        if (step.kind !== 'miss') break;
        this.hints.stale(saleId);
      }
      if (steps.every((s) => s.kind === 'miss')) await decide();
      const found = this.found(saleId, jti, steps);
      if (found) return found;
      if (steps.some((s) => s.kind === 'stale')) continue;
      await this.redis.usherInvBumpRound(roundKey, round!, this.passMemoryS);
      if (!fresh) {
        // every shard missed this round, planned from shared counters: plan once more from fresh ones
        fresh = true;
        continue;
      }
      // a spilled step refused for a seat taken meanwhile is, to the fan, seats held by others
      const reasons = steps.flatMap((s) => (s.kind === 'miss' ? [s.reason === 'seat_taken' ? 'all_held' as const : s.reason] : []));
      throw missError([...reasons, ...hinted]);
    }
    throw new InventoryError('all_held', 'too many concurrent requests for this pass; try again');
  }

  /** The hold among these steps (any round), refused when it already ended. */
  private found(saleId: string, jti: string, steps: Step[]): Hold | null {
    const found = steps.find((s) => s.kind === 'hold');
    if (found?.kind !== 'hold') return null;
    const hold = holdFromFields({ saleId, shard: found.shard, jti }, found.fields);
    if (!hold) throw new Error('hold script answered an empty hold');
    if (hold.state === 'RELEASED' || hold.state === 'EXPIRED') throw new InventoryError('hold_expired', 'this pass already had a hold, now ended');
    return hold;
  }

  /**
   * The checks holdSeats-10.lua makes before it looks at seats, for a request that runs no script:
   * a closed sale answers sale_not_open, as it does while seats are left, rather than the
   * sold_out / all_held the counters alone would say (the quantity was checked by validateRequest).
   */
  private async refuseAsScriptWould(saleId: string, home: number): Promise<void> {
    const [[published, onSale, opensMs, closesMs], [seconds, micros]] = await Promise.all([
      this.redis.hmget(shardKeys(saleId, home).meta, 'published', 'on_sale', 'opens_ms', 'closes_ms'),
      this.redis.time(),
    ]);
    if (published !== '1') throw new InventoryError('unknown_sale');
    const now = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
    if (onSale !== '1' || now < Number(opensMs) || now >= Number(closesMs)) throw new InventoryError('sale_not_open');
  }

  /** The pass's hold on any shard, read without a script (what a replay would answer). */
  private async existingHold(saleId: string, jti: string, shards: number): Promise<Hold | null> {
    const records = await Promise.all(Array.from({ length: shards }, (_, k) => this.redis.hgetall(shardKeys(saleId, k).hold(jti))));
    const k = records.findIndex((f) => f.state !== undefined);
    if (k < 0) return null;
    return this.found(saleId, jti, [{ kind: 'hold', shard: k, fields: records[k]!, round: 0 }]);
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
