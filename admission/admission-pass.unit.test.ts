/**
 * The API's remote verifier against a JWKS endpoint that changes: a key published after the copy
 * was fetched verifies without waiting for the copy's max age (unknown kid → refetch), and forged
 * kids cost at most one refetch per cooldown.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JWK } from 'jose';
import { generatePassJwks, passSigningKeys, passVerifier, UNKNOWN_KID_COOLDOWN_MS, type PassSigningKeys } from './admission-pass.js';

let served: { keys: JWK[] } = { keys: [] };
let fetches = 0;
let server: Server;
let jwksUrl: string;

beforeAll(async () => {
  server = createServer((_req, res) => {
    fetches++;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(served));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const signer = async (kid: string): Promise<PassSigningKeys> => passSigningKeys(JSON.stringify(await generatePassJwks(kid)));

describe('remote pass verifier', () => {
  it('fetches a key it has not seen at once (after the short cooldown), not after the max age', async () => {
    const [old, next, forger] = await Promise.all([signer('old'), signer('next'), signer('forged')]);
    served = old.publicJwks;
    const verifier = passVerifier({ jwksUrl, maxAgeMs: 600_000 });
    const before = fetches;
    await verifier.verify((await old.sign({ saleId: 's', visitorId: 'v', ttlS: 60 })).token, 's');
    expect(fetches - before).toBe(1);

    // forged kids right after a fetch: refused, and no refetch storm
    const forged = (await forger.sign({ saleId: 's', visitorId: 'v', ttlS: 60 })).token;
    for (let i = 0; i < 20; i++) await expect(verifier.verify(forged, 's')).rejects.toMatchObject({ reason: 'bad_signature' });
    expect(fetches - before).toBe(1);

    // a rotation publishes `next`; once the cooldown has passed its first pass triggers one refetch
    served = { keys: [...old.publicJwks.keys, ...next.publicJwks.keys] };
    await new Promise((r) => setTimeout(r, UNKNOWN_KID_COOLDOWN_MS + 100));
    await expect(verifier.verify((await next.sign({ saleId: 's', visitorId: 'v', ttlS: 60 })).token, 's')).resolves.toMatchObject({ visitorId: 'v' });
    expect(fetches - before).toBe(2);
    await expect(verifier.verify(forged, 's')).rejects.toMatchObject({ reason: 'bad_signature' });
  });

  it('stops verifying passes of a key no longer published once its copy of the JWKS is past its max age', async () => {
    const [a, b] = await Promise.all([signer('retiring'), signer('current')]);
    served = { keys: [...a.publicJwks.keys, ...b.publicJwks.keys] };
    const verifier = passVerifier({ jwksUrl, maxAgeMs: 300 });
    const passA = (await a.sign({ saleId: 's', visitorId: 'v', ttlS: 60 })).token;
    const before = fetches;
    await expect(verifier.verify(passA, 's')).resolves.toMatchObject({ visitorId: 'v' });
    // its key is remembered by kid: no second fetch while the copy is fresh
    await expect(verifier.verify(passA, 's')).resolves.toMatchObject({ visitorId: 'v' });
    expect(fetches - before).toBe(1);
    served = b.publicJwks; // `retiring` retired
    await new Promise((r) => setTimeout(r, 400));
    await expect(verifier.verify(passA, 's')).rejects.toMatchObject({ reason: 'bad_signature' });
    await expect(verifier.verify((await b.sign({ saleId: 's', visitorId: 'v', ttlS: 60 })).token, 's')).resolves.toMatchObject({ visitorId: 'v' });
  });

  it('tells an unreachable or failing JWKS endpoint (503 at the API) from a bad pass (401)', async () => {
    const keys = await signer('k');
    const token = (await keys.sign({ saleId: 's', visitorId: 'v', ttlS: 60 })).token;
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const closedUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/jwks`;
    await new Promise<void>((r) => closed.close(() => r()));
    await expect(passVerifier({ jwksUrl: closedUrl }).verify(token, 's')).rejects.toMatchObject({ reason: 'keys_unavailable' });

    const failing = createServer((_req, res) => res.writeHead(502).end('bad gateway'));
    await new Promise<void>((r) => failing.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(failing.address() as AddressInfo).port}/jwks`;
      await expect(passVerifier({ jwksUrl: url }).verify(token, 's')).rejects.toMatchObject({ reason: 'keys_unavailable' });
    } finally {
      await new Promise<void>((r) => failing.close(() => r()));
    }
    served = keys.publicJwks;
    await expect(passVerifier({ jwksUrl }).verify('not-a-jwt', 's')).rejects.toMatchObject({ reason: 'malformed' });
  });
});
