/**
 * The per-shard coalescer of hold steps: the holdSeats decisions that reach one shard within one
 * turn of the event loop (or `waitMs`) go to Redis as one holdBatch-N.lua call, up to `maxBatch`
 * passes, instead of one script call each. A batch pays the call's floor once and shares its
 * writes (lua/includes/placeHolds.lua), so a hold's own Redis work is little more than its record.
 * Each pass still gets its own answer, in the order the steps were submitted, and a pass refused
 * with an error fails alone; a batch that fails as a whole (the connection) fails each of its
 * passes. A pass is never twice in one batch: a second step of the same pass closes the batch and
 * starts the next (the script would refuse it).
 */
import { readFileSync } from 'node:fs';
import type { Result } from 'ioredis';
import path from 'node:path';
import type { RedisClient } from '../common/redis-connection.js';
import { resolveIncludes } from '../common/lua-script-loader.js';
import { counter } from '../common/metrics.js';
import { holdSeatsKeys, shardKeys, type ShardKeys } from './inventory-keys.js';
import { luaDir } from './inventory-scripts.js';

const batchHolds = counter('usher_inventory_hold_batch_steps_total', 'Hold steps sent to Redis, by how (alone or in a batch)', ['how']);

/** One holdSeats step: the arguments of holdSeats-10.lua after its KEYS (jti, round, mode, target, quantity, together, marker TTL, seat ids…). */
export interface HoldStep {
  jti: string;
  round: string;
  mode: 'section' | 'tier' | 'seats' | 'probe';
  target: string;
  quantity: number;
  together: boolean;
  seatIds: readonly string[];
}

export interface HoldBatchOptions {
  /** Most passes in one script call. 1 sends every step alone (holdSeats-10.lua). Default 32. */
  maxBatch?: number;
  /** How long a batch waits for more steps: 0 = until the end of this event-loop turn (setImmediate). Default 0. */
  waitMs?: number;
}

interface Pending {
  step: HoldStep;
  resolve(reply: string[]): void;
  reject(err: unknown): void;
}

interface Batch {
  k: ShardKeys;
  entries: Pending[];
  jtis: Set<string>;
  timer: NodeJS.Immediate | NodeJS.Timeout;
}

export const holdBatchLua = resolveIncludes(readFileSync(path.join(luaDir, 'holdBatch-N.lua'), 'utf8'), path.join(luaDir, 'includes'));
const BATCH_COMMAND = 'usherInvHoldBatch';
const definedOn = new WeakSet<object>();

declare module 'ioredis' {
  interface RedisCommander<Context> {
    /** holdBatch-N.lua: the key count first (it varies with the batch). */
    usherInvHoldBatch(numberOfKeys: number, ...keysAndArgs: (string | number)[]): Result<string[], Context>;
  }
}

/** A pass refused inside a batch: the message is the script's `USHER:<code> <detail>`, as a lone call would fail. */
export class BatchedHoldError extends Error {}

/**
 * Pass j's answer of holdBatch-N.lua's flat reply (the batch's currency and deadline, then 4
 * strings a pass) as holdSeats-10.lua would have answered it; a refused pass as its error.
 */
export function holdSeatsReply(flat: readonly string[], j: number): string[] | BatchedHoldError {
  const [currency, deadline] = flat;
  const at = 2 + 4 * j;
  const tag = flat[at]!;
  const round = flat[at + 1]!;
  const x = flat[at + 2]!;
  if (tag === 'hold') return ['hold', round, 'state', 'HELD', 'items', x, 'amount', flat[at + 3]!, 'currency', currency!, 'deadline', deadline!];
  if (tag === 'miss') return ['miss', round, x];
  if (tag === 'stale') return ['stale', round];
  if (tag === 'replay') return JSON.parse(x) as string[];
  if (tag === 'error') return new BatchedHoldError(x);
  throw new Error(`holdBatch answered ${tag} for pass ${j}`);
}

export class HoldBatcher {
  private readonly open = new Map<string, Batch>();
  private readonly maxBatch: number;
  private readonly waitMs: number;

  constructor(
    private readonly redis: RedisClient,
    private readonly markerTtlS: number,
    options: HoldBatchOptions = {},
  ) {
    this.maxBatch = Math.max(1, Math.floor(options.maxBatch ?? 32));
    this.waitMs = Math.max(0, options.waitMs ?? 0);
    if (!definedOn.has(redis)) {
      // no numberOfKeys: the caller passes it, ioredis still routes by the keys (one shard, one slot)
      redis.defineCommand(BATCH_COMMAND, { lua: holdBatchLua });
      definedOn.add(redis);
    }
  }

  /** holdSeats' reply for this step on this shard (rejects with the script's error, as a lone call would). */
  step(saleId: string, shard: number, step: HoldStep): Promise<string[]> {
    if (this.maxBatch === 1) return this.alone(shardKeys(saleId, shard), step);
    const id = `${saleId}:${shard}`;
    let batch = this.open.get(id);
    if (batch?.jtis.has(step.jti)) {
      this.flush(id, batch);
      batch = undefined;
    }
    if (!batch) {
      const fresh: Batch = { k: shardKeys(saleId, shard), entries: [], jtis: new Set(), timer: undefined as unknown as NodeJS.Immediate };
      fresh.timer = this.waitMs === 0 ? setImmediate(() => this.flush(id, fresh)) : setTimeout(() => this.flush(id, fresh), this.waitMs);
      this.open.set(id, fresh);
      batch = fresh;
    }
    const b = batch;
    return new Promise<string[]>((resolve, reject) => {
      b.entries.push({ step, resolve, reject });
      b.jtis.add(step.jti);
      if (b.entries.length >= this.maxBatch) this.flush(id, b);
    });
  }

  private flush(id: string, batch: Batch): void {
    if (this.open.get(id) !== batch) return; // already sent
    this.open.delete(id);
    if (this.waitMs === 0) clearImmediate(batch.timer as NodeJS.Immediate);
    else clearTimeout(batch.timer as NodeJS.Timeout);
    const { k, entries } = batch;
    if (entries.length === 1) {
      const [only] = entries;
      this.alone(k, only!.step).then(only!.resolve, only!.reject);
      return;
    }
    batchHolds.inc({ how: 'batched' }, entries.length);
    const keys = [k.meta, k.seats, k.state, k.free, k.counts, k.deadlines, k.runs];
    const args: (string | number)[] = [this.markerTtlS];
    for (const { step: s } of entries) {
      keys.push(k.hold(s.jti), k.marker(s.jti), k.round(s.jti));
      args.push(s.jti, s.round, s.mode, s.target, s.quantity, s.together ? '1' : '0', s.seatIds.length, ...s.seatIds);
    }
    this.redis.usherInvHoldBatch(keys.length, ...keys, ...args).then(
      (flat: string[]) => {
        const answers = Array.isArray(flat) && flat.length === 2 + 4 * entries.length ? flat : undefined;
        entries.forEach((e, j) => {
          if (!answers) return e.reject(new Error(`holdBatch answered ${JSON.stringify(flat)}`));
          try {
            const answer = holdSeatsReply(answers, j);
            if (answer instanceof BatchedHoldError) e.reject(answer);
            else e.resolve(answer);
          } catch (err) {
            e.reject(err);
          }
        });
      },
      (err: unknown) => {
        for (const e of entries) e.reject(err);
      },
    );
  }

  private alone(k: ShardKeys, s: HoldStep): Promise<string[]> {
    batchHolds.inc({ how: 'alone' });
    return this.redis.usherInvHoldSeats(...holdSeatsKeys(k, s.jti), s.jti, s.round, s.mode, s.target, s.quantity, s.together ? '1' : '0', this.markerTtlS, ...s.seatIds);
  }
}
