/**
 * Sign-in with an OpenID Connect provider end to end: the API (openid-client) against a real
 * `oidc-provider` on loopback, through the whole redirect chain — start (PKCE, state, nonce), the
 * provider's authorization and token endpoints, the callback, the one-time hand-off code — for a
 * new account, an existing account linked by a verified e-mail, and the refusals: an unverified
 * address that another account has, a replayed or forged state, a refused consent, a reused
 * hand-off code. With OIDC_ISSUER unset the routes are off.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueId } from '../../test/support/databases.js';
import { apiHarness, bearer, json, type ApiHarness } from '../../test/support/api-test-context.js';
import { followProvider, startOidcTestProvider, type OidcTestProvider } from '../../test/support/oidc-test-provider.js';
import { accountsRoutes } from './accounts-module.js';
import { accountForIdentity } from './oidc-accounts.js';

const PUBLIC = 'http://fans.usher.test';
let op: OidcTestProvider;
let h: ApiHarness;

beforeAll(async () => {
  op = await startOidcTestProvider(`${PUBLIC}/v1/auth/oidc/callback`);
  h = await apiHarness([(s) => accountsRoutes(s)], { ...op.env, PUBLIC_API_URL: PUBLIC });
}, 60_000);
afterAll(async () => {
  await h?.close();
  await op?.close();
});

interface Session { accessToken: string; refreshToken: string; next: string; user: { id: string; email: string; emailVerified: boolean } }

/** start → provider → callback; answers the fragment the API sent the browser to (/login#…). */
async function signIn(as: string | 'deny', next?: string): Promise<URLSearchParams> {
  op.signInAs(as);
  const start = await h.app.request(`/v1/auth/oidc/start${next ? `?next=${encodeURIComponent(next)}` : ''}`);
  expect(start.status).toBe(302);
  const authorize = new URL(start.headers.get('location')!);
  expect(authorize.origin).toBe(op.issuer);
  expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
  for (const p of ['code_challenge', 'state', 'nonce']) expect(authorize.searchParams.get(p)).toMatch(/^[A-Za-z0-9_-]{20,}$/);
  const back = await followProvider(authorize.href, op.issuer);
  expect(`${back.origin}${back.pathname}`).toBe(`${PUBLIC}/v1/auth/oidc/callback`);
  return landing(await h.app.request(`${back.pathname}${back.search}`));
}
function landing(res: Response): URLSearchParams {
  expect(res.status).toBe(302);
  const to = new URL(res.headers.get('location')!, PUBLIC);
  expect(to.pathname).toBe('/login');
  return new URLSearchParams(to.hash.slice(1));
}
async function session(code: string): Promise<Session> {
  const res = await h.app.request('/v1/auth/oidc/session', json({ code }));
  expect(res.status).toBe(200);
  return (await res.json()) as Session;
}

describe('sign-in with an OpenID Connect provider', () => {
  it('says it is on, with the provider name', async () => {
    expect(await (await h.app.request('/v1/auth/oidc')).json()).toEqual({ enabled: true, name: 'Test ID', startUrl: '/v1/auth/oidc/start' });
  });

  it('creates an account for a new person, verified when the provider verified the address; the hand-off code works once', async () => {
    const email = `${uniqueId('oidc-new')}@example.com`;
    const sub = uniqueId('sub');
    op.addAccount({ sub, email, emailVerified: true });
    const fragment = await signIn(sub, '/events/abc');
    const code = fragment.get('oidc')!;
    const s = await session(code);
    expect(s.next).toBe('/events/abc');
    expect(s.user).toMatchObject({ email, emailVerified: true });
    const me = await (await h.app.request('/v1/me', { headers: bearer(s.accessToken) })).json();
    expect(me).toMatchObject({ email, emailVerified: true, hasPassword: false });
    // the refresh token is a normal one
    expect((await h.app.request('/v1/auth/refresh', json({ refreshToken: s.refreshToken }))).status).toBe(200);
    // the code is single use
    expect((await h.app.request('/v1/auth/oidc/session', json({ code }))).status).toBe(400);
    // signing in again is the same account
    const again = await session((await signIn(sub)).get('oidc')!);
    expect(again.user.id).toBe(s.user.id);
    const { rows } = await h.db.pool.query('SELECT count(*)::int AS n FROM users WHERE lower(email) = lower($1)', [email]);
    expect(rows[0].n).toBe(1);
  });

  it('links an existing password account by a verified address; it keeps its password', async () => {
    const email = `${uniqueId('oidc-link')}@example.com`;
    const reg = await h.app.request('/v1/auth/register', json({ email, password: 'correct horse battery' }));
    const registered = (await reg.json()) as Session;
    const sub = uniqueId('sub');
    op.addAccount({ sub, email: email.toUpperCase(), emailVerified: true });
    const s = await session((await signIn(sub)).get('oidc')!);
    expect(s.user.id).toBe(registered.user.id);
    // the provider proved the address
    expect(s.user.emailVerified).toBe(true);
    expect((await h.app.request('/v1/auth/login', json({ email, password: 'correct horse battery' }))).status).toBe(200);
    const link = await h.db.pool.query('SELECT user_id FROM user_identities WHERE subject = $1', [sub]);
    expect(link.rows).toEqual([{ user_id: registered.user.id }]);
  });

  it('does not link by an address the provider did not verify', async () => {
    const email = `${uniqueId('oidc-unverified')}@example.com`;
    expect((await h.app.request('/v1/auth/register', json({ email, password: 'correct horse battery' }))).status).toBe(201);
    const sub = uniqueId('sub');
    op.addAccount({ sub, email, emailVerified: false });
    expect((await signIn(sub)).get('oidc_error')).toBe('email_unverified');
    expect((await h.db.pool.query('SELECT 1 FROM user_identities WHERE subject = $1', [sub])).rowCount).toBe(0);
  });

  it('refuses a replayed or forged state, and a refused consent', async () => {
    const sub = uniqueId('sub');
    op.addAccount({ sub, email: `${sub}@example.com`, emailVerified: true });
    op.signInAs(sub);
    const start = await h.app.request('/v1/auth/oidc/start');
    const back = await followProvider(start.headers.get('location')!, op.issuer);
    const callback = `${back.pathname}${back.search}`;
    expect(landing(await h.app.request(callback)).get('oidc')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // the same callback again: the state was taken
    expect(landing(await h.app.request(callback)).get('oidc_error')).toBe('invalid_state');
    const forged = new URL(callback, PUBLIC);
    forged.searchParams.set('state', 'forged-state-value-0123456789');
    expect(landing(await h.app.request(`${forged.pathname}${forged.search}`)).get('oidc_error')).toBe('invalid_state');
    expect((await signIn('deny')).get('oidc_error')).toBe('denied');
    expect((await h.app.request('/v1/auth/oidc/start?next=//evil.example')).status).toBe(400);
  });
});

describe('the account of a provider identity', () => {
  it('10 concurrent first sign-ins of one person make one account and one link', async () => {
    const email = `${uniqueId('oidc-race')}@example.com`;
    const who = { issuer: op.issuer, subject: uniqueId('sub'), email, emailVerified: true };
    const results = await Promise.all(Array.from({ length: 10 }, () => accountForIdentity(h.db.pool, who)));
    const ids = new Set(results.map((r) => (r.ok ? r.account.userId : r.reason)));
    expect(ids.size).toBe(1);
    expect((await h.db.pool.query('SELECT count(*)::int AS n FROM users WHERE lower(email) = lower($1)', [email])).rows[0].n).toBe(1);
    expect((await h.db.pool.query('SELECT count(*)::int AS n FROM user_identities WHERE subject = $1', [who.subject])).rows[0].n).toBe(1);
  });
});

describe('without OIDC_ISSUER', () => {
  it('the routes are off', async () => {
    const off = await apiHarness([(s) => accountsRoutes(s)]);
    try {
      expect(await (await off.app.request('/v1/auth/oidc')).json()).toEqual({ enabled: false, name: null, startUrl: null });
      expect((await off.app.request('/v1/auth/oidc/start')).status).toBe(404);
    } finally {
      await off.close();
    }
  });
});
