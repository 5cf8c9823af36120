/**
 * The pure functions of a draw anyone can verify (specified byte by byte in queue-edge/README.md,
 * "A draw anyone can verify"; scripts/verify-draw.ts implements the same specification on its own):
 * visitor ids are hashed per sale, so publishing the list names nobody; the sorted list is committed
 * to with SHA-256 when the pre-queue closes; the seed is derived from that commitment and a public
 * beacon value fixed after it; the order is a Fisher–Yates shuffle of the sorted list driven by
 * SHA-256 in counter mode with rejection sampling, so no position is favoured.
 */
import { createHash, randomBytes } from 'node:crypto';

export const DRAW_VERSION = 'usher-draw-v1';

const sha256 = (...parts: (string | Buffer)[]): Buffer => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};

/** hex(SHA-256("usher-draw-v1:visitor:" ‖ sale ‖ ":" ‖ visitor)): the id a fan is published under. */
export function hashedVisitorId(saleId: string, visitorId: string): string {
  return sha256(`${DRAW_VERSION}:visitor:${saleId}:${visitorId}`).toString('hex');
}

/** hex(SHA-256 of the sorted hashed ids, each as 64 lowercase hex characters followed by "\n"). */
export function drawCommitment(sortedHashedIds: readonly string[]): string {
  return sha256(sortedHashedIds.map((id) => `${id}\n`).join('')).toString('hex');
}

/** hex(SHA-256("usher-draw-v1:seed:" ‖ commitment's 32 bytes ‖ the beacon randomness's bytes)). */
export function drawSeed(commitmentHex: string, randomnessHex: string): string {
  return sha256(`${DRAW_VERSION}:seed:`, Buffer.from(commitmentHex, 'hex'), Buffer.from(randomnessHex, 'hex')).toString('hex');
}

/** 32 random bytes (hex): the seed of a window draw, and the stand-in randomness when no beacon is configured. */
export function newShuffleSeed(): string {
  return randomBytes(32).toString('hex');
}

/** Uniform 32-bit words: block k = SHA-256(seed bytes ‖ uint64 big-endian k), k = 0, 1, …; each block gives 8 big-endian words in order. */
function uint32Stream(seedHex: string): () => number {
  const seed = Buffer.from(seedHex, 'hex');
  let counter = 0n;
  let block: Buffer = Buffer.alloc(0);
  let offset = 0;
  return () => {
    if (offset >= block.length) {
      const c = Buffer.alloc(8);
      c.writeBigUInt64BE(counter++);
      block = sha256(seed, c);
      offset = 0;
    }
    const v = block.readUInt32BE(offset);
    offset += 4;
    return v;
  };
}

/** Uniform integer in [0, n): a word w is kept only if w < 2^32 − (2^32 mod n), then w mod n. */
export function below(n: number, next: () => number): number {
  const limit = 0x1_0000_0000 - (0x1_0000_0000 % n);
  for (;;) {
    const v = next();
    if (v < limit) return v % n;
  }
}

/** Sorts `items` (by UTF-16 code units: byte order for the hex ids), then for i = N−1 down to 1 swaps item i with item below(i + 1). */
export function seededPermutation(items: readonly string[], seedHex: string): string[] {
  if (!/^([0-9a-f]{2})+$/i.test(seedHex)) throw new Error('seed must be hex');
  const out = [...items].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const next = uint32Stream(seedHex);
  for (let i = out.length - 1; i > 0; i--) {
    const j = below(i + 1, next);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
