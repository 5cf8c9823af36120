import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessTokens } from '../../access/access-token.js';
import { seedSale } from '../../scripts/seed-sale.js';
import { uniqueId } from '../../test/support/databases.js';
import { apiHarness, bearer, json, type ApiHarness } from '../../test/support/api-test-context.js';
import { accountsRoutes } from './accounts-module.js';
import { emailVerificationTokens } from './email-verification-token.js';

let h: ApiHarness;
beforeAll(async () => {
  h = await apiHarness([(s) => accountsRoutes(s)], { TRUST_PROXY: 'true' });
});
afterAll(() => h?.close());

interface Session { accessToken: string; refreshToken: string; user: { id: string; email: string; role: string; emailVerified: boolean } }
const newEmail = (): string => `${uniqueId('fan')}@example.com`;
const post = (path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> | Response => h.app.request(path, json(body, headers));

async function register(email = newEmail(), password = 'correct horse battery'): Promise<Session> {
  const res = await post('/v1/auth/register', { email, password });
  expect(res.status).toBe(201);
  return (await res.json()) as Session;
}

async function users(): Promise<number> {
  return Number((await h.db.pool.query('SELECT count(*) AS n FROM users')).rows[0].n);
}

describe('register', () => {
  it('creates a fan account and answers with a session', async () => {
    const email = newEmail();
    const s = await register(email);
    expect(s.user).toMatchObject({ email, role: 'fan' });
    const me = await h.app.request('/v1/me', { headers: bearer(s.accessToken) });
    expect(await me.json()).toMatchObject({ userId: s.user.id, email, role: 'fan', emailVerified: false });
    expect(s.user.emailVerified).toBe(false);
    const stored = (await h.db.pool.query('SELECT password_hash FROM users WHERE id = $1', [s.user.id])).rows[0].password_hash as string;
    expect(stored).toMatch(/^scrypt\$15\$8\$1\$/);
    expect(stored).not.toContain('correct horse');
  });

  it('answers 409 to a taken e-mail, whatever its case, and creates nothing', async () => {
    const email = newEmail();
    await register(email);
    const before = await users();
    const res = await post('/v1/auth/register', { email: email.toUpperCase(), password: 'another long password' });
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(await users()).toBe(before);
  });

  it.each([
    [{ email: 'not-an-email', password: 'long enough password' }],
    [{ email: 'a@example.com', password: 'short' }],
    [{ email: 'a@example.com', password: 'long enough password', role: 'admin' }],
    [{}],
  ])('rejects %o with 422 validation_failed and creates nothing', async (body) => {
    const before = await users();
    const res = await post('/v1/auth/register', body);
    expect(res.status).toBe(422);
    const problem = (await res.json()) as { code: string; errors: { path: string; message: string }[] };
    expect(problem.code).toBe('validation_failed');
    expect(problem.errors.length).toBeGreaterThan(0);
    expect(await users()).toBe(before);
  });

  it('rejects a body that is not JSON, or none, with the API-wide codes', async () => {
    const send = async (body: string, type?: string) => {
      const res = await h.app.request('/v1/auth/register', { method: 'POST', body, headers: type ? { 'content-type': type } : {} });
      return [res.status, ((await res.json()) as { code: string }).code];
    };
    expect(await send('{', 'application/json')).toEqual([400, 'malformed_json']);
    expect(await send('', 'application/json')).toEqual([400, 'body_required']);
    expect(await send('x', 'text/plain')).toEqual([415, 'unsupported_media_type']);
  });
});

describe('login', () => {
  it('answers 401 to a wrong password or unknown e-mail, 200 to the right one', async () => {
    const email = newEmail();
    await register(email);
    expect((await post('/v1/auth/login', { email, password: 'wrong password!' })).status).toBe(401);
    expect((await post('/v1/auth/login', { email: newEmail(), password: 'whatever it is' })).status).toBe(401);
    const ok = await post('/v1/auth/login', { email: email.toUpperCase(), password: 'correct horse battery' });
    expect(ok.status).toBe(200);
  });

  it('limits repeated failures: 429 with Retry-After, even for the right password, per address', async () => {
    const email = newEmail();
    await register(email);
    const from = (ip: string) => ({ 'x-forwarded-for': ip });
    for (let i = 0; i < 5; i++) expect((await post('/v1/auth/login', { email, password: 'guess ' + i }, from('10.0.0.1'))).status).toBe(401);
    const blocked = await post('/v1/auth/login', { email, password: 'correct horse battery' }, from('10.0.0.1'));
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(800);
    // another address is not locked out by the first one's guessing
    expect((await post('/v1/auth/login', { email, password: 'correct horse battery' }, from('10.0.0.2'))).status).toBe(200);
  });

  it('answers 429 to one address spraying passwords over many e-mails, and only to that address', async () => {
    const sprayer = { 'x-forwarded-for': '10.2.0.1' };
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) statuses.push((await post('/v1/auth/login', { email: newEmail(), password: 'Summer2026!' }, sprayer)).status);
    expect(statuses.slice(0, 20)).toEqual(Array(20).fill(401));
    expect(statuses.slice(20)).toEqual(Array(10).fill(429));
    const email = newEmail();
    await register(email);
    const blocked = await post('/v1/auth/login', { email, password: 'correct horse battery' }, sprayer);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(800);
    expect((await post('/v1/auth/login', { email, password: 'correct horse battery' }, { 'x-forwarded-for': '10.2.0.2' })).status).toBe(200);
  });

  it('does not let failures from many addresses lock the owner out: the owner logs in from another address', async () => {
    const email = newEmail();
    await register(email);
    for (let i = 0; i < 30; i++) expect((await post('/v1/auth/login', { email, password: 'guess' }, { 'x-forwarded-for': `10.1.${i}.1` })).status).toBe(401);
    expect((await post('/v1/auth/login', { email, password: 'correct horse battery' }, { 'x-forwarded-for': '10.9.9.9' })).status).toBe(200);
  });
});

describe('tokens', () => {
  it('answers 401 without a token, with a forged one, and with an expired one', async () => {
    const s = await register();
    expect((await h.app.request('/v1/me')).status).toBe(401);
    const forged = await accessTokens('someone-else-s-secret-0123456789abcdef').sign({ userId: s.user.id, email: s.user.email, role: 'admin' });
    expect((await h.app.request('/v1/me', { headers: bearer(forged) })).status).toBe(401);
    const expired = await accessTokens('test-secret-test-secret-test-secret-0123').sign({ userId: s.user.id, email: s.user.email, role: 'fan' }, -60);
    const res = await h.app.request('/v1/me', { headers: bearer(expired) });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { code: string }).code).toBe('token_expired');
  });

  it('rotates the refresh token; reusing an old one revokes the whole family', async () => {
    const s = await register();
    const r1 = await post('/v1/auth/refresh', { refreshToken: s.refreshToken });
    expect(r1.status).toBe(200);
    const s2 = (await r1.json()) as Session;
    expect(s2.refreshToken).not.toBe(s.refreshToken);
    const reuse = await post('/v1/auth/refresh', { refreshToken: s.refreshToken });
    expect(reuse.status).toBe(401);
    expect(((await reuse.json()) as { code: string }).code).toBe('refresh_reused');
    expect((await post('/v1/auth/refresh', { refreshToken: s2.refreshToken })).status).toBe(401);
  });

  it('refuses an expired refresh token', async () => {
    const s = await register();
    await h.db.pool.query(`UPDATE refresh_tokens SET expires_at = now() - interval '1 second' WHERE user_id = $1`, [s.user.id]);
    const res = await post('/v1/auth/refresh', { refreshToken: s.refreshToken });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { code: string }).code).toBe('refresh_expired');
  });

  it('logout revokes the access token and the refresh token at once', async () => {
    const s = await register();
    const other = (await (await post('/v1/auth/login', { email: s.user.email, password: 'correct horse battery' })).json()) as Session;
    expect((await post('/v1/auth/logout', { refreshToken: s.refreshToken }, bearer(s.accessToken))).status).toBe(204);
    const me = await h.app.request('/v1/me', { headers: bearer(s.accessToken) });
    expect(me.status).toBe(401);
    expect((await post('/v1/auth/refresh', { refreshToken: s.refreshToken })).status).toBe(401);
    // a session on another device is its own family and stays logged in
    expect((await h.app.request('/v1/me', { headers: bearer(other.accessToken) })).status).toBe(200);
    expect((await post('/v1/auth/refresh', { refreshToken: other.refreshToken })).status).toBe(200);
  });
});

describe('GET /v1/me/orders', () => {
  it('lists orders by user id, and guest orders bought with the account e-mail (before or after registering) once it is verified', async () => {
    const sale = await seedSale(h.db.pool, {
      key: uniqueId('orders'), sections: [{ name: 'Floor', kind: 'ga', capacity: 10, tierCode: 'GA' }], tiers: [{ code: 'GA', name: 'Standing', priceMinor: 4500 }],
    });
    const email = newEmail();
    const order = async (id: string, mail: string, userId: string | null = null): Promise<void> => {
      await h.db.pool.query(
        `INSERT INTO orders (id, sale_id, event_id, user_id, email, payment_intent_id, amount_minor, currency, status)
         VALUES ($1, $2, $3, $4, $5, $1, 4500, 'EUR', 'confirmed')`, [id, sale.saleId, sale.eventId, userId, mail]);
      await h.db.pool.query(`INSERT INTO tickets (order_id, event_id, section_id, tier_code, price_minor) VALUES ($1, $2, $3, 'GA', 4500)`,
        [id, sale.eventId, sale.sectionIds.Floor]);
    };
    await order(uniqueId('guest-before-'), email.toUpperCase());
    const s = await register(email);
    await order(uniqueId('guest-after-'), email);
    await order(uniqueId('mine-'), 'other-address@example.com', s.user.id);
    await order(uniqueId('stranger-'), newEmail());
    const ids = async (): Promise<string[]> => {
      const { orders } = (await (await h.app.request('/v1/me/orders', { headers: bearer(s.accessToken) })).json()) as { orders: { id: string }[] };
      return orders.map((o) => o.id.replace(/[0-9a-f]{10}$/, '')).sort();
    };
    expect(await ids()).toEqual(['mine-']);
    const token = await emailVerificationTokens('test-secret-test-secret-test-secret-0123').sign({ userId: s.user.id, email });
    expect((await post('/v1/auth/verify-email', { token })).status).toBe(200);
    expect(await ids()).toEqual(['guest-after-', 'guest-before-', 'mine-']);
    const res = await h.app.request('/v1/me/orders', { headers: bearer(s.accessToken) });
    expect(res.status).toBe(200);
    const { orders } = (await res.json()) as { orders: { id: string; tickets: { label: string }[]; event: { id: string } }[] };
    expect(orders.map((o) => o.id.replace(/[0-9a-f]{10}$/, '')).sort()).toEqual(['guest-after-', 'guest-before-', 'mine-']);
    expect(orders[0]!.tickets).toEqual([expect.objectContaining({ label: 'Floor', tierCode: 'GA', status: 'live' })]);
    expect(orders[0]!.event.id).toBe(sale.eventId);
    expect((await h.app.request('/v1/me/orders')).status).toBe(401);
  });
});
