/** Small helpers of the fan processes, apart from the process code so tests can import them. */

/**
 * How the edge encodes a position broadcast (queue-edge/edge-protocol.ts `encode`: `v` first, then
 * `type`). Fans recognise the commonest message by this prefix instead of parsing it.
 */
export const POSITION_PREFIX = '{"v":1,"type":"position"';

/** Small seeded PRNG (mulberry32): each run's choices are reproducible per process. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
