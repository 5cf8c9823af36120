/** The drand beacon's round choice and its fallbacks, against a fake fetch (no network). */
import { describe, it, expect } from 'vitest';
import { drandBeacon, drandRoundAt } from './draw-beacon.js';

const info = { genesis_time: 1000, period: 3 };
const json = (status: number, body: unknown): Response => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('the drand beacon', () => {
  it('plans the first round at or after the close + delay', () => {
    expect(drandRoundAt(info, 1000)).toEqual({ round: 1, roundAt: 1_000_000 });
    expect(drandRoundAt(info, 1001)).toEqual({ round: 2, roundAt: 1_003_000 });
    expect(drandRoundAt(info, 1003)).toEqual({ round: 2, roundAt: 1_003_000 });
  });

  it('waits for the round, takes its randomness, and falls back (saying so) past the timeout', async () => {
    let emitted = false;
    const fetch = (async (url: string) => {
      if (url.endsWith('/info')) return json(200, info);
      return emitted ? json(200, { round: 5, randomness: 'ab'.repeat(32) }) : json(425, {});
    }) as typeof globalThis.fetch;
    const beacon = drandBeacon({ url: 'http://drand/', delayS: 5, timeoutS: 10, fetch });
    const plan = await beacon.plan(1_007_000); // 1007 + 5 s → round 5 at 1012 s
    expect(plan).toEqual({ kind: 'drand', url: 'http://drand', round: 5, roundAt: 1_012_000, delayS: 5 });
    expect(await beacon.value(plan, 1_011_999)).toBeNull();
    expect(await beacon.value(plan, 1_013_000)).toBeNull(); // not emitted yet
    expect(await beacon.value(plan, 1_023_000)).toMatchObject({ kind: 'fallback', reason: expect.stringMatching(/round 5/) });
    emitted = true;
    expect(await beacon.value(plan, 1_013_000)).toEqual({ ...plan, randomness: 'ab'.repeat(32) });
  });

  it('plans no beacon when the chain cannot be reached at the close, and the draw then falls back at once', async () => {
    const beacon = drandBeacon({ url: 'http://drand', delayS: 5, timeoutS: 10, fetch: (async () => { throw new Error('offline'); }) as typeof globalThis.fetch });
    const plan = await beacon.plan(1_007_000);
    expect(plan).toMatchObject({ kind: 'none', reason: expect.stringMatching(/unreachable/) });
    expect(await beacon.value(plan, 1_007_000)).toMatchObject({ kind: 'fallback', randomness: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });
});
