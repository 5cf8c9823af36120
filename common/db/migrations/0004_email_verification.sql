-- E-mail verification of accounts.
--
-- Guest orders show up in an account's "my orders" by e-mail only once the account has proved it
-- controls that address (a mailed, signed link). NULL: not verified yet. Operator-created
-- organiser accounts (admin:create) are created verified; existing organisers are backfilled as
-- such, existing fans must verify like new ones.
ALTER TABLE users ADD COLUMN email_verified_at timestamptz;
UPDATE users SET email_verified_at = now() WHERE role = 'admin';

-- Account e-mails (the verification link), sent by the notification worker through the same
-- transports as order e-mails; the order-bound `notifications` table cannot hold them. One row
-- per BullMQ job, written after a successful send: a retried job finds it and sends nothing more.
-- When the mail really went out by SMTP the stored body has the link's token redacted; with
-- SMTP_URL unset this row (and the log) is the only delivery, so the body is kept whole.
CREATE TABLE account_mails (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  job_id     text NOT NULL UNIQUE,
  user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  kind       text NOT NULL CHECK (kind IN ('email_verification')),
  recipient  text NOT NULL,
  subject    text NOT NULL,
  body       text NOT NULL,
  transport  text NOT NULL CHECK (transport IN ('smtp', 'recorded')),
  sent_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX account_mails_user ON account_mails (user_id, sent_at DESC);
