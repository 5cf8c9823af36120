-- SMS confirmations and reminders for fans who opted in.
--
-- The number texted is users.phone, from the account's profile (0040_accounts_profile.sql).
ALTER TABLE users ADD COLUMN sms_opt_in boolean NOT NULL DEFAULT false;

-- Numbers that answered STOP (Twilio's opt-out webhook) or opted out otherwise: never texted
-- again, whatever an account says, until the number opts back in (START).
CREATE TABLE sms_opt_outs (
  phone        text PRIMARY KEY,
  source       text NOT NULL CHECK (source IN ('stop_reply', 'account')),
  opted_out_at timestamptz NOT NULL DEFAULT now()
);

-- One text per (order, kind), written after the provider accepted it: a retried job sends no more.
CREATE TABLE sms_messages (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  order_id     text NOT NULL REFERENCES orders (id),
  kind         text NOT NULL CHECK (kind IN ('confirmation', 'reminder')),
  recipient    text NOT NULL,
  body         text NOT NULL,
  provider_sid text NOT NULL,
  sent_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE (order_id, kind)
);
