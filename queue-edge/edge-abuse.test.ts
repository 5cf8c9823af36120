import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { newRedis } from '../test/support/databases.js';
import { queueKeys } from '../admission/queue-keys.js';
import { solveWork } from './proof-of-work.js';
import { startTestEdge, createSale, Fan, type TestEdge } from '../test/support/edge-test-harness.js';

let redis: Redis;
let edge: TestEdge;
// Each test speaks from its own (forwarded) address so the per-address windows of other test files never mix in.
const address = (): string => `10.${randomBytes(1)[0]}.${randomBytes(1)[0]}.${randomBytes(1)[0]}`;

beforeAll(async () => {
  redis = newRedis();
  edge = await startTestEdge({ TRUST_PROXY: 'true', EDGE_CONNECTS_PER_IP_PER_MIN: '3', EDGE_JOINS_PER_IP_PER_MIN: '2', EDGE_ALLOWED_ORIGINS: 'http://good.example' });
});
afterAll(async () => {
  await edge.close();
  redis.disconnect();
});

const headers = (ip: string, origin = 'http://good.example'): Record<string, string> => ({ 'x-forwarded-for': ip, origin });

describe('abuse limits', () => {
  it('limits socket upgrades per address across the minute, counted in Redis', async () => {
    const saleId = await createSale(redis);
    const ip = address();
    const fans = await Promise.all([1, 2, 3].map(() => Fan.open(edge.wsUrl(saleId), headers(ip))));
    await expect(Fan.open(edge.wsUrl(saleId), headers(ip))).rejects.toThrow(/429/);
    const other = await Fan.open(edge.wsUrl(saleId), headers(address()));
    await Promise.all([...fans, other].map((f) => f.close()));
  });

  it('limits joins per address and refuses a foreign origin', async () => {
    const saleId = await createSale(redis);
    const ip = address();
    await expect(Fan.open(edge.wsUrl(saleId), headers(ip, 'http://evil.example'))).rejects.toThrow(/403/);
    const results = [];
    for (let i = 0; i < 3; i++) {
      const fan = await Fan.open(edge.wsUrl(saleId), headers(ip));
      results.push(await fan.join((await edge.core.visitors.issue()).token));
      await fan.close();
    }
    expect(results.map((r) => r.type)).toEqual(['queued', 'queued', 'error']);
    expect(results[2]).toMatchObject({ code: 'too_many_joins' });
    expect(await redis.zcard(queueKeys(saleId).waiting)).toBe(2);
  });

  it('asks for proof of work when the sale sets a difficulty, and verifies it server-side', async () => {
    const saleId = await createSale(redis, { powDifficulty: 8 });
    const v = await edge.core.visitors.issue();
    const lazy = await Fan.open(edge.wsUrl(saleId), headers(address()));
    expect(await lazy.join(v.token)).toMatchObject({ type: 'error', code: 'proof_of_work' });
    expect(await lazy.join(v.token, 'definitely-wrong')).toMatchObject({ type: 'error', code: 'proof_of_work' });
    expect(await redis.zcard(queueKeys(saleId).waiting)).toBe(0);
    const worker = await Fan.open(edge.wsUrl(saleId), headers(address()));
    const hello = await worker.next('hello');
    expect(hello.powDifficulty).toBe(8);
    worker.send({ v: 1, type: 'join', token: v.token, nonce: solveWork(String(hello.challenge), 8) });
    expect(await worker.next('queued')).toMatchObject({ type: 'queued', state: 'waiting' });
    await Promise.all([lazy.close(), worker.close()]);
  });
});
