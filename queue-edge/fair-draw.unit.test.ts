/**
 * The draw's specification (queue-edge/README.md, "A draw anyone can verify") against its two
 * implementations: the edge's (fair-draw.ts) and the standalone verifier's (scripts/verify-draw.ts).
 * The test vector is read from the README itself, so the document and the code cannot drift apart.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { below, drawCommitment, drawSeed, hashedVisitorId, seededPermutation } from './fair-draw.js';
import { commitmentOf, drawOrder, hashedId, seedOf, uniformBelow, verifyDraw, type PublishedDraw } from '../scripts/verify-draw.js';

interface Vector {
  saleId: string;
  visitors: Record<string, string>;
  commitment: string;
  randomness: string;
  seed: string;
  block0: string;
  steps: { i: number; n: number; word: number; j: number }[];
  firstTicket: number;
  tickets: Record<string, number>;
}

const readme = readFileSync(new URL('./README.md', import.meta.url), 'utf8');
const block = /<!-- draw-test-vector:begin -->\n```json\n([\s\S]*?)\n```\n<!-- draw-test-vector:end -->/.exec(readme);
const vector = JSON.parse(block![1]!) as Vector;
const visitors = Object.keys(vector.visitors);

const implementations = {
  edge: { hash: hashedVisitorId, commit: drawCommitment, seed: drawSeed, order: seededPermutation, below },
  verifier: { hash: hashedId, commit: commitmentOf, seed: seedOf, order: drawOrder, below: uniformBelow },
};

describe.each(Object.entries(implementations))('the README test vector, %s implementation', (_name, impl) => {
  it('reproduces the hashed ids, commitment, seed and every ticket', () => {
    for (const v of visitors) expect(impl.hash(vector.saleId, v)).toBe(vector.visitors[v]);
    const sorted = Object.values(vector.visitors).sort();
    expect(impl.commit(sorted)).toBe(vector.commitment);
    expect(impl.seed(vector.commitment, vector.randomness)).toBe(vector.seed);
    const order = impl.order(sorted, vector.seed);
    const ticketOf = Object.fromEntries(visitors.map((v) => [v, vector.firstTicket + order.indexOf(vector.visitors[v]!)]));
    expect(ticketOf).toEqual(vector.tickets);
  });

  it('discards a word at or above 2^32 − (2^32 mod n)', () => {
    // n = 3: 2^32 mod 3 = 1, so only 0xffffffff is discarded; 0xfffffffe is kept (mod 3 = 2)
    const words = [0xffffffff, 0xfffffffe];
    expect(impl.below(3, () => words.shift()!)).toBe(2);
    // n = 2^31 + 1: 2^32 mod n = 2^31 − 1, so every word from 2^31 + 1 up is discarded
    const big = [2 ** 31 + 1, 2 ** 32 - 1, 2 ** 31];
    expect(impl.below(2 ** 31 + 1, () => big.shift()!)).toBe(2 ** 31);
  });
});

describe('the README test vector, by hand', () => {
  it('block 0 and the words each step uses are as printed', () => {
    const counter = Buffer.alloc(8); // k = 0, u64 big-endian
    const block0 = createHash('sha256').update(Buffer.from(vector.seed, 'hex')).update(counter).digest();
    expect(block0.toString('hex')).toBe(vector.block0);
    vector.steps.forEach((step, k) => {
      expect(block0.readUInt32BE(4 * k)).toBe(step.word);
      expect(step.word % step.n).toBe(step.j);
    });
  });
});

describe('the verifier', () => {
  const sorted = Object.values(vector.visitors).sort();
  const published: PublishedDraw = {
    version: 'usher-draw-v1', saleId: vector.saleId, state: 'revealed', closesAt: 0, count: 5, commitment: vector.commitment, committedAt: 1,
    beacon: { kind: 'drand', url: 'http://beacon.invalid', round: 7, roundAt: 21_000, delayS: 5 },
    reveal: { kind: 'drand', url: 'http://beacon.invalid', round: 7, randomness: vector.randomness },
    seed: vector.seed, firstTicket: 1, members: sorted,
  };

  it('verifies the vector offline, and says the beacon was not re-fetched', async () => {
    const v = await verifyDraw(published, { beaconUrl: null });
    expect(v.problems).toEqual([]);
    expect(v.ok).toBe(true);
    expect(v.warnings.join()).toMatch(/not re-fetched/);
    expect(v.positions.map((p) => p.ticket)).toEqual([1, 2, 3, 4, 5]);
  });

  it('fails a list that is not the committed one, a seed not derived from it, and a changed beacon round', async () => {
    const swapped = [...sorted];
    swapped[0] = createHash('sha256').update('someone else').digest('hex');
    expect((await verifyDraw({ ...published, members: swapped.sort() }, { beaconUrl: null })).problems.join()).toMatch(/commitment/);
    expect((await verifyDraw({ ...published, seed: '00'.repeat(32) }, { beaconUrl: null })).problems.join()).toMatch(/seed/);
    expect((await verifyDraw({ ...published, reveal: { ...published.reveal!, round: 8 } }, { beaconUrl: null })).problems.join()).toMatch(/fixed at the commit/);
  });
});
