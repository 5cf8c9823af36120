/**
 * The other account e-mails, on the same `notifications` queue and worker as the verification
 * e-mail (verification-mail.ts), and sent the same way: the API enqueues the account and the
 * address, the worker mints the link's credential only when it sends (it never sits in Redis),
 * first checks the mail is still wanted, and records an `account_mails` row keyed by the job id
 * after the send, so a retried job sends nothing more.
 *
 * - `email-change`: the link that confirms a new address, to the new address; wanted while the
 *   account still waits for that address (users.pending_email).
 * - `password-reset`: a random single-use token, only its SHA-256 stored (password_resets, one row
 *   per job: a retry before the send replaces the token nobody received).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Queue, type ConnectionOptions } from 'bullmq';
import type { CheckoutServices } from '../../checkout-services.js';
import { hashToken } from '../../accounts/refresh-tokens.js';
import type { MailTransport, OutgoingMail } from './mail-transport.js';
import { NOTIFICATION_QUEUE } from './notification-queue.js';
import type { NotificationOutcome } from './notification-worker.js';

export const EMAIL_CHANGE_JOB = 'email-change';
export const PASSWORD_RESET_JOB = 'password-reset';
export const PASSWORD_RESET_TTL_S = 3600;

export type AccountMailJobData =
  | { kind: typeof EMAIL_CHANGE_JOB; userId: string; email: string }
  | { kind: typeof PASSWORD_RESET_JOB; userId: string; email: string };

export interface AccountMailQueue {
  /** The link confirming `newEmail`, to `newEmail`. */
  enqueueEmailChange(userId: string, newEmail: string): Promise<string>;
  /** A password reset link to the account's address `email`. */
  enqueuePasswordReset(userId: string, email: string): Promise<string>;
  close(): Promise<void>;
}

const jobOptions = { attempts: 8, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: { age: 7 * 86_400 }, removeOnFail: { age: 14 * 86_400 } } as const;

export function createAccountMailQueue(connection: ConnectionOptions, prefix: string): AccountMailQueue {
  const queue = new Queue<AccountMailJobData>(NOTIFICATION_QUEUE, { connection, prefix });
  const add = async (kind: AccountMailJobData['kind'], userId: string, email: string) => {
    const jobId = `${kind}-${userId}-${randomUUID()}`;
    await queue.add(kind, { kind, userId, email } as AccountMailJobData, { ...jobOptions, jobId });
    return jobId;
  };
  return {
    enqueueEmailChange: (userId, email) => add(EMAIL_CHANGE_JOB, userId, email),
    enqueuePasswordReset: (userId, email) => add(PASSWORD_RESET_JOB, userId, email),
    close: () => queue.close(),
  };
}

const esc = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

function linkMail(to: string, subject: string, intro: string, action: string, link: string, outro: string): OutgoingMail {
  return {
    to, subject,
    text: `${intro}\n\n${action}: ${link}\n\n${outro}`,
    html: `<p>${esc(intro)}</p><p><a href="${esc(link)}">${esc(action)}</a></p><p><small>${esc(outro)}</small></p>`,
  };
}

export function emailChangeMail(to: string, link: string): OutgoingMail {
  return linkMail(to, 'Confirm your new e-mail address for Usher',
    'You asked to use this address for your Usher account. It takes the place of the old one once you open this link.',
    'Confirm my new e-mail address', link,
    'The link works for 24 hours. If you did not ask for this, ignore this e-mail: your account keeps its address.');
}

export function passwordResetMail(to: string, link: string): OutgoingMail {
  return linkMail(to, 'Reset your Usher password',
    'Someone (we hope you) asked to reset the password of the Usher account with this address.',
    'Choose a new password', link,
    `The link works once, for ${Math.round(PASSWORD_RESET_TTL_S / 60)} minutes. If you did not ask for this, ignore this e-mail: your password stays as it is.`);
}

type Deps = Pick<CheckoutServices, 'ctx' | 'emailChangeTokens'>;

async function record(deps: Deps, mail: MailTransport, jobId: string, userId: string, kind: 'email_change' | 'password_reset', message: OutgoingMail, secret: string) {
  // Delivered by SMTP, the stored copy needs no live credential; recorded only, it is the delivery
  // (as for the verification link) — except a reset token, which is only ever stored hashed.
  const withhold = mail.kind === 'smtp' || kind === 'password_reset';
  const body = withhold ? message.text.replace(secret, '[token withheld]') : message.text;
  await deps.ctx.pg.query(
    `INSERT INTO account_mails (job_id, user_id, kind, recipient, subject, body, transport) VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (job_id) DO NOTHING`,
    [jobId, userId, kind, message.to, message.subject, body, mail.kind]);
}

export async function sendAccountMail(deps: Deps, mail: MailTransport, jobId: string, data: AccountMailJobData): Promise<NotificationOutcome> {
  const { pg, config } = deps.ctx;
  if ((await pg.query('SELECT 1 FROM account_mails WHERE job_id = $1', [jobId])).rowCount === 1) return 'already_sent';
  const { rows } = await pg.query<{ email: string; pending_email: string | null }>('SELECT email, pending_email FROM users WHERE id = $1', [data.userId]);
  const user = rows[0];
  if (!user) return 'skipped';
  const base = config.http.publicApiUrl;
  if (data.kind === EMAIL_CHANGE_JOB) {
    // changed again, cancelled or confirmed meanwhile: this link is not wanted
    if (user.pending_email?.toLowerCase() !== data.email.toLowerCase()) return 'skipped';
    const token = await deps.emailChangeTokens.sign({ userId: data.userId, email: user.pending_email });
    const message = emailChangeMail(user.pending_email, `${base}/verify-email#change=${token}`);
    await mail.send(message);
    await record(deps, mail, jobId, data.userId, 'email_change', message, token);
    return mail.kind === 'smtp' ? 'sent' : 'recorded';
  }
  if (user.email.toLowerCase() !== data.email.toLowerCase()) return 'skipped';
  const token = randomBytes(32).toString('base64url');
  await pg.query(
    `INSERT INTO password_resets (job_id, user_id, token_hash, expires_at) VALUES ($1, $2, $3, now() + make_interval(secs => $4))
     ON CONFLICT (job_id) DO UPDATE SET token_hash = EXCLUDED.token_hash, expires_at = EXCLUDED.expires_at WHERE password_resets.used_at IS NULL`,
    [jobId, data.userId, hashToken(token), PASSWORD_RESET_TTL_S]);
  const message = passwordResetMail(user.email, `${base}/reset-password#token=${token}`);
  await mail.send(message);
  await record(deps, mail, jobId, data.userId, 'password_reset', message, token);
  return mail.kind === 'smtp' ? 'sent' : 'recorded';
}
