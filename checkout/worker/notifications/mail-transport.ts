/**
 * Where mail goes: SMTP through nodemailer when SMTP_URL is set; otherwise it is only recorded
 * (the `notifications` row, written in both cases) and logged, so demos need no mail server.
 */
import nodemailer from 'nodemailer';
import type { Logger } from '../../../common/logger.js';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  attachments?: { filename: string; content: Buffer; cid: string; contentType: string }[];
}

export interface MailTransport {
  readonly kind: 'smtp' | 'recorded';
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

export function createMailTransport(smtpUrl: string | undefined, from: string, log: Logger): MailTransport {
  if (!smtpUrl) {
    return {
      kind: 'recorded',
      async send(mail) {
        log.info({ to: mail.to, subject: mail.subject }, 'mail recorded (SMTP_URL unset): not sent');
      },
      close() {},
    };
  }
  const transporter = nodemailer.createTransport(smtpUrl);
  return {
    kind: 'smtp',
    async send(mail) {
      await transporter.sendMail({ from, ...mail });
    },
    close: () => transporter.close(),
  };
}
