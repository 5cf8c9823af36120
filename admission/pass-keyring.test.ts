/**
 * The live keyring against a real Redis: edges starting at once agree on one seeded keyset, a
 * rotation written by the operator reaches every edge's signer and JWKS without a restart, writes
 * are compare-and-set, and a keyset lost from Redis is put back.
 */
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { decodeProtectedHeader } from 'jose';
import { Redis } from 'ioredis';
import { redisUrl } from '../test/support/databases.js';
import { generatePassJwks, passVerifier } from './admission-pass.js';
import { keysetFromJwks, rotateKeyset, type PassKey } from './pass-keyset.js';
import { PASS_KEYSET_KEY, readPassKeyset, replacePassKeyset, updatePassKeyset } from './pass-keyset-store.js';
import { startPassKeyring, type PassKeyring } from './pass-keyring.js';

// A database of its own: the keyset key is global, and other test files' edges use database 0.
const url = new URL(redisUrl());
url.pathname = '/7';
const redis = new Redis(url.toString(), { maxRetriesPerRequest: 3 });
const rings: PassKeyring[] = [];
const edgeClients: Redis[] = [];
afterAll(() => {
  for (const r of rings) r.close();
  for (const c of edgeClients) c.disconnect();
  redis.disconnect();
});
beforeEach(async () => {
  await redis.del(PASS_KEYSET_KEY);
});

let clock = 1_000_000;
async function ring(seedKid: string): Promise<PassKeyring> {
  const client = redis.duplicate();
  edgeClients.push(client);
  const r = await startPassKeyring(client, {
    refreshMs: 60_000,
    now: () => clock,
    seed: async () => keysetFromJwks(await generatePassJwks(seedKid), clock, 0),
  });
  rings.push(r);
  return r;
}

async function newKey(kid: string): Promise<{ kid: string; jwk: PassKey['jwk'] }> {
  const { kid: _k, alg: _a, use: _u, ...jwk } = (await generatePassJwks(kid)).keys[0]!;
  return { kid, jwk: jwk as PassKey['jwk'] };
}

const kidOf = (token: string): string | undefined => decodeProtectedHeader(token).kid;

describe('pass keyring', () => {
  it('seeds one keyset however many edges start at once', async () => {
    const [a, b, c] = await Promise.all([ring('seed-a'), ring('seed-b'), ring('seed-c')]);
    const kids = [a, b, c].map((r) => r.keyset().keys.map((k) => k.kid).join());
    expect(new Set(kids).size).toBe(1);
    expect((await readPassKeyset(redis))!.keys).toHaveLength(1);
  });

  it('follows a rotation without a restart: publishes the new key first, signs with it from its activation', async () => {
    const [a, b] = await Promise.all([ring('k1'), ring('k1')]);
    const before = await a.sign({ saleId: 's', visitorId: 'v', ttlS: 600 });
    expect(kidOf(before.token)).toBe('k1');

    const k2 = await newKey('k2');
    await updatePassKeyset(redis, (set) => rotateKeyset(set, { key: k2, nowMs: clock, activateInMs: 10_000, retainMs: 600_000 }));
    await Promise.all([a.refresh(), b.refresh()]);
    for (const r of [a, b]) expect(r.publicJwks.keys.map((k) => k.kid)).toEqual(['k1', 'k2']);
    expect(kidOf((await b.sign({ saleId: 's', visitorId: 'v', ttlS: 600 })).token)).toBe('k1'); // pending

    clock += 10_000;
    const after = await Promise.all([a, b].map((r) => r.sign({ saleId: 's', visitorId: 'v', ttlS: 600 })));
    expect(after.map((p) => kidOf(p.token))).toEqual(['k2', 'k2']);
    // both passes verify against either edge's JWKS
    for (const r of [a, b]) {
      const verifier = passVerifier({ jwks: r.publicJwks });
      await expect(verifier.verify(before.token, 's')).resolves.toMatchObject({ visitorId: 'v' });
      await expect(verifier.verify(after[0]!.token, 's')).resolves.toMatchObject({ visitorId: 'v' });
    }
    clock += 600_000; // past the retention: k1 is no longer published
    expect(a.publicJwks.keys.map((k) => k.kid)).toEqual(['k2']);
    await expect(passVerifier({ jwks: a.publicJwks }).verify(before.token, 's')).rejects.toMatchObject({ reason: 'bad_signature' });
  });

  it('writes only over the keyset it read', async () => {
    const a = await ring('k1');
    const read = a.keyset();
    const first = rotateKeyset(read, { key: await newKey('x1'), nowMs: clock, activateInMs: 0, retainMs: 0 });
    const second = rotateKeyset(read, { key: await newKey('x2'), nowMs: clock, activateInMs: 0, retainMs: 0 });
    expect(await replacePassKeyset(redis, read, first)).toBe(true);
    expect(await replacePassKeyset(redis, read, second)).toBe(false);
    expect((await readPassKeyset(redis))!.keys.map((k) => k.kid)).toEqual(['k1', 'x1']);
  });

  it('puts the keyset back when Redis lost it', async () => {
    const a = await ring('k1');
    await redis.del(PASS_KEYSET_KEY);
    await a.refresh();
    expect((await readPassKeyset(redis))!.keys.map((k) => k.kid)).toEqual(['k1']);
  });
});
