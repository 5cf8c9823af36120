/**
 * The opening shuffle of the pre-queue. Everyone who arrived in the pre-queue window is equal:
 * the arrivals are sorted by visitor id (random, so arrival time cannot matter) and put in a
 * seeded uniform permutation (Fisher–Yates driven by SHA-256 in counter mode, rejection sampling
 * so no position is favoured). The seed is drawn at opening and published afterwards, so anyone
 * holding the list of pre-queue visitors can recompute the order with `seededPermutation`.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { RedisClient } from '../common/redis-connection.js';
import { queueKeys } from '../admission/queue-keys.js';
import type { QueueStore } from './queue-store.js';
import { QueueError } from './queue-errors.js';

export function newShuffleSeed(): string {
  return randomBytes(32).toString('hex');
}

/** A stream of uniform 32-bit integers from sha256(seed ‖ counter). */
function uint32Stream(seedHex: string): () => number {
  let counter = 0;
  let block: Buffer = Buffer.alloc(0);
  let offset = 0;
  return () => {
    if (offset >= block.length) {
      const c = Buffer.alloc(8);
      c.writeBigUInt64BE(BigInt(counter++));
      block = createHash('sha256').update(Buffer.from(seedHex, 'hex')).update(c).digest();
      offset = 0;
    }
    const v = block.readUInt32BE(offset);
    offset += 4;
    return v;
  };
}

/** Uniform integer in [0, n): rejects the top sliver of 2^32 that would bias small values. */
function below(n: number, next: () => number): number {
  const limit = 0x1_0000_0000 - (0x1_0000_0000 % n);
  for (;;) {
    const v = next();
    if (v < limit) return v % n;
  }
}

export function seededPermutation(items: readonly string[], seedHex: string): string[] {
  if (!/^[0-9a-f]{2,}$/i.test(seedHex)) throw new Error('seed must be hex');
  const out = [...items].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const next = uint32Stream(seedHex);
  for (let i = out.length - 1; i > 0; i--) {
    const j = below(i + 1, next);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/**
 * Reads the pre-queue, permutes it and applies it atomically (shuffle-6.lua refuses if an arrival
 * slipped in meanwhile; the next tick tries again). Returns the number of fans shuffled, or null
 * when another edge did it first or the pre-queue changed.
 */
export async function runOpeningShuffle(redis: RedisClient, store: QueueStore, saleId: string, seed = newShuffleSeed()): Promise<number | null> {
  const arrivals = await redis.zrange(queueKeys(saleId).prequeue, 0, -1);
  try {
    return await store.shuffle(saleId, seed, seededPermutation(arrivals, seed));
  } catch (err) {
    if (err instanceof QueueError && (err.code === 'already_shuffled' || err.code === 'prequeue_changed' || err.code === 'not_yet_open')) return null;
    throw err;
  }
}
