/**
 * Order e-mails through a real local SMTP server (npm smtp-server): the confirmation with a QR
 * code per ticket after a demo-gateway purchase, the delayed reminder removed on cancellation and
 * moved with the event's start, and "recorded" delivery when SMTP_URL is unset.
 */
import { startSmtpInbox, type SmtpInbox } from '../../../test/support/smtp-inbox.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../common/logger.js';
import { checkoutWorld, type CheckoutWorld } from '../../../test/support/checkout-harness.js';
import { orderStatusOf, until } from '../../../test/support/checkout-flow.js';
import { adminToken, call } from '../../../test/support/admin-test-kit.js';
import { adminRoutes } from '../../admin/admin-module.js';
import { createApiApp } from '../../api/app.js';
import { startCommitWorker, type RunningWorker } from '../commit/commit-worker.js';
import { createMailTransport } from './mail-transport.js';
import { notificationJobId } from './notification-queue.js';
import { sendNotification, startNotificationWorker } from './notification-worker.js';

let w: CheckoutWorld;
let smtp: SmtpInbox;
let commits: RunningWorker;
let mails: { close(): Promise<void> };

beforeAll(async () => {
  smtp = await startSmtpInbox();
  const port = smtp.port;
  w = await checkoutWorld({ gateway: 'demo', env: { SMTP_URL: `smtp://127.0.0.1:${port}`, REMINDER_BEFORE_S: '3600' } });
  commits = startCommitWorker(w.deps, { concurrency: 2 });
  mails = startNotificationWorker(w.deps);
});
afterAll(async () => {
  await mails.close();
  await commits.close();
  await w.close();
  await smtp.close();
});

/** Undoes quoted-printable soft line breaks so ids can be searched in the raw message. */
const unfold = (raw: string) => raw.replace(/=\r?\n/g, '').replace(/=3D/g, '=');

async function buyWithDemo(): Promise<{ holdId: string; token: string }> {
  const pass = await w.admit();
  const held = await w.json('POST', `/v1/sales/${w.sale.saleId}/holds`, { token: pass.token, body: { kind: 'best', sectionId: w.sale.sectionIds['Block A'], quantity: 2 } });
  const co = await w.json('POST', `/v1/holds/${held.body.holdId}/checkout`, { token: pass.token, body: { email: 'mail-fan@example.com' } });
  expect(co.body).toMatchObject({ gateway: 'demo', demo: true });
  const paid = await w.json('POST', `/v1/holds/${held.body.holdId}/demo-pay`, { token: pass.token });
  expect(paid.status).toBe(202);
  expect(paid.body).toMatchObject({ holdId: held.body.holdId, status: 'processing' });
  await until('order confirmed', async () => (await orderStatusOf(w, held.body.holdId)) === 'confirmed');
  return { holdId: held.body.holdId, token: co.body.orderToken };
}

describe('order e-mails', () => {
  it('mails the confirmation with a QR code per ticket, once, and schedules the reminder', async () => {
    const { holdId } = await buyWithDemo();
    const mail = await until('confirmation mail', async () => smtp.inbox.find((m) => unfold(m.raw).includes(holdId) && m.raw.includes('Your tickets')));
    expect(mail.to).toBe('mail-fan@example.com');
    expect(mail.raw.match(/Content-Type: image\/png/g)).toHaveLength(2);
    // the order number people quote, in the subject and the text; no seconds in the event's time
    const { rows: [order] } = await w.ctx.pg.query<{ number: string }>('SELECT number FROM orders WHERE id = $1', [holdId]);
    expect(order!.number).toMatch(/^USH-[0-9A-HJKMNP-TV-Z]{6}$/);
    expect(unfold(mail.raw)).toContain(`(order ${order!.number})`);
    expect(unfold(mail.raw)).toContain(`Order ${order!.number}:`);
    expect(unfold(mail.raw)).not.toMatch(/\d\d:\d\d:\d\d GMT/);
    // the row is written right after the send: the message may reach the inbox first
    const rows = await until('notification recorded', async () => {
      const r = await w.ctx.pg.query(`SELECT kind, transport FROM notifications WHERE order_id = $1`, [holdId]);
      return r.rowCount ? r : undefined;
    });
    expect(rows.rows).toEqual([{ kind: 'confirmation', transport: 'smtp' }]);
    const reminder = await w.deps.notifications.queue.getJob(notificationJobId('reminder', holdId));
    expect(await reminder?.getState()).toBe('delayed');
    // a repeated job sends nothing more
    const mailer = createMailTransport(w.config.mail.smtpUrl, w.config.mail.from, createLogger('silent'));
    expect(await sendNotification(w.deps, mailer, { orderId: holdId, kind: 'confirmation' })).toBe('already_sent');
    mailer.close();
  });

  it('removes the reminder and mails the cancellation when the order is cancelled', async () => {
    const { holdId, token } = await buyWithDemo();
    const cancelled = await w.json('POST', `/v1/orders/${holdId}/cancel`, { token });
    expect(cancelled.body).toMatchObject({ status: 'cancelled', refundMinor: 24000 });
    expect(await w.deps.notifications.queue.getJob(notificationJobId('reminder', holdId))).toBeUndefined();
    const mail = await until('cancellation mail', async () => smtp.inbox.find((m) => unfold(m.raw).includes(holdId) && m.raw.includes('Cancelled')));
    const { rows: [order] } = await w.ctx.pg.query<{ number: string }>('SELECT number FROM orders WHERE id = $1', [holdId]);
    expect(unfold(mail.raw)).toContain(`Your order ${order!.number} for`);
  });

  it('moves the pending reminder when the admin API moves the event, and sends it at once inside the window', async () => {
    const { holdId } = await buyWithDemo();
    const { queue } = w.deps.notifications;
    const redis = await queue.client;
    // BullMQ scores a delayed job by its due time in ms times 4096 (plus a counter)
    const dueAt = async () => {
      const score = await redis.zscore(queue.keys.delayed!, notificationJobId('reminder', holdId));
      return score === null ? null : Math.floor(Number(score) / 4096);
    };
    expect(await dueAt()).not.toBeNull();
    const admin = await createApiApp(w.deps, [adminRoutes]);
    const token = await adminToken(w.deps);
    const move = async (startsAtMs: number) => {
      const res = await call(admin, token, 'PATCH', `/v1/admin/events/${w.sale.eventId}`, { startsAt: new Date(startsAtMs).toISOString() });
      expect(res.status).toBe(200);
    };
    const later = Math.round((Date.now() + 5 * 3600_000) / 1000) * 1000;
    await move(later);
    // REMINDER_BEFORE_S is 3600 here
    await until('reminder moved', async () => Math.abs(((await dueAt()) ?? 0) - (later - 3600_000)) < 1000);
    await move(Date.now() + 1800_000);
    await until('reminder mail', async () => smtp.inbox.find((m) => unfold(m.raw).includes(holdId) && m.raw.includes('Soon:')));
  });

  it('records and logs the mail when SMTP_URL is unset', async () => {
    const { holdId } = await buyWithDemo();
    await w.ctx.pg.query('DELETE FROM notifications WHERE order_id = $1', [holdId]);
    const recorded = createMailTransport(undefined, w.config.mail.from, createLogger('silent'));
    expect(await sendNotification(w.deps, recorded, { orderId: holdId, kind: 'confirmation' })).toBe('recorded');
    const rows = await w.ctx.pg.query(`SELECT transport, recipient FROM notifications WHERE order_id = $1`, [holdId]);
    expect(rows.rows).toEqual([{ transport: 'recorded', recipient: 'mail-fan@example.com' }]);
  });
});
