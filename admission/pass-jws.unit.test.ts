/**
 * The synchronous pass verifier (pass-jws.ts behind passVerifier) refuses every wrong claim with
 * the reason jose gave, and agrees with jose's jwtVerify (test/support/jose-pass-verifier.ts) on
 * a set of valid and invalid tokens, including ones signed with our own key but wrong inside.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createHmac, createPrivateKey, sign, type KeyObject } from 'node:crypto';
import type { JWK } from 'jose';
import { generatePassJwks, passSigningKeys, passVerifier, type PassVerifier } from './admission-pass.js';
import { josePassVerifier } from '../test/support/jose-pass-verifier.js';

const b64 = (v: unknown): string => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

/** A compact JWS over any header and payload, signed ES256 (raw r‖s) with `key`. */
function forge(header: unknown, payload: unknown, key: KeyObject): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
}

async function keys(kid: string): Promise<{ jwks: { keys: JWK[] }; priv: KeyObject; sign: Awaited<ReturnType<typeof passSigningKeys>>['sign'] }> {
  const jwks = await generatePassJwks(kid);
  const signer = await passSigningKeys(JSON.stringify(jwks));
  return { jwks: signer.publicJwks, priv: createPrivateKey({ key: jwks.keys[0]! as never, format: 'jwk' }), sign: signer.sign };
}

type Outcome = { ok: true; claims: unknown } | { ok: false; reason: string };
async function outcome(v: PassVerifier, token: string | undefined, sale?: string): Promise<Outcome> {
  try {
    return { ok: true, claims: await v.verify(token, sale) };
  } catch (err) {
    return { ok: false, reason: (err as { reason?: string }).reason ?? `threw ${String(err)}` };
  }
}

afterEach(() => vi.useRealTimers());

describe('synchronous pass verifier', () => {
  it('accepts a genuine pass and returns its claims', async () => {
    const k = await keys('k1');
    const { token, claims } = await k.sign({ saleId: 'sale-a', visitorId: 'v1', ttlS: 60, traceparent: '00-aa-bb-01' });
    expect(await passVerifier({ jwks: k.jwks }).verify(token, 'sale-a')).toEqual(claims);
  });

  it('refuses each wrong pass with the reason jose gave', async () => {
    const k = await keys('k1');
    const other = await keys('k1'); // same kid, another key: a forger guessing our kid
    const v = passVerifier({ jwks: k.jwks });
    const now = Math.floor(Date.now() / 1000);
    const header = { alg: 'ES256', kid: 'k1', typ: 'JWT' };
    const claims = { iss: 'usher-edge', aud: 'sale-a', sub: 'v', jti: 'j', iat: now, exp: now + 60 };
    const good = forge(header, claims, k.priv);
    const [h, p, s] = good.split('.') as [string, string, string];
    const flip = (x: string): string => (x[10] === 'A' ? 'B' : 'A') + x.slice(1, 10) + x.slice(10);
    const cases: [string, string | undefined, string][] = [
      ['no pass', undefined, 'missing'],
      ['expired', forge(header, { ...claims, exp: now - 10 }, k.priv), 'expired'],
      ['unknown kid', forge({ ...header, kid: 'k2' }, claims, k.priv), 'bad_signature'],
      ['kid not a string', forge({ ...header, kid: 7 }, claims, k.priv), 'bad_signature'],
      ['signed by another key under our kid', forge(header, claims, other.priv), 'bad_signature'],
      ['tampered signature', `${h}.${p}.${flip(s)}`, 'bad_signature'],
      ['tampered payload', `${h}.${b64({ ...claims, aud: 'sale-b' })}.${s}`, 'bad_signature'],
      ['truncated signature', `${h}.${p}.${s.slice(0, 40)}`, 'bad_signature'],
      ['alg none', `${b64({ alg: 'none', kid: 'k1' })}.${p}.`, 'malformed'],
      ['alg HS256', (() => { const i = `${b64({ alg: 'HS256', kid: 'k1' })}.${p}`; return `${i}.${createHmac('sha256', 'k1').update(i).digest('base64url')}`; })(), 'malformed'],
      ['alg ES384 header over an ES256 signature', forge({ ...header, alg: 'ES384' }, claims, k.priv), 'malformed'],
      ['wrong issuer', forge(header, { ...claims, iss: 'someone' }, k.priv), 'malformed'],
      ['no issuer', forge(header, { ...claims, iss: undefined }, k.priv), 'malformed'],
      ['not yet valid', forge(header, { ...claims, nbf: now + 60 }, k.priv), 'malformed'],
      ['iat not a number', forge(header, { ...claims, iat: 'yesterday' }, k.priv), 'malformed'],
      ['exp not a number', forge(header, { ...claims, exp: String(now + 60) }, k.priv), 'malformed'],
      ['no jti', forge(header, { ...claims, jti: undefined }, k.priv), 'malformed'],
      ['no exp', forge(header, { ...claims, exp: undefined }, k.priv), 'malformed'],
      ['payload not an object', forge(header, [claims], k.priv), 'malformed'],
      ['unknown crit extension', forge({ ...header, crit: ['exp'], exp: 1 }, claims, k.priv), 'malformed'],
      ['unencoded payload (b64 false)', forge({ ...header, crit: ['b64'], b64: false }, claims, k.priv), 'malformed'],
      ['two segments', `${h}.${p}`, 'malformed'],
      ['not base64url', `${h}.${p}.${s.slice(0, 20)}+${s.slice(21)}`, 'malformed'],
      ['not a token', 'not-a-jwt', 'malformed'],
      ['wrong sale', good, 'wrong_sale'],
    ];
    for (const [what, token, reason] of cases) {
      expect({ what, ...(await outcome(v, token, what === 'wrong sale' ? 'sale-b' : 'sale-a')) }).toEqual({ what, ok: false, reason });
    }
    expect(await outcome(v, good, 'sale-a')).toMatchObject({ ok: true });
  });

  it('allows 2 s of clock skew on exp and nbf, and no more', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(1_800_000_000_500);
    const k = await keys('k1');
    const v = passVerifier({ jwks: k.jwks });
    const now = 1_800_000_000;
    const base = { iss: 'usher-edge', aud: 's', sub: 'v', jti: 'j', iat: now };
    const header = { alg: 'ES256', kid: 'k1' };
    expect(await outcome(v, forge(header, { ...base, exp: now - 1 }, k.priv), 's')).toMatchObject({ ok: true });
    expect(await outcome(v, forge(header, { ...base, exp: now - 2 }, k.priv), 's')).toEqual({ ok: false, reason: 'expired' });
    expect(await outcome(v, forge(header, { ...base, exp: now + 60, nbf: now + 2 }, k.priv), 's')).toMatchObject({ ok: true });
    expect(await outcome(v, forge(header, { ...base, exp: now + 60, nbf: now + 3 }, k.priv), 's')).toEqual({ ok: false, reason: 'malformed' });
  });

  it('verifies passes of every published key (a rotation) and none of a key no longer published', async () => {
    const [a, b] = await Promise.all([keys('a'), keys('b')]);
    const both = passVerifier({ jwks: { keys: [...a.jwks.keys, ...b.jwks.keys] } });
    const onlyB = passVerifier({ jwks: b.jwks });
    const passA = (await a.sign({ saleId: 's', visitorId: 'v', ttlS: 60 })).token;
    const passB = (await b.sign({ saleId: 's', visitorId: 'v', ttlS: 60 })).token;
    expect(await outcome(both, passA, 's')).toMatchObject({ ok: true });
    expect(await outcome(both, passB, 's')).toMatchObject({ ok: true });
    expect(await outcome(onlyB, passA, 's')).toEqual({ ok: false, reason: 'bad_signature' });
  });
});

describe('the synchronous verifier and jose agree', () => {
  it('on valid and invalid tokens, claim by claim and reason by reason', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(1_800_000_000_250);
    const [a, b, c] = await Promise.all([keys('a'), keys('b'), keys('c')]);
    const sets = { a: a.jwks, ab: { keys: [...a.jwks.keys, ...b.jwks.keys] }, dup: { keys: [...a.jwks.keys, { ...b.jwks.keys[0]!, kid: 'a' }] } };
    const now = 1_800_000_000;
    const claims = { iss: 'usher-edge', aud: 's', sub: 'v', jti: 'j', iat: now, exp: now + 60 };
    const tokens: string[] = [
      (await a.sign({ saleId: 's', visitorId: 'v', ttlS: 60 })).token,
      (await b.sign({ saleId: 's', visitorId: 'v', ttlS: 60, traceparent: 'x'.repeat(129) })).token,
      (await c.sign({ saleId: 's', visitorId: 'v', ttlS: 60 })).token,
      forge({ alg: 'ES256' }, claims, a.priv), // no kid: fine with one key, ambiguous with two
      forge({ alg: 'ES256', kid: 'a' }, { ...claims, aud: ['s', 't'] }, a.priv),
      forge({ alg: 'ES256', kid: 'a' }, { ...claims, aud: [] }, a.priv),
      forge({ alg: 'ES256', kid: 'a' }, { ...claims, exp: now - 1 }, a.priv),
      forge({ alg: 'ES256', kid: 'a' }, { ...claims, exp: now - 2 }, a.priv),
      forge({ alg: 'ES256', kid: 'a' }, { ...claims, exp: 0 }, a.priv),
      forge({ alg: 'ES256', kid: 'a' }, { ...claims, nbf: now + 2 }, a.priv),
      forge({ alg: 'ES256', kid: 'a' }, { ...claims, nbf: now + 3 }, a.priv),
      forge({ alg: 'ES256', kid: 'a' }, { ...claims, nbf: 'soon' }, a.priv),
      forge({ alg: 'ES256', kid: 'a' }, { ...claims, iat: now + 3600 }, a.priv),
      forge({ alg: 'ES256', kid: 'a' }, { ...claims, iss: ['usher-edge'] }, a.priv),
      forge({ alg: 'ES256', kid: 'a' }, { ...claims, sub: '' }, a.priv),
      forge({ alg: 'ES256', kid: 'a', crit: ['b64'], b64: true }, claims, a.priv),
      forge({ alg: 'ES256', kid: 'a', crit: ['b64'], b64: false }, claims, a.priv),
      forge({ alg: 'ES256', kid: 'a', crit: [] }, claims, a.priv),
      forge({ alg: 'ES256', kid: 'a', b64: false }, claims, a.priv),
      forge({ alg: 'ES256', kid: 'a' }, 'not json', a.priv),
      forge({ alg: 'ES256', kid: 'a' }, null, a.priv),
      forge('not json', claims, a.priv),
      forge([{ alg: 'ES256', kid: 'a' }], claims, a.priv),
      forge({ alg: 'RS256', kid: 'a' }, claims, a.priv),
      forge({ alg: 'none' }, claims, a.priv),
      forge({ alg: 'ES256', kid: 'b' }, claims, a.priv),
      `${b64({ alg: 'ES256', kid: 'a' })}.${b64(claims)}.`,
      `${b64({ alg: 'ES256', kid: 'a' })}.${b64(claims)}.${'A'.repeat(86)}`,
      `${b64({ alg: 'ES256', kid: 'zz' })}.${b64(claims)}.%%%`,
      `${b64({ alg: 'ES256', kid: 'a' })}.${b64(claims)}.%%%`,
      `${b64({ alg: 'ES256', kid: 'a' })}=.${b64(claims)}.AAAA`,
      `${b64({ alg: 'ES256', kid: 'a' })}.${b64(claims)}.AAAAA`,
      'a.b.c.d',
      '..',
      '',
    ];
    // a genuine token with padding added to its signature, and one with its signature cut short
    const [h, p, s] = tokens[0]!.split('.') as [string, string, string];
    tokens.push(`${h}.${p}.${s}==`, `${h}.${p}.${s.slice(0, 85)}`);
    let compared = 0;
    for (const [name, jwks] of Object.entries(sets)) {
      const ours = passVerifier({ jwks });
      const jose = josePassVerifier(jwks);
      for (const [i, token] of tokens.entries()) {
        for (const sale of ['s', 't', undefined]) {
          const [mine, theirs] = [await outcome(ours, token, sale), await outcome(jose, token, sale)];
          expect({ set: name, token: i, sale, ...mine }).toEqual({ set: name, token: i, sale, ...theirs });
          compared++;
        }
      }
    }
    expect(compared).toBe(3 * tokens.length * 3);
  });
});
