/**
 * The verification e-mail: a job on the same `notifications` queue as the order e-mails (the same
 * worker, transports and retries), named `email-verification`. The API enqueues the account and
 * the address; the worker mints the signed link only when it sends — so the token never sits in
 * Redis and its 24 h run from the sending — and first checks that the account still has that
 * address and is not verified yet. Each job is sent at most once: the `account_mails` row keyed
 * by the job id is written after a successful send, and a retried job that finds it stops.
 */
import { randomUUID } from 'node:crypto';
import { Queue, type ConnectionOptions } from 'bullmq';
import type { CheckoutServices } from '../../checkout-services.js';
import { EMAIL_VERIFICATION_TTL_S } from '../../accounts/email-verification-token.js';
import type { MailTransport, OutgoingMail } from './mail-transport.js';
import { NOTIFICATION_QUEUE } from './notification-queue.js';
import type { NotificationOutcome } from './notification-worker.js';

export const VERIFICATION_MAIL_JOB = 'email-verification';

export interface VerificationMailJobData {
  kind: typeof VERIFICATION_MAIL_JOB;
  userId: string;
  email: string;
}

export interface VerificationMailQueue {
  /** Queues one verification e-mail to the account's address; returns the job id. */
  enqueue(userId: string, email: string): Promise<string>;
  close(): Promise<void>;
}

const jobOptions = { attempts: 8, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: { age: 7 * 86_400 }, removeOnFail: { age: 14 * 86_400 } } as const;

export function createVerificationMailQueue(connection: ConnectionOptions, prefix: string): VerificationMailQueue {
  const queue = new Queue<VerificationMailJobData>(NOTIFICATION_QUEUE, { connection, prefix });
  return {
    async enqueue(userId, email) {
      // every request is its own mail (the API rate-limits them), so the id is fresh each time
      const jobId = `${VERIFICATION_MAIL_JOB}-${userId}-${randomUUID()}`;
      await queue.add(VERIFICATION_MAIL_JOB, { kind: VERIFICATION_MAIL_JOB, userId, email }, { ...jobOptions, jobId });
      return jobId;
    },
    close: () => queue.close(),
  };
}

const esc = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

export function verificationMail(to: string, link: string): OutgoingMail {
  const hours = Math.round(EMAIL_VERIFICATION_TTL_S / 3600);
  const intro = 'Please confirm that this is your e-mail address. Once it is confirmed, the tickets you bought as a guest with this address appear under "My orders" in your Usher account.';
  const outro = `The link works for ${hours} hours. If you did not create an Usher account, ignore this e-mail: nothing changes unless the link is opened.`;
  return {
    to,
    subject: 'Confirm your e-mail address for Usher',
    text: `${intro}\n\nConfirm your address: ${link}\n\n${outro}`,
    html: `<p>${esc(intro)}</p><p><a href="${esc(link)}">Confirm my e-mail address</a></p><p><small>${esc(outro)}</small></p>`,
  };
}

export async function sendVerificationMail(deps: Pick<CheckoutServices, 'ctx' | 'emailVerificationTokens'>, mail: MailTransport, jobId: string, data: VerificationMailJobData): Promise<NotificationOutcome> {
  const { ctx } = deps;
  const { pg } = ctx;
  if ((await pg.query('SELECT 1 FROM account_mails WHERE job_id = $1', [jobId])).rowCount === 1) return 'already_sent';
  const { rows } = await pg.query<{ email: string; verified: boolean }>(
    'SELECT email, email_verified_at IS NOT NULL AS verified FROM users WHERE id = $1', [data.userId]);
  const user = rows[0];
  // the account is gone, verified meanwhile, or has another address now: this link is not wanted
  if (!user || user.verified || user.email.toLowerCase() !== data.email.toLowerCase()) return 'skipped';
  const token = await deps.emailVerificationTokens.sign({ userId: data.userId, email: user.email });
  // the fragment never reaches a server log or a Referer header; the page reads it and POSTs it
  const message = verificationMail(user.email, `${ctx.config.http.publicApiUrl}/verify-email#token=${token}`);
  await mail.send(message);
  // Delivered by SMTP, the stored copy needs no live credential; recorded only, it is the delivery.
  const body = mail.kind === 'smtp' ? message.text.replace(token, '[token withheld]') : message.text;
  await pg.query(
    `INSERT INTO account_mails (job_id, user_id, kind, recipient, subject, body, transport) VALUES ($1, $2, 'email_verification', $3, $4, $5, $6)
     ON CONFLICT (job_id) DO NOTHING`,
    [jobId, data.userId, message.to, message.subject, body, mail.kind]);
  return mail.kind === 'smtp' ? 'sent' : 'recorded';
}
