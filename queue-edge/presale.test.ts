/**
 * Presales on a real Redis through a real edge: access codes and enqueue tokens, one visitor each
 * (also under 100 concurrent joins), every refusal with its own code, then the general sale on the
 * same queue.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey } from 'jose';
import { newRedis } from '../test/support/databases.js';
import { queueKeys } from '../admission/queue-keys.js';
import { applySaleAccess, accessCodeDigest, type SaleAccessChange } from '../admission/sale-access.js';
import { createSale, startTestEdge, newVisitor, eventually, Fan, type TestEdge } from '../test/support/edge-test-harness.js';

const redis = newRedis();
let edge: TestEdge;
let organiserKey: CryptoKey;
let strangerKey: CryptoKey;
beforeAll(async () => {
  edge = await startTestEdge();
  const organiser = await generateKeyPair('ES256');
  organiserKey = organiser.privateKey;
  strangerKey = (await generateKeyPair('ES256')).privateKey;
  publicJwk = { ...(await exportJWK(organiser.publicKey)), kid: 'organiser-1', alg: 'ES256' };
});
afterAll(async () => {
  await edge.close();
  redis.disconnect();
});
let publicJwk: Record<string, unknown>;

async function presale(codes: string[] = []): Promise<string> {
  const saleId = await createSale(redis, { ratePerMin: 1, maxActive: 1 });
  await redis.hset(queueKeys(saleId).settings, 'paused', '1'); // keep everyone waiting: tickets are the result
  await applySaleAccess(redis, saleId, { presaleUntil: new Date(Date.now() + 3600_000).toISOString(), codes, enqueueJwks: publicJwk as SaleAccessChange["enqueueJwks"] });
  return saleId;
}

/** POST join as a new visitor: status and body (a place or a problem). */
async function join(saleId: string, body: Record<string, unknown> = {}, token?: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const visitor = token ?? (await newVisitor(edge.url)).token;
  const res = await fetch(`${edge.url}/v1/sales/${saleId}/join`, { method: 'POST', headers: { authorization: `Bearer ${visitor}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const refusedWith = (r: { status: number; body: Record<string, unknown> }) => [r.status, r.body.code];

function enqueueToken(saleId: string, o: { key?: CryptoKey; exp?: number; jti?: string | null; aud?: string } = {}): Promise<string> {
  const jwt = new SignJWT({}).setProtectedHeader({ alg: 'ES256', kid: 'organiser-1' }).setAudience(o.aud ?? saleId)
    .setExpirationTime(o.exp ?? Math.floor(Date.now() / 1000) + 600);
  if (o.jti !== null) jwt.setJti(o.jti ?? crypto.randomUUID());
  return jwt.sign(o.key ?? organiserKey);
}

describe('presale access codes', () => {
  it('100 concurrent joins with one code: exactly one gets a place, 99 are access_code_used', async () => {
    const saleId = await presale(['FAN-CLUB-0001']);
    const visitors = await Promise.all(Array.from({ length: 100 }, () => newVisitor(edge.url)));
    const answers = await Promise.all(visitors.map((v) => join(saleId, { accessCode: 'fan-club-0001' }, v.token)));
    const placed = answers.filter((a) => a.status === 200);
    expect(placed).toHaveLength(1);
    expect(placed[0]!.body).toMatchObject({ place: 'waiting', ticket: 1 });
    expect(answers.filter((a) => a.status === 409 && a.body.code === 'access_code_used')).toHaveLength(99);
    const k = queueKeys(saleId);
    expect(await redis.zcard(k.waiting)).toBe(1);
    const holder = await redis.hget(k.accessCodes, accessCodeDigest(saleId, 'FAN-CLUB-0001'));
    expect(visitors.map((v) => v.visitorId)).toContain(holder);
  });

  it('refuses a newcomer without a credential or with an unknown code, writing nothing; a known visitor keeps the place', async () => {
    const saleId = await presale(['ABCDEF-1']);
    const k = queueKeys(saleId);
    expect(refusedWith(await join(saleId))).toEqual([403, 'presale_access_required']);
    expect(refusedWith(await join(saleId, { accessCode: 'NOPE-NOPE' }))).toEqual([403, 'access_code_unknown']);
    expect(refusedWith(await join(saleId, { accessCode: 'x' }))).toEqual([422, 'invalid_body']);
    expect(await redis.hlen(k.visitors)).toBe(0);
    const fan = await newVisitor(edge.url);
    expect((await join(saleId, { accessCode: 'ABCDEF-1' }, fan.token)).body).toMatchObject({ place: 'waiting' });
    expect((await join(saleId, { accessCode: 'ABCDEF-1' }, fan.token)).body).toMatchObject({ place: 'waiting' }); // a reload
    expect((await join(saleId, {}, fan.token)).body).toMatchObject({ place: 'waiting' });
  });

  it('over the socket: a refused join can be sent again on the same socket with a code', async () => {
    const saleId = await presale(['SOCKET-42']);
    const fan = await Fan.open(edge.wsUrl(saleId));
    const { token } = await newVisitor(edge.url);
    expect(await fan.join(token)).toMatchObject({ type: 'error', code: 'presale_access_required' });
    fan.send({ v: 1, type: 'join', token, accessCode: 'socket-42' });
    expect(await fan.next('queued')).toMatchObject({ state: 'waiting', ticket: 1 });
    await fan.close();
  });
});

describe('presale enqueue tokens', () => {
  it('admits one visitor per token; a used, expired, unsigned, foreign, mis-addressed or jti-less token is refused precisely', async () => {
    const saleId = await presale();
    const token = await enqueueToken(saleId);
    expect((await join(saleId, { enqueueToken: token })).body).toMatchObject({ place: 'waiting', ticket: 1 });
    expect(refusedWith(await join(saleId, { enqueueToken: token }))).toEqual([409, 'enqueue_token_used']);
    expect(refusedWith(await join(saleId, { enqueueToken: await enqueueToken(saleId, { exp: Math.floor(Date.now() / 1000) - 5 }) }))).toEqual([403, 'enqueue_token_expired']);
    const b64 = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString('base64url');
    const unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ aud: saleId, jti: 'j-1', exp: Math.floor(Date.now() / 1000) + 600 })}.`;
    const hmac = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setAudience(saleId).setJti('j-2').setExpirationTime('10m').sign(new TextEncoder().encode('x'.repeat(32)));
    for (const bad of [unsigned, hmac, await enqueueToken(saleId, { key: strangerKey }), await enqueueToken(saleId, { aud: 'another-sale' }), await enqueueToken(saleId, { jti: null }), 'not-a-jwt-at-all']) {
      expect(refusedWith(await join(saleId, { enqueueToken: bad }))).toEqual([403, 'enqueue_token_invalid']);
    }
    expect(await redis.zcard(queueKeys(saleId).waiting)).toBe(1);
  });

  it('refuses every token once the organiser withdraws the keys', async () => {
    const saleId = await presale();
    await applySaleAccess(redis, saleId, { enqueueJwks: null });
    const withdrawn = await startTestEdge(); // a fresh edge: no cached keyset
    try {
      const { token } = await newVisitor(withdrawn.url);
      const res = await fetch(`${withdrawn.url}/v1/sales/${saleId}/join`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: JSON.stringify({ enqueueToken: await enqueueToken(saleId) }) });
      expect([res.status, ((await res.json()) as { code: string }).code]).toEqual([403, 'enqueue_token_invalid']);
    } finally {
      await withdrawn.close();
    }
  });
});

describe('the presale window before the general sale', () => {
  it('codes only until presaleUntil, then everyone, on the same queue behind the presale fans; a code brought later is not spent', async () => {
    const saleId = await presale(['EARLY-BIRD', 'LATE-BIRD']);
    const until = Date.now() + 1500;
    await applySaleAccess(redis, saleId, { presaleUntil: new Date(until).toISOString() });
    expect((await join(saleId, { accessCode: 'EARLY-BIRD' })).body).toMatchObject({ place: 'waiting', ticket: 1 });
    expect(refusedWith(await join(saleId))).toEqual([403, 'presale_access_required']);
    const general = await eventually(async () => {
      const r = await join(saleId);
      return r.status === 200 ? r : false;
    }, 5000);
    expect(Date.now()).toBeGreaterThanOrEqual(until);
    expect(general.body).toMatchObject({ place: 'waiting', ticket: 2 });
    expect((await join(saleId, { accessCode: 'LATE-BIRD' })).body).toMatchObject({ place: 'waiting', ticket: 3 });
    expect(await redis.hget(queueKeys(saleId).accessCodes, accessCodeDigest(saleId, 'LATE-BIRD'))).toBe('');
  });
});
