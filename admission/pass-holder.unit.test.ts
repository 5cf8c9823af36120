import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { holderOf, passOf } from './pass-holder.js';

describe('pass holders', () => {
  it('are the jti for the first hold and a suffix per release after, each mapping back to the pass', () => {
    const jti = randomUUID();
    expect(holderOf(jti, 0)).toBe(jti);
    expect(new Set([0, 1, 2, 3].map((n) => holderOf(jti, n))).size).toBe(4);
    for (const n of [0, 1, 2, 999]) expect(passOf(holderOf(jti, n))).toBe(jti);
    // another pass can never be taken for this one's holder
    expect(passOf(holderOf(randomUUID(), 2))).not.toBe(jti);
  });
});
