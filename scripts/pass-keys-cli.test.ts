/**
 * Rotating the admission-pass key with nothing restarted, all real processes: two edge processes
 * and the API process on one Redis, the operator's `pass-keys rotate` CLI in between. A pass signed
 * before the rotation keeps working until it expires; passes signed after it by either edge are
 * accepted by the API that never restarted; once the old key's retention is over, a pass it signed
 * (even one not yet expired) is refused; a pass with a forged kid is refused throughout.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { decodeProtectedHeader, importJWK, type CryptoKey } from 'jose';
import { Redis } from 'ioredis';
import { freePort } from './services.js';
import { freshDatabase, redisUrl, type FreshDatabase } from '../test/support/databases.js';
import { publishedSale } from '../test/support/inventory-fixture.js';
import { eventually, newVisitor, sleep, spawnEdge } from '../test/support/edge-test-harness.js';
import { initSaleSettings } from '../admission/sale-controls.js';
import { queueStore } from '../queue-edge/queue-store.js';
import { openEmptyQueue } from '../queue-edge/opening-draw.js';
import { generatePassJwks, passSigningKeys, signPass } from '../admission/admission-pass.js';
import { PASS_KEYSET_KEY, readPassKeyset } from '../admission/pass-keyset-store.js';

const run = promisify(execFile);
// A database of its own: the keyset key is global, and other test files' edges use database 0.
const url = new URL(redisUrl());
url.pathname = '/8';
const REDIS_URL = url.toString();
const PASS_TTL_S = 10;
const OFFER_TTL_S = 1;
const RETAIN_S = PASS_TTL_S + OFFER_TTL_S; // the shortest retention the CLI accepts without --force
const ACTIVATE_IN_S = 3;

let redis: Redis;
let db: FreshDatabase;
let api: ChildProcess;
let apiUrl: string;
let edges: Awaited<ReturnType<typeof spawnEdge>>[] = [];
let saleId: string;
let env: Record<string, string>;

beforeAll(async () => {
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 3 });
  await redis.del(PASS_KEYSET_KEY);
  db = await freshDatabase();
  saleId = (await publishedSale(redis, db.pool, { rows: 0, gaCapacity: 40 })).sale.saleId;
  await initSaleSettings(redis, saleId, { ratePerMin: 6000, maxActive: 1000, opensAtMs: 0, closesAtMs: Date.now() + 3600_000, prequeueOpensAtMs: 0 });
  await openEmptyQueue(queueStore(redis), saleId);

  const [edgeA, edgeB, apiPort] = [await freePort(), await freePort(), await freePort()];
  env = {
    REDIS_URL, DATABASE_URL: db.url, PASS_KEYS_REFRESH_S: '1', PASS_JWKS_MAX_AGE_S: '2',
    PASS_TTL_S: String(PASS_TTL_S), QUEUE_OFFER_TTL_S: String(OFFER_TTL_S),
  };
  edges = await Promise.all([edgeA, edgeB].map((p) => spawnEdge({ ...env, EDGE_PORT: String(p) })));
  apiUrl = `http://127.0.0.1:${apiPort}`;
  api = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts', 'api'], {
    env: {
      ...process.env, ...env, NODE_ENV: 'test', LOG_LEVEL: 'warn', HOST: '127.0.0.1', API_PORT: String(apiPort), API_METRICS_PORT: '0',
      PASS_JWKS_URL: `${edges[0]!.url}/.well-known/jwks.json`, RATE_LIMIT_PER_IP_PER_MIN: '100000', PAYMENT_GATEWAY: 'demo',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  await eventually(async () => (await fetch(`${apiUrl}/readyz`).catch(() => null))?.status === 200, 60_000);
}, 120_000);

afterAll(async () => {
  api?.kill('SIGTERM');
  await Promise.all(edges.map((e) => e.stop()));
  await redis?.del(PASS_KEYSET_KEY);
  redis?.disconnect();
  await db?.drop();
});

/** A fan admitted through an edge's HTTP fallback: join, wait for the offer, take it. */
async function admittedOn(edgeUrl: string): Promise<string> {
  const v = await newVisitor(edgeUrl);
  const auth = { authorization: `Bearer ${v.token}` };
  expect((await fetch(`${edgeUrl}/v1/sales/${saleId}/join`, { method: 'POST', headers: auth })).status).toBe(200);
  await eventually(async () => {
    const s = (await (await fetch(`${edgeUrl}/v1/sales/${saleId}/status`, { headers: auth })).json()) as { place: string };
    return s.place === 'offer';
  }, 10_000);
  const taken = (await (await fetch(`${edgeUrl}/v1/sales/${saleId}/take`, { method: 'POST', headers: auth })).json()) as { place: string; pass: string };
  expect(taken.place).toBe('admitted');
  return taken.pass;
}

async function holdWith(pass: string): Promise<{ status: number; body: { holdId?: string; code?: string } }> {
  const res = await fetch(`${apiUrl}/v1/sales/${saleId}/holds`, {
    method: 'POST',
    headers: { authorization: `Bearer ${pass}`, 'content-type': 'application/json' },
    body: JSON.stringify({ kind: 'best', tierCode: 'GA', quantity: 1 }),
  });
  return { status: res.status, body: (await res.json()) as { holdId?: string; code?: string } };
}

/** GET a hold with a pass: 401 when the API refuses the pass, else the route's own answer. */
async function readHold(pass: string, holdId: string): Promise<{ status: number; code?: string }> {
  const res = await fetch(`${apiUrl}/v1/holds/${holdId}`, { headers: { authorization: `Bearer ${pass}` } });
  return { status: res.status, code: ((await res.json()) as { code?: string }).code };
}

const kidOf = (token: string): string => decodeProtectedHeader(token).kid!;
const jwksKids = async (edgeUrl: string): Promise<string[]> =>
  ((await (await fetch(`${edgeUrl}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);

describe('admission-pass key rotation without a restart', () => {
  it('keeps old passes until they expire, accepts the new key from every edge at once, drops the retired key, refuses forged kids', async () => {
    const k1 = (await readPassKeyset(redis))!.keys[0]!;
    // 1. before: a pass from edge B holds seats at the API; a long-lived pass signed with k1 (as a
    //    leaked key would sign) is accepted too, for now
    const p1 = await admittedOn(edges[1]!.url);
    expect(kidOf(p1)).toBe(k1.kid);
    const hold1 = await holdWith(p1);
    expect(hold1.status).toBe(201);
    const k1Private = (await importJWK(k1.jwk, 'ES256')) as CryptoKey;
    const longLived = (await signPass(k1Private, k1.kid, { saleId, visitorId: 'v-long', ttlS: 3600 })).token;
    expect(await readHold(longLived, hold1.body.holdId!)).toMatchObject({ status: 403, code: 'hold_not_yours' });

    // forged: an unknown kid, and a known kid over another key
    const forger = await passSigningKeys(JSON.stringify(await generatePassJwks('forged-kid')));
    const forgedUnknown = (await forger.sign({ saleId, visitorId: 'v-forged', ttlS: 600 })).token;
    const impostor = await passSigningKeys(JSON.stringify(await generatePassJwks(k1.kid)));
    const forgedKnown = (await impostor.sign({ saleId, visitorId: 'v-forged', ttlS: 600 })).token;
    for (const forged of [forgedUnknown, forgedKnown]) expect(await holdWith(forged)).toMatchObject({ status: 401, body: { code: 'pass_bad_signature' } });

    // 2. the operator rotates: the new key is published by both edges before it signs
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'scripts/pass-keys-cli.ts', 'rotate', '--activate-in-s', String(ACTIVATE_IN_S), '--retain-s', String(RETAIN_S)], {
      env: { ...process.env, ...env, NODE_ENV: 'test', LOG_LEVEL: 'silent' },
    });
    const k2 = (await readPassKeyset(redis))!.keys.find((k) => k.kid !== k1.kid)!;
    expect(stdout).toContain(`added ${k2.kid}`);
    for (const e of edges) await eventually(async () => (await jwksKids(e.url)).includes(k2.kid), 5000);
    expect(await jwksKids(edges[0]!.url)).toEqual([k1.kid, k2.kid]);

    // 3. from its activation every edge signs with k2, and the running API accepts those passes
    await sleep(Math.max(0, k2.activatesAtMs - Date.now()) + 100);
    const [p2, p3] = [await admittedOn(edges[1]!.url), await admittedOn(edges[0]!.url)];
    expect([kidOf(p2), kidOf(p3)]).toEqual([k2.kid, k2.kid]);
    expect((await holdWith(p2)).status).toBe(201);
    expect((await holdWith(p3)).status).toBe(201);
    // the pass signed before the rotation still works until it expires
    expect(Date.now()).toBeLessThan(decodeExp(p1));
    expect(await readHold(p1, hold1.body.holdId!)).toMatchObject({ status: 200 });
    expect(api.exitCode).toBeNull();

    // 4. past the retention k1 is no longer published, and its unexpired pass is refused
    const k1Retires = (await readPassKeyset(redis))!.keys.find((k) => k.kid === k1.kid)!.retiresAtMs!;
    expect(k1Retires).toBe(k2.activatesAtMs + RETAIN_S * 1000);
    await sleep(Math.max(0, k1Retires - Date.now()));
    for (const e of edges) await eventually(async () => !(await jwksKids(e.url)).includes(k1.kid), 5000);
    await eventually(async () => (await readHold(longLived, hold1.body.holdId!)).code === 'pass_bad_signature', 10_000);
    for (const forged of [forgedUnknown, forgedKnown]) expect(await holdWith(forged)).toMatchObject({ status: 401, body: { code: 'pass_bad_signature' } });
    expect(api.exitCode).toBeNull();
  });

  it('refuses a retention shorter than shopping window + offer TTL, and retiring the signing key', async () => {
    const cli = (args: string[]) => run(process.execPath, ['--import', 'tsx', 'scripts/pass-keys-cli.ts', ...args], { env: { ...process.env, ...env, NODE_ENV: 'test' } });
    await expect(cli(['rotate', '--retain-s', String(RETAIN_S - 1)])).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('shorter than PASS_TTL_S + QUEUE_OFFER_TTL_S') });
    const signing = (await readPassKeyset(redis))!.keys.at(-1)!.kid;
    await expect(cli(['retire', signing])).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('rotate to a new key first') });
    const { stdout } = await cli(['list']);
    expect(stdout).toContain(`${signing}`);
    expect(stdout).toMatch(/signing/);
  });
});

function decodeExp(token: string): number {
  const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as { exp: number };
  return payload.exp * 1000;
}

