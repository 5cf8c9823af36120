/**
 * Sends the order e-mails, and the confirmation and reminder by SMS to fans who opted in
 * (order-sms.ts). Each (order, kind) is mailed at most once: the `notifications` row
 * (UNIQUE (order_id, kind)) is written only after a successful send, and a job that finds it
 * already there mails nothing (the SMS has its own row, so a retry for a failed text re-mails
 * nothing). Two jobs for the same mail (a commit batch's confirmations and a re-run's) take the
 * same (order, kind) advisory lock, held until the rows are committed: the second one waits, then
 * finds the row. A reminder for a cancelled order is dropped, not sent.
 * A batch (the confirmations of one group commit) reads its orders in one statement and records
 * its mails in one insert and one commit; a crash between the sends and that commit repeats the
 * batch's mails on the retry (as a crash between one send and its row did for one mail).
 */
import { Worker } from 'bullmq';
import { connectRedis } from '../../../common/redis-connection.js';
import { inTransaction } from '../../../common/postgres-pool.js';
import { closeWorker } from '../close-worker.js';
import type { CheckoutServices } from '../../checkout-services.js';
import { readOrders } from '../../orders/order-view.js';
import { createMailTransport, type MailTransport, type OutgoingMail } from './mail-transport.js';
import { NOTIFICATION_QUEUE, type NotificationKind, type NotificationQueueJobData, type NotificationJobData } from './notification-queue.js';
import { queueDueReminders } from './reminder-sweep.js';
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
  return (await sendNotifications(deps, mail, data.kind, [data.orderId], sms)).get(data.orderId)!;
}

/**
 * One kind of mail to several orders. Each order settles on its own (one failed send does not stop
 * the others); when any failed, the mails that went out are still recorded and then the first
 * error is thrown, so the job's retry sends only the rest.
 */
export async function sendNotifications(
  deps: CheckoutServices, mail: MailTransport, kind: NotificationKind, orderIds: string[], sms?: SmsTransport,
): Promise<Map<string, NotificationOutcome>> {
  const { pg } = deps.ctx;
  const ids = [...new Set(orderIds)].sort();
  const outcomes = new Map<string, NotificationOutcome>();
  const failures: unknown[] = [];
  await inTransaction(pg, async (client) => {
    // one job at a time per (order, kind), in one order (no deadlock); released at COMMIT, when the rows are visible
    await client.query({
      name: 'usher-notification-locks',
      text: 'SELECT count(pg_advisory_xact_lock(h)) FROM (SELECT hashtextextended($1 || \':\' || id, 0) AS h FROM unnest($2::text[]) id ORDER BY h) s',
      values: [kind, ids],
    });
    const [done, orders] = await Promise.all([
      client.query<{ order_id: string }>({ name: 'usher-notifications-sent', text: 'SELECT order_id FROM notifications WHERE order_id = ANY($1::text[]) AND kind = $2', values: [ids, kind] }),
      readOrders(pg, ids),
    ]);
    const sent = new Set(done.rows.map((r) => r.order_id));
    const records: { orderId: string; message: OutgoingMail }[] = [];
    await Promise.all(ids.map(async (orderId) => {
      const order = orders.get(orderId);
      const already = sent.has(orderId);
      if (!order?.event || (kind !== 'cancellation' && order.status !== 'confirmed')) return void outcomes.set(orderId, already ? 'already_sent' : 'skipped');
      try {
        const url = `${deps.ctx.config.http.publicApiUrl}/orders/${encodeURIComponent(order.orderId)}#token=${await deps.orderTokens.sign(order.orderId)}`;
        // the e-mail first: an SMS outage (the job retries) must not hold the tickets back
        if (already) outcomes.set(orderId, 'already_sent');
        else {
          const message = await orderMail(kind, order, url, mail.kind === 'smtp');
          await mail.send(message);
          records.push({ orderId, message });
          outcomes.set(orderId, mail.kind === 'smtp' ? 'sent' : 'recorded');
        }
        if (sms) smsOutcomes.inc({ kind, outcome: await sendOrderSms(pg, sms, kind, order, url) });
      } catch (err) {
        failures.push(err);
      }
    }));
    if (records.length > 0) {
      await client.query({
        name: 'usher-notifications-record',
        text: `INSERT INTO notifications (order_id, kind, recipient, subject, body, transport)
               SELECT r.order_id, $1, r.recipient, r.subject, r.body, $2 FROM unnest($3::text[], $4::text[], $5::text[], $6::text[]) AS r(order_id, recipient, subject, body)
               ON CONFLICT (order_id, kind) DO NOTHING`,
        values: [kind, mail.kind, records.map((r) => r.orderId), records.map((r) => r.message.to), records.map((r) => r.message.subject), records.map((r) => r.message.text)],
      });
    }
  });
  if (failures.length > 0) throw failures[0];
  return outcomes;
}

/** A batch's outcomes counted, as the job's return value. */
function tally(outcomes: Map<string, NotificationOutcome>): Partial<Record<NotificationOutcome, number>> {
  const counts: Partial<Record<NotificationOutcome, number>> = {};
  for (const o of outcomes.values()) counts[o] = (counts[o] ?? 0) + 1;
  return counts;
}

export function startNotificationWorker(deps: CheckoutServices, options: { mail?: MailTransport; sms?: SmsTransport } = {}): { close(): Promise<void> } {
  const { config } = deps.ctx;
  const log = deps.ctx.log.child({ worker: NOTIFICATION_QUEUE });
  const mail = options.mail ?? createMailTransport(config.mail.smtpUrl, config.mail.from, log);
  const sms = options.sms ?? createSmsTransport(config.sms, log);
  const connection = connectRedis(config, { maxRetriesPerRequest: null, connectionName: 'usher-notification-worker' });
  // the same queue carries the account e-mails (verification-mail.ts, account-mail.ts) and the sweeps of a moved event's reminders
  const worker = new Worker<NotificationQueueJobData | VerificationMailJobData | AccountMailJobData, NotificationOutcome | Partial<Record<NotificationOutcome, number>>>(NOTIFICATION_QUEUE, async (job) => {
    const { data } = job;
    if (data.kind === 'email-verification') return sendVerificationMail(deps, mail, String(job.id), data);
    if (data.kind === 'email-change' || data.kind === 'password-reset') return sendAccountMail(deps, mail, String(job.id), data);
    if (data.kind === 'reminders-moved') return (await queueDueReminders(deps, { eventId: data.eventId }), 'moved');
    if (data.kind === 'confirmations') return tally(await sendNotifications(deps, mail, 'confirmation', data.orderIds, sms));
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
