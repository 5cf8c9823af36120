-- Accounts (issue 15, item 6): profile, change of e-mail, password reset, sign-in with an OpenID
-- Connect provider, deletion.
--
-- Deleting an account (checkout/accounts/account-deletion.ts) deletes the users row: every table
-- that references users(id) must either cascade (tokens, identities, mails, reviews) or be
-- anonymised first (orders, payments: kept for the organiser without the person). The test
-- account-deletion.test.ts lists every foreign key to users and fails on one it does not know.

-- What the fan calls themself, and a phone number in E.164 (+ and up to 15 digits, no leading 0).
-- The SMS opt-in is another column, owned by the SMS notifications (issue 15, item 7).
ALTER TABLE users
  ADD COLUMN display_name text CHECK (length(display_name) BETWEEN 1 AND 80),
  ADD COLUMN phone text CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
  -- the address a change of e-mail waits to confirm; users.email changes only when its link is opened
  ADD COLUMN pending_email text CHECK (pending_email ~ '^[^@\s]+@[^@\s]+$'),
  ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();

-- The account e-mails now also carry the link that confirms a new address and the reset link.
ALTER TABLE account_mails DROP CONSTRAINT account_mails_kind_check;
ALTER TABLE account_mails ADD CONSTRAINT account_mails_kind_check CHECK (kind IN ('email_verification', 'email_change', 'password_reset'));

-- Password reset links: a random token, only its SHA-256 here, one row per mail (job id), used
-- once (the conditional UPDATE of used_at decides a race), expiring. Resetting marks every other
-- open token of the account used too.
CREATE TABLE password_resets (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  job_id      text NOT NULL UNIQUE,
  user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  token_hash  text NOT NULL UNIQUE,
  expires_at  timestamptz NOT NULL,
  used_at     timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX password_resets_user ON password_resets (user_id) WHERE used_at IS NULL;

-- Accounts signed in through an OpenID Connect provider: one row per (issuer, subject).
CREATE TABLE user_identities (
  issuer     text NOT NULL CHECK (length(issuer) BETWEEN 1 AND 500),
  subject    text NOT NULL CHECK (length(subject) BETWEEN 1 AND 255),
  user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  email      text,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (issuer, subject)
);
CREATE INDEX user_identities_user ON user_identities (user_id);

-- Refresh tokens are looked up by account when a password change or a deletion revokes them all.
CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id) WHERE revoked_at IS NULL;
-- Deletion anonymises the account's orders and payments.
CREATE INDEX payments_user ON payments (user_id) WHERE user_id IS NOT NULL;
