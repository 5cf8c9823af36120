/** The failed-login limiter against real Redis, with small limits so each ceiling is cheap to reach. */
import { afterAll, describe, expect, it } from 'vitest';
import { newRedis, uniqueId } from '../../test/support/databases.js';
import { createLoginRateLimiter, type LoginLimits } from './login-rate-limit.js';

const redis = newRedis();
afterAll(() => redis.disconnect());
const limits: LoginLimits = { perAddress: 6, perAddressAndEmail: 2, perEmail: 4, windowS: 60, knownAddressS: 3600 };
const limiter = () => createLoginRateLimiter(redis, limits, `usher:test:${uniqueId()}`);
const email = (): string => `${uniqueId('fan')}@example.com`;

describe('the failed-login limiter', () => {
  it('counts one address across accounts, and a success does not reset that count', async () => {
    const l = limiter();
    for (let i = 0; i < 5; i++) await l.recordFailure(email(), '10.0.0.1');
    const own = email();
    await l.recordSuccess(own, '10.0.0.1');
    expect(await l.blockedFor(email(), '10.0.0.1')).toBe(0);
    await l.recordFailure(email(), '10.0.0.1');
    expect(await l.blockedFor(email(), '10.0.0.1')).toBeGreaterThan(55);
    expect(await l.blockedFor(own, '10.0.0.1')).toBeGreaterThan(55);
    expect(await l.blockedFor(email(), '10.0.0.2')).toBe(0);
  });

  it('locks one address out of one account; a success from that address lifts it', async () => {
    const l = limiter();
    const victim = email();
    for (let i = 0; i < 2; i++) await l.recordFailure(victim, '10.0.1.1');
    expect(await l.blockedFor(victim, '10.0.1.1')).toBeGreaterThan(0);
    expect(await l.blockedFor(victim, '10.0.1.2')).toBe(0);
    expect(await l.blockedFor(email(), '10.0.1.1')).toBe(0);
  });

  it('stops guessing spread over many addresses at the ceiling, except from an address the owner logged in from before', async () => {
    const l = limiter();
    const victim = email();
    await l.recordSuccess(victim, '192.0.2.7'); // the owner's laptop, last week
    for (let i = 0; i < 4; i++) await l.recordFailure(victim, `10.0.2.${i}`);
    expect(await l.blockedFor(victim, '10.0.2.99')).toBeGreaterThan(0);
    expect(await l.blockedFor(victim, '192.0.2.7')).toBe(0);
  });

  it('refuses limits where one address could reach the account ceiling alone', () => {
    expect(() => createLoginRateLimiter(redis, { ...limits, perEmail: 1 })).toThrow(/invalid login limits/);
  });
});
