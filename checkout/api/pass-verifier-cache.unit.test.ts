import { describe, expect, it } from 'vitest';
import { generatePassJwks, passSigningKeys, passVerifier } from '../../admission/admission-pass.js';
import { cachedPassVerifier } from './pass-verifier-cache.js';

describe('cachedPassVerifier', () => {
  it('verifies a token once, and still refuses expiry and the wrong sale on cached hits', async () => {
    const signer = await passSigningKeys(JSON.stringify(await generatePassJwks()));
    const inner = passVerifier({ jwks: signer.publicJwks });
    let calls = 0;
    const cached = cachedPassVerifier({ verify: (t, s) => { calls++; return inner.verify(t, s); } });
    const { token } = await signer.sign({ saleId: 'sale-a', visitorId: 'v', ttlS: 60 });
    await cached.verify(token, 'sale-a');
    await cached.verify(token, 'sale-a');
    expect(calls).toBe(1);
    await expect(cached.verify(token, 'sale-b')).rejects.toMatchObject({ reason: 'wrong_sale' });
    const short = await signer.sign({ saleId: 'sale-a', visitorId: 'v', ttlS: -10 });
    await expect(cached.verify(short.token, 'sale-a')).rejects.toMatchObject({ reason: 'expired' });
    await expect(cached.verify(undefined, 'sale-a')).rejects.toMatchObject({ reason: 'missing' });
  });

  it('verifies a cached pass again after reverifyAfterMs, so a retired key stops working', async () => {
    const signer = await passSigningKeys(JSON.stringify(await generatePassJwks()));
    let trusted = true;
    const inner = passVerifier({ jwks: signer.publicJwks });
    const cached = cachedPassVerifier({ verify: (t, s) => (trusted ? inner.verify(t, s) : passVerifier({ jwks: { keys: [] } }).verify(t, s)) }, { reverifyAfterMs: 50 });
    const { token } = await signer.sign({ saleId: 'sale-a', visitorId: 'v', ttlS: 60 });
    await cached.verify(token, 'sale-a');
    trusted = false; // the key was retired
    await expect(cached.verify(token, 'sale-a')).resolves.toMatchObject({ visitorId: 'v' });
    await new Promise((r) => setTimeout(r, 60));
    await expect(cached.verify(token, 'sale-a')).rejects.toMatchObject({ reason: 'bad_signature' });
  });
});
