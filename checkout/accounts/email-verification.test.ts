/**
 * E-mail verification end to end in process: registration mails a link through the notification
 * worker to a real local SMTP server (npm smtp-server), the link's token verifies the address,
 * and only then do guest orders bought with it appear for the account — in the list and through
 * the order routes. Forged, tampered, expired and stale links are refused and change nothing;
 * asking for the link again is rate limited.
 */
import { randomUUID } from 'node:crypto';
import { startSmtpInbox, type SmtpInbox } from '../../test/support/smtp-inbox.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessTokens } from '../../access/access-token.js';
import { createLogger } from '../../common/logger.js';
import { seedSale, type SeededSale } from '../../scripts/seed-sale.js';
import { uniqueId } from '../../test/support/databases.js';
import { until } from '../../test/support/checkout-flow.js';
import { apiHarness, bearer, json, type ApiHarness } from '../../test/support/api-test-context.js';
import { checkoutFeatures } from '../api/routes.js';
import { createMailTransport } from '../worker/notifications/mail-transport.js';
import { startNotificationWorker } from '../worker/notifications/notification-worker.js';
import { sendVerificationMail } from '../worker/notifications/verification-mail.js';
import { createAdmin } from './admin-bootstrap.js';
import { accountsRoutes } from './accounts-module.js';
import { emailVerificationTokens } from './email-verification-token.js';
import { createVerificationMailLimiter, DEFAULT_VERIFICATION_MAIL_LIMITS } from './verification-mail-limit.js';

const SECRET = 'test-secret-test-secret-test-secret-0123'; // the harness's AUTH_JWT_SECRET
const PUBLIC = 'http://fans.usher.test';
let h: ApiHarness;
let smtp: SmtpInbox;
let mails: { close(): Promise<void> };
let sale: SeededSale;

beforeAll(async () => {
  smtp = await startSmtpInbox();
  const port = smtp.port;
  h = await apiHarness([
    // three a window so the limit test need not send five; the default limits are checked on their own below
    (s) => accountsRoutes(s, { verificationMailLimits: { cooldownS: 30, perWindow: 3, windowS: 3600 } }),
    ...checkoutFeatures,
  ], { SMTP_URL: `smtp://127.0.0.1:${port}`, PUBLIC_API_URL: PUBLIC });
  mails = startNotificationWorker(h.services);
  sale = await seedSale(h.db.pool, {
    key: uniqueId('verify'), sections: [{ name: 'Floor', kind: 'ga', capacity: 20, tierCode: 'GA' }], tiers: [{ code: 'GA', name: 'Standing', priceMinor: 4500 }],
  });
}, 60_000);
afterAll(async () => {
  await mails?.close();
  await h?.close();
  await smtp.close();
});

interface Session { accessToken: string; refreshToken: string; user: { id: string; email: string; role: string; emailVerified: boolean } }
const newEmail = (): string => `${uniqueId('fan')}@example.com`;
const post = (path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> | Response => h.app.request(path, json(body, headers));
const problemCode = async (res: Response): Promise<string> => ((await res.json()) as { code: string }).code;

async function register(email = newEmail()): Promise<Session> {
  const res = await post('/v1/auth/register', { email, password: 'correct horse battery' });
  expect(res.status).toBe(201);
  return (await res.json()) as Session;
}

/** Undoes quoted-printable soft line breaks and =3D so the link can be read from the raw message. */
const unfold = (raw: string) => raw.replace(/=\r?\n/g, '').replace(/=3D/g, '=');

/** The token of the n-th verification e-mail (1-based) received for this address. */
async function mailedToken(email: string, nth = 1): Promise<string> {
  const mail = await until(`verification mail ${nth} to ${email}`, async () => smtp.inbox.filter((m) => m.to === email)[nth - 1]);
  const link = new RegExp(`${PUBLIC.replace(/[.]/g, '\\.')}/verify-email#token=([A-Za-z0-9._-]+)`).exec(unfold(mail.raw));
  expect(link, 'a verification link in the mail').not.toBeNull();
  return link![1]!;
}

async function guestOrder(email: string, userId: string | null = null): Promise<string> {
  const id = uniqueId('order-');
  await h.db.pool.query(
    `INSERT INTO orders (id, sale_id, event_id, user_id, email, payment_intent_id, amount_minor, currency, status)
     VALUES ($1, $2, $3, $4, $5, $1, 4500, 'EUR', 'confirmed')`, [id, sale.saleId, sale.eventId, userId, email]);
  await h.db.pool.query(`INSERT INTO tickets (order_id, event_id, section_id, tier_code, price_minor) VALUES ($1, $2, $3, 'GA', 4500)`,
    [id, sale.eventId, sale.sectionIds.Floor]);
  return id;
}

async function myOrderIds(token: string): Promise<string[]> {
  const res = await h.app.request('/v1/me/orders', { headers: bearer(token) });
  expect(res.status).toBe(200);
  return ((await res.json()) as { orders: { id: string }[] }).orders.map((o) => o.id).sort();
}

async function verifiedAt(userId: string): Promise<Date | null> {
  return (await h.db.pool.query('SELECT email_verified_at FROM users WHERE id = $1', [userId])).rows[0].email_verified_at as Date | null;
}

describe('guest orders and an unverified account', () => {
  it("someone who registers a fan's e-mail sees none of the fan's guest orders until the mailed link is used", async () => {
    const fan = newEmail();
    const guest = await guestOrder(fan);
    const intruder = await register(fan);
    expect(intruder.user.emailVerified).toBe(false);
    const own = await guestOrder('somewhere-else@example.com', intruder.user.id);

    // only the order placed while logged in, in the list and through the order routes
    expect(await myOrderIds(intruder.accessToken)).toEqual([own]);
    const read = await h.app.request(`/v1/orders/${guest}`, { headers: bearer(intruder.accessToken) });
    expect(read.status).toBe(403);
    const cancel = await h.app.request(`/v1/orders/${guest}/cancel`, { method: 'POST', headers: bearer(intruder.accessToken) });
    expect(cancel.status).toBe(403);
    expect((await h.db.pool.query('SELECT status FROM orders WHERE id = $1', [guest])).rows[0].status).toBe('confirmed');
    expect((await h.app.request(`/v1/orders/${own}`, { headers: bearer(intruder.accessToken) })).status).toBe(200);
    const me = await h.app.request('/v1/me', { headers: bearer(intruder.accessToken) });
    expect(await me.json()).toMatchObject({ userId: intruder.user.id, email: fan, emailVerified: false, emailVerifiedAt: null });

    // the link went to the fan's mailbox, not to whoever registered; with it, the address is proven
    const token = await mailedToken(fan);
    const ok = await post('/v1/auth/verify-email', { token });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ email: fan, emailVerified: true });
    expect(await myOrderIds(intruder.accessToken)).toEqual([guest, own].sort());
    expect((await h.app.request(`/v1/orders/${guest}`, { headers: bearer(intruder.accessToken) })).status).toBe(200);

    // a logged-out access token opens no order, before its own expiry
    expect((await post('/v1/auth/logout', { refreshToken: intruder.refreshToken }, bearer(intruder.accessToken))).status).toBe(204);
    const afterLogout = await h.app.request(`/v1/orders/${own}`, { headers: bearer(intruder.accessToken) });
    expect(afterLogout.status).toBe(401);
    const cancelAfterLogout = await h.app.request(`/v1/orders/${own}/cancel`, { method: 'POST', headers: bearer(intruder.accessToken) });
    expect(cancelAfterLogout.status).toBe(401);
    expect((await h.db.pool.query('SELECT status FROM orders WHERE id = $1', [own])).rows[0].status).toBe('confirmed');
  });
});

describe('the mailed link', () => {
  it('verifies the address once; the session and /v1/me say so; the stored copy withholds the token', async () => {
    const email = newEmail();
    const s = await register(email);
    const token = await mailedToken(email);
    const mail = smtp.inbox.find((m) => m.to === email)!;
    expect(mail.raw).toContain('Subject: Confirm your e-mail address for Usher');

    const res = await post('/v1/auth/verify-email', { token });
    expect(res.status).toBe(200);
    const when = await verifiedAt(s.user.id);
    expect(when).toBeInstanceOf(Date);
    const me = (await (await h.app.request('/v1/me', { headers: bearer(s.accessToken) })).json()) as { emailVerified: boolean; emailVerifiedAt: string };
    expect(me).toMatchObject({ emailVerified: true, emailVerifiedAt: when!.toISOString() });
    const login = (await (await post('/v1/auth/login', { email, password: 'correct horse battery' })).json()) as Session;
    expect(login.user.emailVerified).toBe(true);
    const refreshed = (await (await post('/v1/auth/refresh', { refreshToken: s.refreshToken })).json()) as Session;
    expect(refreshed.user.emailVerified).toBe(true);

    // the same link again: nothing more to do, and nothing changes
    const again = await post('/v1/auth/verify-email', { token });
    expect(again.status).toBe(409);
    expect(again.headers.get('content-type')).toContain('application/problem+json');
    expect(await problemCode(again)).toBe('email_already_verified');
    expect(await verifiedAt(s.user.id)).toEqual(when);

    const stored = await h.db.pool.query('SELECT kind, recipient, transport, body FROM account_mails WHERE user_id = $1', [s.user.id]);
    expect(stored.rows).toEqual([expect.objectContaining({ kind: 'email_verification', recipient: email, transport: 'smtp' })]);
    expect(stored.rows[0].body).toContain('[token withheld]');
    expect(stored.rows[0].body).not.toContain(token);
  });

  it('refuses expired, forged, tampered, wrong-purpose and malformed tokens, and changes nothing', async () => {
    const s = await register();
    const real = await mailedToken(s.user.email);
    const own = emailVerificationTokens(SECRET);
    const other = await register();

    const expired = await post('/v1/auth/verify-email', { token: await own.sign({ userId: s.user.id, email: s.user.email }, -60) });
    expect(expired.status).toBe(410);
    expect(await problemCode(expired)).toBe('verification_link_expired');

    // a payload pointing at another account under the original signature
    const [head, , sig] = real.split('.');
    const payload = JSON.parse(Buffer.from(real.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    const swapped = `${head}.${Buffer.from(JSON.stringify({ ...payload, sub: other.user.id, email: other.user.email })).toString('base64url')}.${sig}`;
    const forgedKey = await emailVerificationTokens('someone-else-s-secret-0123456789abcdef').sign({ userId: s.user.id, email: s.user.email });
    // an account access token signed with the same secret is no verification token
    const access = await accessTokens(SECRET).sign({ userId: s.user.id, email: s.user.email, role: 'fan' });
    const flipped = real.slice(0, -3) + (real.endsWith('AAA') ? 'BBB' : 'AAA');
    for (const token of [swapped, forgedKey, access, flipped]) {
      const res = await post('/v1/auth/verify-email', { token });
      expect(res.status, token).toBe(400);
      expect(await problemCode(res)).toBe('verification_link_invalid');
    }
    for (const body of [{}, { token: 'not-a-token' }, { token: real, extra: 1 }, { token: 42 }]) {
      const res = await post('/v1/auth/verify-email', body);
      expect(res.status, JSON.stringify(body).slice(0, 60)).toBe(422);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(await problemCode(res)).toBe('validation_failed');
    }
    expect(await verifiedAt(s.user.id)).toBeNull();
    expect(await verifiedAt(other.user.id)).toBeNull();
    // the real one still works afterwards
    expect((await post('/v1/auth/verify-email', { token: real })).status).toBe(200);
  });

  it('a link for an old address cannot verify a new one, and a pending mail to the old one is dropped', async () => {
    const old = newEmail();
    const s = await register(old);
    const token = await mailedToken(old);
    const changed = newEmail();
    await h.db.pool.query('UPDATE users SET email = $2 WHERE id = $1', [s.user.id, changed]); // e.g. support changed it
    const guestOfNew = await guestOrder(changed);

    const res = await post('/v1/auth/verify-email', { token });
    expect(res.status).toBe(422);
    expect(await problemCode(res)).toBe('verification_email_mismatch');
    expect(await verifiedAt(s.user.id)).toBeNull();
    expect(await myOrderIds(s.accessToken)).toEqual([]);
    expect(guestOfNew).toBeTruthy();

    const recorded = createMailTransport(undefined, h.ctx.config.mail.from, createLogger('silent'));
    expect(await sendVerificationMail(h.services, recorded, uniqueId('job-'), { kind: 'email-verification', userId: s.user.id, email: old })).toBe('skipped');
    // a mail for the current address, recorded only (SMTP_URL unset): the stored copy is the delivery, link included
    const jobId = uniqueId('job-');
    expect(await sendVerificationMail(h.services, recorded, jobId, { kind: 'email-verification', userId: s.user.id, email: changed })).toBe('recorded');
    expect(await sendVerificationMail(h.services, recorded, jobId, { kind: 'email-verification', userId: s.user.id, email: changed })).toBe('already_sent');
    const body = (await h.db.pool.query('SELECT body, transport FROM account_mails WHERE job_id = $1', [jobId])).rows[0];
    expect(body.transport).toBe('recorded');
    const fresh = /#token=([A-Za-z0-9._-]+)/.exec(body.body)![1]!;
    expect((await post('/v1/auth/verify-email', { token: fresh })).status).toBe(200);
    expect(await myOrderIds(s.accessToken)).toEqual([guestOfNew]);
  });
});

describe('asking for the link again', () => {
  it('mails a new link, at most once per cooldown and a few times per window (429 with Retry-After)', async () => {
    const email = newEmail();
    const s = await register(email);
    const resend = () => h.app.request('/v1/me/verification-email', { method: 'POST', headers: bearer(s.accessToken) });
    // the cooldown running out, without waiting for it
    const cooldownPasses = () => h.ctx.redis.del(`usher:auth:verify-mail:{${s.user.id}}:cooldown`);

    // the registration mail counts: right away, it is too soon
    const soon = await resend();
    expect(soon.status).toBe(429);
    expect(Number(soon.headers.get('retry-after'))).toBeGreaterThan(20);
    expect(Number(soon.headers.get('retry-after'))).toBeLessThanOrEqual(30);
    await cooldownPasses();
    const second = await resend();
    expect(second.status).toBe(202);
    expect(await second.json()).toEqual({ status: 'queued', email });
    expect((await resend()).status).toBe(429);
    await cooldownPasses();
    expect((await resend()).status).toBe(202);
    await cooldownPasses();
    // three in the window (registration + two): the fourth waits for the window, not the cooldown
    const capped = await resend();
    expect(capped.status).toBe(429);
    expect(await problemCode(capped)).toBe('too_many_verification_emails');
    expect(Number(capped.headers.get('retry-after'))).toBeGreaterThan(3000);
    expect(Number((await resend()).headers.get('retry-after'))).toBeGreaterThan(3000);

    // each mail carries a working link; the latest verifies
    const third = await mailedToken(email, 3);
    expect((await post('/v1/auth/verify-email', { token: third })).status).toBe(200);
    expect(Number((await h.db.pool.query('SELECT count(*) AS n FROM account_mails WHERE user_id = $1', [s.user.id])).rows[0].n)).toBe(3);
    // verified: nothing to resend
    const done = await resend();
    expect(done.status).toBe(409);
    expect((await h.app.request('/v1/me/verification-email', { method: 'POST' })).status).toBe(401);
  });

  it('by default allows one mail a minute and five a day per account', async () => {
    const limiter = createVerificationMailLimiter(h.ctx.redis, DEFAULT_VERIFICATION_MAIL_LIMITS, `usher:test:${uniqueId('vl')}`);
    const user = randomUUID();
    expect(await limiter.take(user)).toBe(0);
    const wait = await limiter.take(user);
    expect(wait).toBeGreaterThan(55);
    expect(wait).toBeLessThanOrEqual(60);
    expect(await limiter.take(randomUUID())).toBe(0); // per account
  });
});

describe('operator-created accounts and the API document', () => {
  it('admin:create makes a verified account; no link is needed', async () => {
    const email = `${uniqueId('boss')}@usher.local`;
    const { id } = await createAdmin(h.ctx.pg, email, 'admin password 123');
    expect(await verifiedAt(id)).toBeInstanceOf(Date);
    const login = (await (await post('/v1/auth/login', { email, password: 'admin password 123' })).json()) as Session;
    expect(login.user).toMatchObject({ role: 'admin', emailVerified: true });
  });

  it('documents the verification routes in /openapi.json', async () => {
    const doc = (await (await h.app.request('/openapi.json')).json()) as { paths: Record<string, Record<string, { responses: Record<string, unknown>; security?: unknown }>> };
    expect(Object.keys(doc.paths['/v1/auth/verify-email']!.post!.responses)).toEqual(expect.arrayContaining(['200', '400', '409', '410', '422']));
    expect(doc.paths['/v1/me/verification-email']!.post!.security).toEqual([{ account: [] }]);
    expect(Object.keys(doc.paths['/v1/me/verification-email']!.post!.responses)).toEqual(expect.arrayContaining(['202', '409', '429']));
    expect(doc.paths['/v1/me']!.get).toBeDefined();
  });
});
