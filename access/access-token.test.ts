import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT } from 'jose';
import { ACCESS_ISSUER, accessTokens, AccessTokenError } from './access-token.js';
import { createAccessDenylist } from './access-denylist.js';
import { accountRoles, isAdmin, type OperatorAuth } from './account-roles.js';
import { freshDatabase, newRedis, uniqueId, type FreshDatabase } from '../test/support/databases.js';

const SECRET = 's'.repeat(40);
const redis = newRedis();
let db: FreshDatabase;
beforeAll(async () => {
  db = await freshDatabase();
});
afterAll(async () => {
  redis.disconnect();
  await db?.drop();
});

async function account(role: 'fan' | 'admin'): Promise<{ userId: string; email: string; role: 'fan' | 'admin' }> {
  const email = `${uniqueId(role)}@example.com`;
  const { rows } = await db.pool.query<{ id: string }>('INSERT INTO users (email, role) VALUES ($1, $2) RETURNING id', [email, role]);
  return { userId: rows[0]!.id, email, role };
}

/** Polls until the condition holds (the role cache's TTL is short in these tests). */
async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('access tokens', () => {
  const tokens = accessTokens(SECRET);

  it('refuses a correctly signed token without exp, which would never expire', async () => {
    const forever = await new SignJWT({ email: 'a@example.com', role: 'admin' })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setIssuer(ACCESS_ISSUER).setSubject('u1').setIssuedAt()
      .sign(new TextEncoder().encode(SECRET));
    await expect(tokens.verify(forever)).rejects.toThrow(AccessTokenError);
    await expect(tokens.verify(forever)).rejects.toMatchObject({ reason: 'invalid' });
    expect(await tokens.verify(await tokens.sign({ userId: 'u1', email: 'a@example.com', role: 'admin' }))).toMatchObject({ userId: 'u1' });
  });
});

describe('isAdmin', () => {
  const tokens = accessTokens(SECRET);
  const denylist = createAccessDenylist(redis, `usher:test:${uniqueId()}`);
  let auth: OperatorAuth;
  beforeAll(() => {
    auth = { tokens, adminApiToken: undefined, denylist, roles: accountRoles(db.pool, { ttlMs: 50 }) };
  });

  it('accepts an admin token, refuses a fan token, a forged one and nothing', async () => {
    const admin = await tokens.sign(await account('admin'));
    const fan = await tokens.sign(await account('fan'));
    const forged = await accessTokens('x'.repeat(40)).sign(await account('admin'));
    expect(await isAdmin(admin, auth)).toBe(true);
    expect(await isAdmin(fan, auth)).toBe(false);
    expect(await isAdmin(forged, auth)).toBe(false);
    expect(await isAdmin(undefined, auth)).toBe(false);
  });

  it('refuses an admin token once it was logged out', async () => {
    const admin = await tokens.sign(await account('admin'));
    await denylist.deny(admin);
    expect(await isAdmin(admin, auth)).toBe(false);
  });

  it('refuses an admin token once the account is demoted or deleted (after the role cache TTL)', async () => {
    const demoted = await account('admin');
    const deleted = await account('admin');
    const [demotedToken, deletedToken] = await Promise.all([tokens.sign(demoted), tokens.sign(deleted)]);
    expect(await isAdmin(demotedToken, auth)).toBe(true);
    expect(await isAdmin(deletedToken, auth)).toBe(true);
    await db.pool.query(`UPDATE users SET role = 'fan' WHERE id = $1`, [demoted.userId]);
    await db.pool.query('DELETE FROM users WHERE id = $1', [deleted.userId]);
    await eventually('demoted admin refused', async () => !(await isAdmin(demotedToken, auth)));
    await eventually('deleted admin refused', async () => !(await isAdmin(deletedToken, auth)));
  });

  it('admits only the static operator token without PostgreSQL to ask', async () => {
    const admin = await tokens.sign(await account('admin'));
    expect(await isAdmin(admin, { ...auth, roles: undefined })).toBe(false);
    expect(await isAdmin('operator-token-1234', { ...auth, roles: undefined, adminApiToken: 'operator-token-1234' })).toBe(true);
  });

  it('accepts the static operator token only when configured and exact', async () => {
    expect(await isAdmin('operator-token-1234', { ...auth, adminApiToken: 'operator-token-1234' })).toBe(true);
    expect(await isAdmin('operator-token-1235', { ...auth, adminApiToken: 'operator-token-1234' })).toBe(false);
    expect(await isAdmin('operator-token-1234', auth)).toBe(false);
  });
});
