/**
 * The order confirmation and the reminder by SMS, beside the e-mail: only to an account that gave
 * a phone number and opted in (users.sms_opt_in), never to a number that answered STOP
 * (sms_opt_outs), at most once per (order, kind): the sms_messages row is written after Twilio
 * accepted the message and a job that finds it sends nothing. A crash between Twilio's answer and
 * that row can repeat one text on the job's retry (Twilio has no idempotency key): at least once.
 */
import type { PgPool } from '../../../common/postgres-pool.js';
import { formatEventTime, plural } from '../../../common/money.js';
import type { OrderView } from '../../orders/order-view.js';
import type { NotificationKind } from './notification-queue.js';
import { SmsRefused, type SmsTransport } from './sms-transport.js';

export type SmsOutcome = 'sms_sent' | 'sms_already_sent' | 'sms_not_wanted' | 'sms_off' | 'sms_refused';

export function orderSmsText(kind: 'confirmation' | 'reminder', order: OrderView, orderUrl: string): string {
  const event = order.event;
  const what = event ? `${event.title}, ${formatEventTime(event.startsAt)}` : 'your event';
  const live = order.tickets.filter((t) => t.status === 'live').length;
  const number = order.number ?? order.orderId;
  const lead = kind === 'confirmation' ? `Usher: ${plural(live, 'ticket')} confirmed for ${what}.` : `Usher reminder: ${what}. You have ${plural(live, 'ticket')}.`;
  return `${lead} Order ${number}: ${orderUrl} Reply STOP to opt out.`;
}

/** The number to text for this order, if its account wants texts and the number has not said STOP. */
export async function smsRecipient(pg: PgPool, orderId: string): Promise<string | null> {
  const { rows } = await pg.query<{ phone: string }>({
    name: 'usher-sms-recipient',
    text: `SELECT u.phone FROM orders o JOIN users u ON u.id = o.user_id
           WHERE o.id = $1 AND u.sms_opt_in AND u.phone IS NOT NULL AND NOT EXISTS (SELECT 1 FROM sms_opt_outs x WHERE x.phone = u.phone)`,
    values: [orderId],
  });
  return rows[0]?.phone ?? null;
}

export async function sendOrderSms(pg: PgPool, sms: SmsTransport, kind: NotificationKind, order: OrderView, orderUrl: string): Promise<SmsOutcome> {
  if (kind !== 'confirmation' && kind !== 'reminder') return 'sms_not_wanted';
  if (sms.kind === 'off') return 'sms_off';
  const done = await pg.query('SELECT 1 FROM sms_messages WHERE order_id = $1 AND kind = $2', [order.orderId, kind]);
  if (done.rowCount === 1) return 'sms_already_sent';
  const to = await smsRecipient(pg, order.orderId);
  if (!to) return 'sms_not_wanted';
  const body = orderSmsText(kind, order, orderUrl);
  let sid: string;
  try {
    ({ sid } = await sms.send({ to, body }));
  } catch (err) {
    if (!(err instanceof SmsRefused)) throw err; // transient: the job retries
    // Twilio says the number opted out with the carrier: remember it, like a STOP reply
    if (err.optedOut) await pg.query(`INSERT INTO sms_opt_outs (phone, source) VALUES ($1, 'stop_reply') ON CONFLICT (phone) DO NOTHING`, [to]);
    return 'sms_refused';
  }
  await pg.query(
    `INSERT INTO sms_messages (order_id, kind, recipient, body, provider_sid) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (order_id, kind) DO NOTHING`,
    [order.orderId, kind, to, body, sid],
  );
  return 'sms_sent';
}
