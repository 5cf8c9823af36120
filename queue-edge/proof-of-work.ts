/**
 * Optional proof-of-work at join (difficulty per sale, 0 = off): the fan finds a nonce such that
 * sha256(`${challenge}:${nonce}`) starts with `difficulty` zero bits. The challenge is random per
 * socket, so work cannot be reused across connections. Cheap to verify, costly to do in bulk.
 */
import { createHash, randomBytes } from 'node:crypto';

export function newChallenge(): string {
  return randomBytes(16).toString('hex');
}

export function leadingZeroBits(digest: Buffer): number {
  let bits = 0;
  for (const byte of digest) {
    if (byte === 0) {
      bits += 8;
      continue;
    }
    return bits + Math.clz32(byte) - 24;
  }
  return bits;
}

export function verifyWork(challenge: string, nonce: string | undefined, difficulty: number): boolean {
  if (difficulty <= 0) return true;
  if (!nonce) return false;
  return leadingZeroBits(createHash('sha256').update(`${challenge}:${nonce}`).digest()) >= difficulty;
}

/** The client's search, for tests and the load generator (the page does the same in the browser). */
export function solveWork(challenge: string, difficulty: number): string {
  for (let n = 0; ; n++) if (verifyWork(challenge, String(n), difficulty)) return String(n);
}
