import { describe, expect, it } from 'vitest';
import { generatePassJwks } from './admission-pass.js';
import {
  keysetFromJwks, keyStateAt, publishedKeysAt, publicJwkOf, retireKey, rotateKeyset, signingKeyAt, PassKeysetError, type PassKey,
} from './pass-keyset.js';

async function newKey(kid: string): Promise<{ kid: string; jwk: PassKey['jwk'] }> {
  const { keys } = await generatePassJwks(kid);
  const { kid: _kid, alg: _alg, use: _use, ...jwk } = keys[0]!;
  return { kid, jwk: jwk as PassKey['jwk'] };
}

const T0 = 1_000_000;

describe('pass keyset', () => {
  it('seeds from PASS_SIGNING_JWKS: the first key signs, the others are previous keys until retention ends', async () => {
    const jwks = { keys: [...(await generatePassJwks('new')).keys, ...(await generatePassJwks('old')).keys] };
    const set = keysetFromJwks(jwks, T0, 60_000);
    expect(signingKeyAt(set, T0)?.kid).toBe('new');
    expect(publishedKeysAt(set, T0 + 59_999).map((k) => k.kid)).toEqual(['new', 'old']);
    expect(publishedKeysAt(set, T0 + 60_000).map((k) => k.kid)).toEqual(['new']);
    expect(() => keysetFromJwks({ keys: [{ kty: 'oct', k: 'x', kid: 'h' }] }, T0, 0)).toThrow(PassKeysetError);
  });

  it('rotates: the new key is published at once, signs from its activation, the old one stays published for the retention', async () => {
    const set = keysetFromJwks(await generatePassJwks('k1'), T0, 0);
    const next = rotateKeyset(set, { key: await newKey('k2'), nowMs: T0 + 1000, activateInMs: 20_000, retainMs: 600_000 });
    expect(next.version).toBe(set.version + 1);
    const activation = T0 + 21_000;
    // before activation: both published, k1 signs, k2 pending
    expect(publishedKeysAt(next, T0 + 1000).map((k) => k.kid)).toEqual(['k1', 'k2']);
    expect(signingKeyAt(next, activation - 1)?.kid).toBe('k1');
    expect(next.keys.map((k) => keyStateAt(next, k, activation - 1))).toEqual(['signing', 'pending']);
    // from activation: k2 signs, k1 is previous until activation + retention
    expect(signingKeyAt(next, activation)?.kid).toBe('k2');
    expect(next.keys.map((k) => keyStateAt(next, k, activation))).toEqual(['previous', 'signing']);
    expect(publishedKeysAt(next, activation + 599_999).map((k) => k.kid)).toEqual(['k1', 'k2']);
    expect(publishedKeysAt(next, activation + 600_000).map((k) => k.kid)).toEqual(['k2']);
    // the next rotation prunes the retired key and retires k2 in turn
    const third = rotateKeyset(next, { key: await newKey('k3'), nowMs: activation + 700_000, activateInMs: 0, retainMs: 1000 });
    expect(third.keys.map((k) => k.kid)).toEqual(['k2', 'k3']);
    expect(third.keys[0]!.retiresAtMs).toBe(activation + 701_000);
    const again = await newKey('k3');
    expect(() => rotateKeyset(third, { key: again, nowMs: 0, activateInMs: 0, retainMs: 0 })).toThrow(/already exists/);
  });

  it('publishes only public halves', async () => {
    const set = keysetFromJwks(await generatePassJwks('k1'), T0, 0);
    const pub = publicJwkOf(set.keys[0]!);
    expect(pub).toMatchObject({ kid: 'k1', kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(pub).not.toHaveProperty('d');
  });

  it('retires a previous or pending key at once, never the signing key', async () => {
    const set = keysetFromJwks(await generatePassJwks('k1'), T0, 0);
    const rotated = rotateKeyset(set, { key: await newKey('k2'), nowMs: T0, activateInMs: 10_000, retainMs: 600_000 });
    expect(() => retireKey(rotated, 'k1', T0 + 1)).toThrow(/signing passes now/);
    expect(() => retireKey(rotated, 'nope', T0 + 1)).toThrow(/no pass key/);
    // withdrawing a pending key: k1 is the newest again, published without end
    const withdrawn = retireKey(rotated, 'k2', T0 + 1);
    expect(publishedKeysAt(withdrawn, T0 + 2).map((k) => k.kid)).toEqual(['k1']);
    expect(withdrawn.keys.find((k) => k.kid === 'k1')!.retiresAtMs).toBeNull();
    expect(rotated.keys.find((k) => k.kid === 'k1')!.retiresAtMs).not.toBeNull(); // input untouched
    // after activation, the previous key can be retired early (compromised)
    const early = retireKey(rotated, 'k1', T0 + 10_001);
    expect(publishedKeysAt(early, T0 + 10_002).map((k) => k.kid)).toEqual(['k2']);
    expect(signingKeyAt(early, T0 + 10_002)?.kid).toBe('k2');
  });
});
