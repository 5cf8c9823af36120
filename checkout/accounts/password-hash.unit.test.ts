import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from './password-hash.js';

describe('password hashing (scrypt)', () => {
  it('verifies the right password only, with a fresh salt each time', async () => {
    const a = await hashPassword('pässword one', { log2N: 10, r: 8, p: 1 });
    const b = await hashPassword('pässword one', { log2N: 10, r: 8, p: 1 });
    expect(a).not.toBe(b);
    expect(await verifyPassword('pässword one', a)).toBe(true);
    // NFKC: the same text typed as a decomposed sequence still matches
    expect(await verifyPassword('pa\u0308ssword one', a)).toBe(true);
    expect(await verifyPassword('password one', a)).toBe(false);
  });

  it('refuses malformed or absurd stored hashes instead of throwing or burning memory', async () => {
    expect(await verifyPassword('x', 'plain')).toBe(false);
    expect(await verifyPassword('x', 'scrypt$30$8$1$AAAA$AAAA')).toBe(false);
  });
});
