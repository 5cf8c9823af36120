/**
 * The fan's own account, in process against real PostgreSQL, Redis and a local SMTP server (the
 * mails go through the notification worker): profile and phone, a change of e-mail that takes
 * effect only through the link mailed to the new address, a change of password that logs every
 * other session out, and a password reset by mailed link — single use even when the link is
 * redeemed by many requests at once, answered alike whether or not the address has an account,
 * limited per client address.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpInbox, type SmtpInbox } from '../../test/support/smtp-inbox.js';
import { uniqueId } from '../../test/support/databases.js';
import { until } from '../../test/support/checkout-flow.js';
import { apiHarness, bearer, json, type ApiHarness } from '../../test/support/api-test-context.js';
import { startNotificationWorker } from '../worker/notifications/notification-worker.js';
import { accountsRoutes } from './accounts-module.js';

const PUBLIC = 'http://fans.usher.test';
let h: ApiHarness;
let smtp: SmtpInbox;
let mails: { close(): Promise<void> };

beforeAll(async () => {
  smtp = await startSmtpInbox();
  h = await apiHarness([
    (s) => accountsRoutes(s, { verificationMailLimits: { cooldownS: 1, perWindow: 50, windowS: 3600 }, resetLimits: { perAddressIp: 6, perEmail: 2, windowS: 3600 } }),
  ], { SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, PUBLIC_API_URL: PUBLIC, TRUST_PROXY: 'true' });
  mails = startNotificationWorker(h.services);
}, 60_000);
afterAll(async () => {
  await mails?.close();
  await h?.close();
  await smtp?.close();
});

interface Session { accessToken: string; refreshToken: string; user: { id: string; email: string } }
const PASSWORD = 'correct horse battery';
const newEmail = (): string => `${uniqueId('self')}@example.com`;
let ip = 0;
/** Each call from its own client address unless told otherwise, so the per-address limit is the one test's. */
const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  h.app.request(path, json(body, { 'x-forwarded-for': `10.9.${Math.floor(++ip / 250)}.${ip % 250}`, ...headers }));
const send = (method: string, path: string, token: string, body?: unknown) =>
  h.app.request(path, { method, headers: { ...bearer(token), 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
const code = async (res: Response): Promise<string> => ((await res.json()) as { code: string }).code;

async function register(email = newEmail()): Promise<Session> {
  const res = await post('/v1/auth/register', { email, password: PASSWORD });
  expect(res.status).toBe(201);
  return (await res.json()) as Session;
}
const unfold = (raw: string) => raw.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
async function mailedLink(to: string, pattern: RegExp, nth = 1): Promise<string> {
  const mail = await until(`mail ${nth} to ${to} matching ${pattern}`, async () => smtp.inbox.filter((m) => m.to === to && pattern.test(unfold(m.raw)))[nth - 1]);
  return pattern.exec(unfold(mail.raw))![1]!;
}
const RESET = new RegExp(`${PUBLIC.replace(/[.]/g, '\\.')}/reset-password#token=([A-Za-z0-9_-]{43})`);
const CHANGE = new RegExp(`${PUBLIC.replace(/[.]/g, '\\.')}/verify-email#change=([A-Za-z0-9._-]+)`);
const login = (email: string, password: string) => post('/v1/auth/login', { email, password });

describe('profile', () => {
  it('sets and clears the display name and an E.164 phone number; refuses a number that is not one', async () => {
    const s = await register();
    const set = await send('PATCH', '/v1/me', s.accessToken, { displayName: '  Ada L. ', phone: '+4915112345678' });
    expect(set.status).toBe(200);
    expect(await set.json()).toMatchObject({ displayName: 'Ada L.', phone: '+4915112345678', email: s.user.email, hasPassword: true, pendingEmail: null });
    for (const phone of ['015112345678', '+0151123456', '+49 151 1234', '+1234567890123456', '+49abc']) {
      const bad = await send('PATCH', '/v1/me', s.accessToken, { phone });
      expect(bad.status, phone).toBe(422);
    }
    expect((await send('PATCH', '/v1/me', s.accessToken, {})).status).toBe(422);
    const cleared = await send('PATCH', '/v1/me', s.accessToken, { phone: null });
    expect(await cleared.json()).toMatchObject({ displayName: 'Ada L.', phone: null });
    const me = await h.app.request('/v1/me', { headers: bearer(s.accessToken) });
    expect(await me.json()).toMatchObject({ userId: s.user.id, displayName: 'Ada L.', phone: null });
    // the column refuses what the schema refuses
    await expect(h.db.pool.query(`UPDATE users SET phone = '0151' WHERE id = $1`, [s.user.id])).rejects.toThrow(/check constraint/);
    expect((await h.app.request('/v1/me', { method: 'PATCH', body: '{}', headers: { 'content-type': 'application/json' } })).status).toBe(401);
  });
});

describe('change of e-mail', () => {
  it('takes effect only when the link mailed to the new address is opened; then the old address logs in no more', async () => {
    const old = newEmail();
    const next = newEmail();
    const s = await register(old);
    expect((await send('POST', '/v1/me/email', s.accessToken, { email: next, password: 'wrong password!' })).status).toBe(403);
    expect(await code(await send('POST', '/v1/me/email', s.accessToken, { email: old.toUpperCase(), password: PASSWORD }))).toBe('same_email');
    const other = await register();
    expect((await send('POST', '/v1/me/email', s.accessToken, { email: other.user.email, password: PASSWORD })).status).toBe(409);

    const asked = await send('POST', '/v1/me/email', s.accessToken, { email: next, password: PASSWORD });
    expect(asked.status).toBe(202);
    expect(await asked.json()).toEqual({ status: 'queued', pendingEmail: next });
    // nothing changed yet
    const before = await (await h.app.request('/v1/me', { headers: bearer(s.accessToken) })).json();
    expect(before).toMatchObject({ email: old, pendingEmail: next });
    expect((await login(old, PASSWORD)).status).toBe(200);

    const token = await mailedLink(next, CHANGE);
    expect(smtp.inbox.some((m) => m.to === old && CHANGE.test(unfold(m.raw)))).toBe(false);
    // a verification link of the old address is no change link, nor the other way round
    expect((await post('/v1/auth/verify-email', { token })).status).toBe(400);
    const done = await post('/v1/auth/confirm-email-change', { token });
    expect(done.status).toBe(200);
    expect(await done.json()).toEqual({ email: next, emailVerified: true });
    const after = await (await h.app.request('/v1/me', { headers: bearer(s.accessToken) })).json();
    expect(after).toMatchObject({ email: next, pendingEmail: null, emailVerified: true });
    expect((await login(old, PASSWORD)).status).toBe(401);
    expect((await login(next, PASSWORD)).status).toBe(200);
    // used once: the account waits for no address now
    expect(await code(await post('/v1/auth/confirm-email-change', { token }))).toBe('email_change_not_pending');
  });

  it('a link for an address the account no longer waits for changes nothing', async () => {
    const s = await register();
    const first = newEmail();
    const second = newEmail();
    expect((await send('POST', '/v1/me/email', s.accessToken, { email: first, password: PASSWORD })).status).toBe(202);
    const stale = await mailedLink(first, CHANGE);
    await new Promise((r) => setTimeout(r, 1100)); // the test's one-second cooldown between account e-mails
    expect((await send('POST', '/v1/me/email', s.accessToken, { email: second, password: PASSWORD })).status).toBe(202);
    expect(await code(await post('/v1/auth/confirm-email-change', { token: stale }))).toBe('email_change_not_pending');
    expect((await h.db.pool.query('SELECT email FROM users WHERE id = $1', [s.user.id])).rows[0].email).toBe(s.user.email);
  });
});

describe('change of password', () => {
  it('needs the current password, revokes every refresh token, and hands this device a new session', async () => {
    const email = newEmail();
    const s = await register(email);
    const other = (await (await login(email, PASSWORD)).json()) as Session;
    // access tokens are refused by the second they were issued in: let a second pass since these were
    await new Promise((r) => setTimeout(r, 1100));
    expect((await send('POST', '/v1/me/password', s.accessToken, { currentPassword: 'not it at all', newPassword: 'a much better one' })).status).toBe(403);
    expect((await send('POST', '/v1/me/password', s.accessToken, { currentPassword: PASSWORD, newPassword: 'short' })).status).toBe(422);
    const changed = await send('POST', '/v1/me/password', s.accessToken, { currentPassword: PASSWORD, newPassword: 'a much better one' });
    expect(changed.status).toBe(200);
    const fresh = (await changed.json()) as Session;
    // the other device's refresh token, and this one's old one, are dead; the new one works
    expect((await post('/v1/auth/refresh', { refreshToken: other.refreshToken })).status).toBe(401);
    expect((await post('/v1/auth/refresh', { refreshToken: s.refreshToken })).status).toBe(401);
    expect((await post('/v1/auth/refresh', { refreshToken: fresh.refreshToken })).status).toBe(200);
    // and so are the access tokens of both, before their expiry; the new session's works
    expect((await h.app.request('/v1/me', { headers: bearer(other.accessToken) })).status).toBe(401);
    expect((await h.app.request('/v1/me', { headers: bearer(s.accessToken) })).status).toBe(401);
    expect((await h.app.request('/v1/me', { headers: bearer(fresh.accessToken) })).status).toBe(200);
    expect((await login(email, PASSWORD)).status).toBe(401);
    expect((await login(email, 'a much better one')).status).toBe(200);
  });
});

describe('password reset', () => {
  it('answers alike whether or not the address has an account, and mails only a real one', async () => {
    const email = newEmail();
    await register(email);
    const nobody = newEmail();
    const a = await post('/v1/auth/password-reset', { email });
    const b = await post('/v1/auth/password-reset', { email: nobody });
    expect([a.status, b.status]).toEqual([202, 202]);
    expect(await a.json()).toEqual(await b.json());
    await mailedLink(email, RESET);
    await new Promise((r) => setTimeout(r, 300));
    expect(smtp.inbox.some((m) => m.to === nobody)).toBe(false);
  });

  it('a link works once even when 12 requests redeem it at once; every session ends; the stored mail withholds it', async () => {
    const email = newEmail();
    const s = await register(email);
    expect((await post('/v1/auth/password-reset', { email })).status).toBe(202);
    const token = await mailedLink(email, RESET);
    await new Promise((r) => setTimeout(r, 1100)); // access tokens are refused by the second they were issued in
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => post('/v1/auth/password-reset/confirm', { token, newPassword: `new password number ${i}` })));
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((x) => x === 200)).toHaveLength(1);
    expect(statuses.filter((x) => x === 400)).toHaveLength(11);
    const winner = answers.findIndex((r) => r.status === 200);
    expect((await login(email, `new password number ${winner}`)).status).toBe(200);
    expect((await login(email, PASSWORD)).status).toBe(401);
    expect((await post('/v1/auth/refresh', { refreshToken: s.refreshToken })).status).toBe(401);
    expect((await h.app.request('/v1/me', { headers: bearer(s.accessToken) })).status).toBe(401);
    const stored = await h.db.pool.query(`SELECT body FROM account_mails WHERE user_id = $1 AND kind = 'password_reset'`, [s.user.id]);
    expect(stored.rows[0].body).not.toContain(token);
    const tokens = await h.db.pool.query<{ token_hash: string }>('SELECT token_hash FROM password_resets WHERE user_id = $1', [s.user.id]);
    expect(tokens.rows.map((r) => r.token_hash)).not.toContain(token);
  });

  it('an expired link, and an older link once a newer one is used, are refused', async () => {
    const email = newEmail();
    await register(email);
    await post('/v1/auth/password-reset', { email });
    const first = await mailedLink(email, RESET, 1);
    await post('/v1/auth/password-reset', { email });
    const second = await mailedLink(email, RESET, 2);
    expect((await post('/v1/auth/password-reset/confirm', { token: second, newPassword: 'the second new one' })).status).toBe(200);
    expect(await code(await post('/v1/auth/password-reset/confirm', { token: first, newPassword: 'the first new one' }))).toBe('reset_link_invalid');

    // a third mail for this address within the window is not sent (per-address limit 2), silently
    expect((await post('/v1/auth/password-reset', { email })).status).toBe(202);
    await new Promise((r) => setTimeout(r, 500));
    expect(smtp.inbox.filter((m) => m.to === email && RESET.test(unfold(m.raw)))).toHaveLength(2);
  });

  it('an expired link is refused', async () => {
    const other = newEmail();
    const s2 = await register(other);
    await post('/v1/auth/password-reset', { email: other });
    const token = await mailedLink(other, RESET);
    await h.db.pool.query(`UPDATE password_resets SET expires_at = now() - interval '1 second' WHERE user_id = $1`, [s2.user.id]);
    expect(await code(await post('/v1/auth/password-reset/confirm', { token, newPassword: 'too late for this' }))).toBe('reset_link_invalid');
  });

  it('limits reset requests per client address (429)', async () => {
    const from = { 'x-forwarded-for': '10.200.0.1' };
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await post('/v1/auth/password-reset', { email: newEmail() }, from)).status);
    expect(statuses).toEqual([202, 202, 202, 202, 202, 202, 429, 429]);
  });
});
