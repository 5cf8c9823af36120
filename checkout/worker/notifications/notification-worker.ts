/**
 * Sends the order e-mails, and the confirmation and reminder by SMS to fans who opted in
 * (order-sms.ts). Each (order, kind) is mailed at most once: the `notifications` row
 * (UNIQUE (order_id, kind)) is inserted only after a successful send, and a job that finds it
 * already there mails nothing (the SMS has its own row, so a retry for a failed text re-mails
 * nothing). A reminder for a cancelled order is dropped, not sent.
 */
import { Worker } from 'bullmq';
import { connectRedis } from '../../../common/redis-connection.js';
import { closeWorker } from '../close-worker.js';
import type { CheckoutServices } from '../../checkout-services.js';
import { readOrder, type OrderView } from '../../orders/order-view.js';
import { createMailTransport, type MailTransport } from './mail-transport.js';
import { NOTIFICATION_QUEUE, type NotificationJobData, type RemindersMovedJobData } from './notification-queue.js';
import { moveEventReminders } from './reminder-moves.js';
import { orderMail } from './order-mail.js';
import { sendVerificationMail, type VerificationMailJobData } from './verification-mail.js';
import { sendAccountMail, type AccountMailJobData } from './account-mail.js';
import { workerTimings } from '../worker-options.js';
import { counter } from '../../../common/metrics.js';
import { sendOrderSms } from './order-sms.js';
import { createSmsTransport, type SmsTransport } from './sms-transport.js';

export type NotificationOutcome = 'sent' | 'recorded' | 'already_sent' | 'skipped' | 'moved';

const smsOutcomes = counter('usher_sms_total', 'order texts by outcome', ['kind', 'outcome']);

export async function sendNotification(deps: CheckoutServices, mail: MailTransport, data: NotificationJobData, sms?: SmsTransport): Promise<NotificationOutcome> {
  const { pg } = deps.ctx;
  // side by side: a repeat (already sent) is the rare case
  const [done, order] = await Promise.all([
    pg.query({ name: 'usher-notification-sent', text: 'SELECT 1 FROM notifications WHERE order_id = $1 AND kind = $2', values: [data.orderId, data.kind] }),
    readOrder(pg, data.orderId),
  ]);
  if (!order || !order.event) return done.rowCount === 1 ? 'already_sent' : 'skipped';
  if (data.kind !== 'cancellation' && order.status !== 'confirmed') return done.rowCount === 1 ? 'already_sent' : 'skipped';
  const url = `${deps.ctx.config.http.publicApiUrl}/orders/${encodeURIComponent(order.orderId)}#token=${await deps.orderTokens.sign(order.orderId)}`;
  // the e-mail first: an SMS outage (the job retries) must not hold the tickets back
  const mailed = done.rowCount === 1 ? 'already_sent' : await sendMail(deps, mail, data, order, url);
  if (sms) smsOutcomes.inc({ kind: data.kind, outcome: await sendOrderSms(pg, sms, data.kind, order, url) });
  return mailed;
}

async function sendMail(deps: CheckoutServices, mail: MailTransport, data: NotificationJobData, order: OrderView, url: string): Promise<NotificationOutcome> {
  const { pg } = deps.ctx;
  const message = await orderMail(data.kind, order, url, mail.kind === 'smtp');
  await mail.send(message);
  await pg.query({
    name: 'usher-notification-record',
    text: `INSERT INTO notifications (order_id, kind, recipient, subject, body, transport) VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (order_id, kind) DO NOTHING`,
    values: [order.orderId, data.kind, message.to, message.subject, message.text, mail.kind],
  });
  return mail.kind === 'smtp' ? 'sent' : 'recorded';
}

export function startNotificationWorker(deps: CheckoutServices, options: { mail?: MailTransport; sms?: SmsTransport } = {}): { close(): Promise<void> } {
  const { config } = deps.ctx;
  const log = deps.ctx.log.child({ worker: NOTIFICATION_QUEUE });
  const mail = options.mail ?? createMailTransport(config.mail.smtpUrl, config.mail.from, log);
  const sms = options.sms ?? createSmsTransport(config.sms, log);
  const connection = connectRedis(config, { maxRetriesPerRequest: null, connectionName: 'usher-notification-worker' });
  // the same queue carries the account e-mails (verification-mail.ts, account-mail.ts) and the moves of reminders
  const worker = new Worker<NotificationJobData | VerificationMailJobData | AccountMailJobData | RemindersMovedJobData, NotificationOutcome>(NOTIFICATION_QUEUE, async (job) => {
    const { data } = job;
    if (data.kind === 'email-verification') return sendVerificationMail(deps, mail, String(job.id), data);
    if (data.kind === 'email-change' || data.kind === 'password-reset') return sendAccountMail(deps, mail, String(job.id), data);
    if (data.kind === 'reminders-moved') return (await moveEventReminders(deps, data.eventId), 'moved');
    return sendNotification(deps, mail, data, sms);
  }, {
    ...workerTimings, connection, prefix: config.worker.bullmqPrefix, concurrency: 4,
  });
  worker.on('failed', (job, err) => log.warn({ jobId: job?.id, err: err.message }, 'notification attempt failed'));
  worker.on('error', (err) => log.warn({ err: err.message }, 'notification worker error'));
  return {
    async close() {
      await closeWorker(worker, connection);
      if (!options.mail) mail.close();
    },
  };
}
