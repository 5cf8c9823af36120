import { afterAll, describe, expect, it } from 'vitest';
import { accessTokens, isAdmin } from './access-token.js';
import { createAccessDenylist } from './access-denylist.js';
import { newRedis, uniqueId } from '../test/support/databases.js';

const redis = newRedis();
afterAll(() => redis.disconnect());

describe('isAdmin', () => {
  const tokens = accessTokens('s'.repeat(40));
  const denylist = createAccessDenylist(redis, `usher:test:${uniqueId()}`);

  it('accepts an admin token, refuses a fan token, a forged one and nothing', async () => {
    const admin = await tokens.sign({ userId: 'u1', email: 'a@example.com', role: 'admin' });
    const fan = await tokens.sign({ userId: 'u2', email: 'f@example.com', role: 'fan' });
    const forged = await accessTokens('x'.repeat(40)).sign({ userId: 'u1', email: 'a@example.com', role: 'admin' });
    expect(await isAdmin(admin, tokens, undefined, denylist)).toBe(true);
    expect(await isAdmin(fan, tokens, undefined, denylist)).toBe(false);
    expect(await isAdmin(forged, tokens, undefined, denylist)).toBe(false);
    expect(await isAdmin(undefined, tokens, undefined, denylist)).toBe(false);
  });

  it('refuses an admin token once it was logged out', async () => {
    const admin = await tokens.sign({ userId: 'u1', email: 'a@example.com', role: 'admin' });
    await denylist.deny(admin);
    expect(await isAdmin(admin, tokens, undefined, denylist)).toBe(false);
  });

  it('accepts the static operator token only when configured and exact', async () => {
    expect(await isAdmin('operator-token-1234', tokens, 'operator-token-1234')).toBe(true);
    expect(await isAdmin('operator-token-1235', tokens, 'operator-token-1234')).toBe(false);
    expect(await isAdmin('operator-token-1234', tokens, undefined)).toBe(false);
  });
});
