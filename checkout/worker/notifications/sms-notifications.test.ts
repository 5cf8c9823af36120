/**
 * Order texts through the real twilio SDK against a local stand-in of its Messages endpoint:
 * the confirmation (from the worker, after a real purchase) and the reminder go to accounts that
 * opted in, once each; STOP (signed Twilio webhook) and the account setting are honoured; a
 * Twilio outage is retried without a second e-mail; Twilio's own "unsubscribed" answer is remembered.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../common/logger.js';
import { loadConfig } from '../../../common/config.js';
import { checkoutWorld, type CheckoutWorld } from '../../../test/support/checkout-harness.js';
import { orderStatusOf, until } from '../../../test/support/checkout-flow.js';
import { startTwilioStandIn, type TwilioStandIn } from '../../../test/support/twilio-stand-in.js';
import { checkoutFeatures } from '../../api/routes.js';
import { smsRoutes } from '../../accounts/sms-routes.js';
import { startCommitWorker, type RunningWorker } from '../commit/commit-worker.js';
import { createMailTransport } from './mail-transport.js';
import { sendNotification, startNotificationWorker } from './notification-worker.js';
import { createSmsTransport } from './sms-transport.js';

let w: CheckoutWorld;
let tw: TwilioStandIn;
let commits: RunningWorker;
let notifier: { close(): Promise<void> };
const silent = createLogger('silent');

beforeAll(async () => {
  tw = await startTwilioStandIn();
  w = await checkoutWorld({ gateway: 'demo', env: tw.env, features: [...checkoutFeatures, smsRoutes] });
  commits = startCommitWorker(w.deps, { concurrency: 2 });
  notifier = startNotificationWorker(w.deps);
});
afterAll(async () => {
  await notifier.close();
  await commits.close();
  await w.close();
  await tw.close();
});

let phoneSeq = 0;
async function account(opts: { phone?: boolean; optIn?: boolean } = {}): Promise<{ userId: string; token: string; phone: string }> {
  const phone = `+1555${String(Date.now() % 1_000_000).padStart(6, '0')}${++phoneSeq}`.slice(0, 15);
  const email = `sms-${phoneSeq}-${Date.now()}@example.com`;
  const { rows: [u] } = await w.ctx.pg.query<{ id: string }>('INSERT INTO users (email, phone) VALUES ($1, $2) RETURNING id', [email, opts.phone === false ? null : phone]);
  const token = await w.deps.accessTokens.sign({ userId: u!.id, email, role: 'fan' });
  if (opts.optIn) expect((await w.json('PUT', '/v1/me/sms', { token, body: { optIn: true } })).status).toBe(200);
  return { userId: u!.id, token, phone };
}

async function buy(accountToken?: string): Promise<string> {
  const pass = await w.admit();
  const held = await w.json('POST', `/v1/sales/${w.sale.saleId}/holds`, { token: pass.token, body: { kind: 'best', sectionId: w.sale.sectionIds['Block A'], quantity: 1 } });
  const co = await w.json('POST', `/v1/holds/${held.body.holdId}/checkout`, {
    token: pass.token, body: { email: 'sms-fan@example.com' }, headers: accountToken ? { 'x-usher-account': accountToken } : {},
  });
  expect(co.status, JSON.stringify(co.body)).toBe(200);
  expect((await w.json('POST', `/v1/holds/${held.body.holdId}/demo-pay`, { token: pass.token })).status).toBe(202);
  await until('order confirmed', async () => (await orderStatusOf(w, held.body.holdId)) === 'confirmed');
  return held.body.holdId;
}

const textsTo = (phone: string) => tw.sent.filter((m) => m.to === phone);
const mailed = async (orderId: string) => (await w.ctx.pg.query('SELECT kind FROM notifications WHERE order_id = $1', [orderId])).rows.map((r) => r.kind);

describe('order texts', () => {
  it('texts the confirmation once to an opted-in account, from the configured number, with the order number and link', async () => {
    const fan = await account({ optIn: true });
    const orderId = await buy(fan.token);
    const [sms] = await until('confirmation text', async () => (textsTo(fan.phone).length ? textsTo(fan.phone) : undefined));
    expect(sms!.from).toBe(tw.env.TWILIO_FROM_NUMBER);
    const { rows: [order] } = await w.ctx.pg.query<{ number: string }>('SELECT number FROM orders WHERE id = $1', [orderId]);
    expect(sms!.body).toContain(`Order ${order!.number}`);
    expect(sms!.body).toContain('1 ticket confirmed');
    expect(sms!.body).toContain('Reply STOP');
    const row = await until('sms recorded', async () => (await w.ctx.pg.query('SELECT kind, provider_sid FROM sms_messages WHERE order_id = $1', [orderId])).rows[0]);
    expect(row).toEqual({ kind: 'confirmation', provider_sid: sms!.sid });
    // a repeated job texts nothing more (and mails nothing more)
    const mail = createMailTransport(undefined, w.config.mail.from, silent);
    const sms2 = createSmsTransport(w.config.sms, silent);
    expect(await sendNotification(w.deps, mail, { orderId, kind: 'confirmation' }, sms2)).toBe('already_sent');
    expect(textsTo(fan.phone)).toHaveLength(1);
    // the reminder, when its job runs, texts too; once
    await sendNotification(w.deps, mail, { orderId, kind: 'reminder' }, sms2);
    await sendNotification(w.deps, mail, { orderId, kind: 'reminder' }, sms2);
    expect(textsTo(fan.phone).map((m) => m.body.startsWith('Usher reminder:'))).toEqual([false, true]);
  });

  it('texts nobody who did not opt in: a guest, an account without opt-in; opting in needs a phone (409)', async () => {
    const before = tw.sent.length;
    const quiet = await account();
    const noPhone = await account({ phone: false });
    const refused = await w.json('PUT', '/v1/me/sms', { token: noPhone.token, body: { optIn: true } });
    expect([refused.status, refused.body.code]).toEqual([409, 'phone_required']);
    const guestOrder = await buy();
    const quietOrder = await buy(quiet.token);
    await until('both confirmations mailed', async () => (await mailed(guestOrder)).length + (await mailed(quietOrder)).length === 2);
    expect(tw.sent.length).toBe(before);
    expect((await w.json('GET', '/v1/me/sms', { token: quiet.token })).body).toEqual({ optIn: false, phone: quiet.phone, stoppedByReply: false, available: true });
  });

  it('the account setting turns texts off again', async () => {
    const fan = await account({ optIn: true });
    expect((await w.json('PUT', '/v1/me/sms', { token: fan.token, body: { optIn: false } })).body.optIn).toBe(false);
    const orderId = await buy(fan.token);
    await until('confirmation mailed', async () => (await mailed(orderId)).length === 1);
    expect(textsTo(fan.phone)).toHaveLength(0);
  });
});

describe('STOP', () => {
  const hook = () => `${w.config.http.publicApiUrl}/v1/webhooks/twilio/sms`;

  it('refuses an unsigned or forged webhook and changes nothing', async () => {
    const fan = await account({ optIn: true });
    const msg = tw.incoming(hook(), fan.phone, 'STOP');
    const forged = await w.json('POST', '/v1/webhooks/twilio/sms', { body: msg.body.replace('STOP', 'STOPALL'), headers: msg.headers });
    expect([forged.status, forged.body.code]).toEqual([403, 'webhook_signature']);
    const unsigned = await w.json('POST', '/v1/webhooks/twilio/sms', { body: msg.body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(unsigned.status).toBe(400);
    expect((await w.ctx.pg.query('SELECT 1 FROM sms_opt_outs WHERE phone = $1', [fan.phone])).rowCount).toBe(0);
  });

  it('a signed STOP reply stops every text to that number whatever the account says; START resumes them', async () => {
    const fan = await account({ optIn: true });
    const stop = tw.incoming(hook(), fan.phone, ' stop ');
    const answer = await w.app.request('/v1/webhooks/twilio/sms', { method: 'POST', body: stop.body, headers: stop.headers });
    expect(answer.status).toBe(204);
    // delivered twice (Twilio retries): still one opt-out
    await w.json('POST', '/v1/webhooks/twilio/sms', { body: stop.body, headers: stop.headers });
    expect((await w.json('GET', '/v1/me/sms', { token: fan.token })).body).toMatchObject({ optIn: true, stoppedByReply: true });
    const stoppedOrder = await buy(fan.token);
    await until('confirmation mailed', async () => (await mailed(stoppedOrder)).length === 1);
    expect(textsTo(fan.phone)).toHaveLength(0);

    const start = tw.incoming(hook(), fan.phone, 'START');
    expect((await w.json('POST', '/v1/webhooks/twilio/sms', { body: start.body, headers: start.headers })).status).toBe(204);
    await buy(fan.token);
    await until('text after START', async () => textsTo(fan.phone).length === 1);
  });

  it('Twilio\'s own "unsubscribed recipient" (21610) is remembered as an opt-out, not retried', async () => {
    const fan = await account({ optIn: true });
    tw.stopped.add(fan.phone);
    const orderId = await buy(fan.token);
    await until('opt-out remembered', async () => (await w.ctx.pg.query('SELECT source FROM sms_opt_outs WHERE phone = $1', [fan.phone])).rows[0]?.source === 'stop_reply');
    expect((await w.ctx.pg.query('SELECT 1 FROM sms_messages WHERE order_id = $1', [orderId])).rowCount).toBe(0);
  });
});

describe('faults and config', () => {
  it('Twilio down (500s): the job retries, the text goes out once and the e-mail is not sent twice', async () => {
    const fan = await account({ optIn: true });
    tw.failNext(2); // Twilio's SDK retries only 429s: each 500 fails the job, which BullMQ retries with backoff
    const orderId = await buy(fan.token);
    await until('text after the outage', async () => textsTo(fan.phone).length === 1, 30_000);
    expect(await mailed(orderId)).toEqual(['confirmation']);
    expect((await w.ctx.pg.query('SELECT count(*)::int AS n FROM sms_messages WHERE order_id = $1', [orderId])).rows[0].n).toBe(1);
  });

  it('SMS is off unless the SID, token and sender are all set; the token is a secret', () => {
    expect(loadConfig({}).sms.enabled).toBe(false);
    expect(() => loadConfig({ TWILIO_ACCOUNT_SID: 'AC1' })).toThrow(/set all three/);
    expect(() => loadConfig({ ...tw.env, TWILIO_FROM_NUMBER: '12345' })).toThrow(/TWILIO_FROM_NUMBER/);
    expect(loadConfig(tw.env).sms).toMatchObject({ enabled: true, from: tw.env.TWILIO_FROM_NUMBER });
    let message = '';
    try { loadConfig({ ...tw.env, TWILIO_AUTH_TOKEN: 'hunter2-secret', TWILIO_FROM_NUMBER: 'x' }); } catch (err) { message = String(err); }
    expect(message).not.toContain('hunter2-secret');
  });
});
