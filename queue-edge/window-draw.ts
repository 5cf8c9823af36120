/**
 * The draws of a `random`-mode sale after its opening: windows of `drawWindowMs` aligned on Redis
 * time (window k is [k·w, (k+1)·w)); the first tick after a window ends draws everyone who arrived in
 * it, with the opening shuffle's permutation and a fresh seed, recorded in the sale's `draws` hash.
 * When the mode changes away from random the pool is drawn at once, so nobody waits for a window
 * that will not come.
 */
import type { RedisClient } from '../common/redis-connection.js';
import { queueKeys } from '../admission/queue-keys.js';
import type { QueueStore, TickResult } from './queue-store.js';
import { QueueError } from './queue-errors.js';
import { newShuffleSeed, seededPermutation } from './fair-draw.js';

/** The end (exclusive, ms) of the window to draw now, or null when no draw is due. */
export function drawDueAt(r: Pick<TickResult, 'now' | 'shuffled' | 'mode' | 'drawWindowMs' | 'poolOldest'>): number | null {
  if (!r.shuffled || r.poolOldest === 0) return null;
  if (r.mode !== 'random') return r.now;
  const end = (Math.floor(r.poolOldest / r.drawWindowMs) + 1) * r.drawWindowMs;
  return r.now >= end ? end : null;
}

/**
 * Draws the pool's arrivals before `windowEndMs`. Returns the draw, or null when there was nothing
 * to draw or the pool changed under it (a departure: the next tick tries again).
 */
export async function runWindowDraw(redis: RedisClient, store: QueueStore, saleId: string, windowEndMs: number, seed = newShuffleSeed()): Promise<{ count: number; draw: number } | null> {
  const arrivals = await redis.zrangebyscore(queueKeys(saleId).prequeue, '-inf', `(${windowEndMs}`);
  if (arrivals.length === 0) return null;
  try {
    return await store.draw(saleId, seed, windowEndMs, seededPermutation(arrivals, seed));
  } catch (err) {
    if (err instanceof QueueError && (err.code === 'prequeue_changed' || err.code === 'draw_not_due')) return null;
    throw err;
  }
}
