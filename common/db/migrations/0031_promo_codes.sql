-- Promo codes (issue 15 item 2). A code is stored upper-cased (codes are case-insensitive); a use
-- is taken at checkout, in the same transaction that fixes the hold's price, and given back
-- exactly once when the payment is cancelled or fails for good, or the order is cancelled.
CREATE TABLE promo_codes (
  id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  code               text NOT NULL CHECK (code ~ '^[A-Z0-9_-]{4,32}$'),
  -- NULL: the operator's (house) codes. No cascade: an organiser's codes and their redemptions are
  -- records; the account is anonymised, not deleted, while they exist.
  organiser_id       uuid REFERENCES users (id),
  -- NULL: every event of the organiser
  event_id           uuid REFERENCES events (id) ON DELETE CASCADE,
  kind               text NOT NULL CHECK (kind IN ('percent', 'fixed')),
  value              integer NOT NULL CHECK (value > 0 AND (kind = 'fixed' OR value <= 10000)),
  currency           char(3) CHECK (currency ~ '^[A-Z]{3}$'),
  tier_codes         text[] NOT NULL DEFAULT '{}',
  min_quantity       integer NOT NULL DEFAULT 1 CHECK (min_quantity BETWEEN 1 AND 50),
  valid_from         timestamptz NOT NULL DEFAULT now(),
  valid_until        timestamptz,
  max_uses           integer NOT NULL CHECK (max_uses > 0),
  max_uses_per_buyer integer CHECK (max_uses_per_buyer > 0),
  -- uses taken (reserved or redeemed). THE guard: a use beyond max_uses violates this check, so
  -- no interleaving of checkouts can over-redeem (promo-concurrency.test.ts drops it to prove so).
  uses               integer NOT NULL DEFAULT 0 CHECK (uses >= 0),
  disabled           boolean NOT NULL DEFAULT false,
  created_at         timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT promo_codes_uses_within_max CHECK (uses <= max_uses),
  CHECK (kind = 'percent' OR currency IS NOT NULL),
  CHECK (valid_until IS NULL OR valid_from < valid_until)
);
CREATE UNIQUE INDEX promo_codes_code ON promo_codes (upper(code));

-- One use per hold (a retried checkout takes none more). buyer: the account id, or the lower-cased
-- e-mail of a guest, for max_uses_per_buyer.
CREATE TABLE promo_redemptions (
  hold_id     text PRIMARY KEY REFERENCES hold_prices (hold_id),
  code_id     uuid NOT NULL REFERENCES promo_codes (id),
  buyer       text NOT NULL,
  status      text NOT NULL CHECK (status IN ('reserved', 'redeemed', 'released')),
  created_at  timestamptz NOT NULL DEFAULT now(),
  released_at timestamptz,
  CHECK ((status = 'released') = (released_at IS NOT NULL))
);
CREATE INDEX promo_redemptions_buyer ON promo_redemptions (code_id, buyer) WHERE status <> 'released';
