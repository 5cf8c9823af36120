/**
 * Order e-mails through a real local SMTP server (npm smtp-server): the confirmation with a QR
 * code per ticket after a demo-gateway purchase, the reminder queued by the sweep once the event is
 * near (never for a cancelled order, following a moved start, at most once), one mail per order
 * when a batch's job and a re-run's job race, and "recorded" delivery when SMTP_URL is unset.
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
import { sendNotification, sendNotifications, startNotificationWorker } from './notification-worker.js';
import { queueDueReminders } from './reminder-sweep.js';
import type { MailTransport, OutgoingMail } from './mail-transport.js';

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

/** The sweep's clock when the event is `offsetMs` past its reminder time (REMINDER_BEFORE_S is 3600 here). */
async function reminderTime(offsetMs: number): Promise<number> {
  const { rows: [ev] } = await w.ctx.pg.query<{ starts_at: Date }>('SELECT starts_at FROM events WHERE id = $1', [w.sale.eventId]);
  return ev!.starts_at.getTime() - 3600_000 + offsetMs;
}

const remindersOf = (holdId: string) => w.ctx.pg.query(`SELECT 1 FROM notifications WHERE order_id = $1 AND kind = 'reminder'`, [holdId]);

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
  it('mails the confirmation with a QR code per ticket, once, and the reminder once when the event is near', async () => {
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
    // no reminder job at commit; the sweep queues it at the reminder time, not a minute before
    expect(await w.deps.notifications.queue.getJob(notificationJobId('reminder', holdId))).toBeUndefined();
    expect(await queueDueReminders(w.deps, { nowMs: await reminderTime(-60_000) })).not.toContain(holdId);
    expect(await queueDueReminders(w.deps, { nowMs: await reminderTime(1000) })).toContain(holdId);
    await until('reminder mail', async () => smtp.inbox.find((m) => unfold(m.raw).includes(holdId) && m.raw.includes('Soon:')));
    await until('reminder recorded', async () => (await remindersOf(holdId)).rowCount === 1);
    // a later sweep queues nothing more for it
    expect(await queueDueReminders(w.deps, { nowMs: await reminderTime(120_000) })).not.toContain(holdId);
    expect(smtp.inbox.filter((m) => unfold(m.raw).includes(holdId) && m.raw.includes('Soon:'))).toHaveLength(1);
    // a repeated job sends nothing more
    const mailer = createMailTransport(w.config.mail.smtpUrl, w.config.mail.from, createLogger('silent'));
    expect(await sendNotification(w.deps, mailer, { orderId: holdId, kind: 'confirmation' })).toBe('already_sent');
    mailer.close();
  });

  it('sends no reminder for a cancelled order and mails the cancellation', async () => {
    const { holdId, token } = await buyWithDemo();
    const cancelled = await w.json('POST', `/v1/orders/${holdId}/cancel`, { token });
    expect(cancelled.body).toMatchObject({ status: 'cancelled', refundMinor: 24000 });
    expect(await w.deps.notifications.queue.getJob(notificationJobId('reminder', holdId))).toBeUndefined();
    expect(await queueDueReminders(w.deps, { nowMs: await reminderTime(1000) })).not.toContain(holdId);
    const mail = await until('cancellation mail', async () => smtp.inbox.find((m) => unfold(m.raw).includes(holdId) && m.raw.includes('Cancelled')));
    const { rows: [order] } = await w.ctx.pg.query<{ number: string }>('SELECT number FROM orders WHERE id = $1', [holdId]);
    expect(unfold(mail.raw)).toContain(`Your order ${order!.number} for`);
  });

  it('follows the event when the admin API moves it, and sends the reminder at once when moved inside the window', async () => {
    const { holdId } = await buyWithDemo();
    const admin = await createApiApp(w.deps, [adminRoutes]);
    const token = await adminToken(w.deps);
    const moved = async (startsAtMs: number) => {
      const res = await call(admin, token, 'PATCH', `/v1/admin/events/${w.sale.eventId}`, { startsAt: new Date(startsAtMs).toISOString() });
      expect(res.status).toBe(200);
      // the move's own sweep has run
      await until('move swept', async () => (await w.deps.notifications.queue.getJobs(['waiting', 'active', 'delayed'])).every((j) => j.name !== 'reminders-moved'));
    };
    const later = Math.round((Date.now() + 5 * 3600_000) / 1000) * 1000;
    await moved(later);
    // due an hour before the new start (REMINDER_BEFORE_S is 3600 here), not before, and not sent yet
    expect(await queueDueReminders(w.deps, { eventId: w.sale.eventId, nowMs: later - 3600_000 - 60_000 })).not.toContain(holdId);
    expect(await w.deps.notifications.queue.getJob(notificationJobId('reminder', holdId))).toBeUndefined();
    await moved(Date.now() + 1800_000);
    await until('reminder mail', async () => smtp.inbox.find((m) => unfold(m.raw).includes(holdId) && m.raw.includes('Soon:')));
    await until('reminder recorded', async () => (await remindersOf(holdId)).rowCount === 1);
    // moved again: no second reminder
    await moved(Date.now() + 1200_000);
    expect(await queueDueReminders(w.deps, { eventId: w.sale.eventId })).not.toContain(holdId);
    expect(smtp.inbox.filter((m) => unfold(m.raw).includes(holdId) && m.raw.includes('Soon:'))).toHaveLength(1);
  });

  it('mails each order once when a batch\'s confirmations and a re-run\'s race', async () => {
    const a = await buyWithDemo();
    const b = await buyWithDemo();
    await until('confirmations recorded', async () =>
      (await w.ctx.pg.query(`SELECT 1 FROM notifications WHERE order_id = ANY($1) AND kind = 'confirmation'`, [[a.holdId, b.holdId]])).rowCount === 2);
    await w.ctx.pg.query(`DELETE FROM notifications WHERE order_id = ANY($1) AND kind = 'confirmation'`, [[a.holdId, b.holdId]]);
    const sent: OutgoingMail[] = [];
    // a slow transport: both jobs are between their check and their record at the same time
    const slow: MailTransport = { kind: 'recorded', send: async (m) => { await new Promise((r) => setTimeout(r, 200)); sent.push(m); }, close() {} };
    const [batch, rerun] = await Promise.all([
      sendNotifications(w.deps, slow, 'confirmation', [a.holdId, b.holdId]),
      sendNotification(w.deps, slow, { orderId: a.holdId, kind: 'confirmation' }),
    ]);
    expect(sent).toHaveLength(2);
    expect([batch.get(a.holdId), rerun].sort()).toEqual(['already_sent', 'recorded']);
    expect(batch.get(b.holdId)).toBe('recorded');
  });

  it('records and logs the mail when SMTP_URL is unset', async () => {
    const { holdId } = await buyWithDemo();
    // the worker's own confirmation first (else it may record its mail after the delete)
    await until('confirmation recorded', async () => (await w.ctx.pg.query(`SELECT 1 FROM notifications WHERE order_id = $1`, [holdId])).rowCount === 1);
    await w.ctx.pg.query('DELETE FROM notifications WHERE order_id = $1', [holdId]);
    const recorded = createMailTransport(undefined, w.config.mail.from, createLogger('silent'));
    expect(await sendNotification(w.deps, recorded, { orderId: holdId, kind: 'confirmation' })).toBe('recorded');
    const rows = await w.ctx.pg.query(`SELECT transport, recipient FROM notifications WHERE order_id = $1`, [holdId]);
    expect(rows.rows).toEqual([{ transport: 'recorded', recipient: 'mail-fan@example.com' }]);
  });
});
