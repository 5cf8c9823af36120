-- Usher's record. Redis is the fast path; these tables and their constraints are the truth.
-- Amounts are integer minor units (cents); currencies ISO 4217 upper case.

CREATE TABLE users (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email         text NOT NULL CHECK (email ~ '^[^@\s]+@[^@\s]+$'),
  password_hash text,
  role          text NOT NULL DEFAULT 'fan' CHECK (role IN ('fan', 'admin')),
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

CREATE TABLE refresh_tokens (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  family_id   uuid NOT NULL,
  token_hash  text NOT NULL UNIQUE,
  expires_at  timestamptz NOT NULL,
  revoked_at  timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);

CREATE TABLE venues (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  city       text NOT NULL CHECK (length(city) BETWEEN 1 AND 100),
  address    text,
  timezone   text NOT NULL DEFAULT 'UTC',
  created_at timestamptz NOT NULL DEFAULT now()
);

-- A section is reserved seating (rows of numbered seats) or general admission (a capacity).
CREATE TABLE sections (
  id        uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  venue_id  uuid NOT NULL REFERENCES venues (id) ON DELETE CASCADE,
  name      text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  kind      text NOT NULL CHECK (kind IN ('reserved', 'ga')),
  tier_code text CHECK (tier_code ~ '^[A-Za-z0-9_-]{1,32}$'),
  capacity  integer NOT NULL DEFAULT 0 CHECK (capacity >= 0),
  position  integer NOT NULL DEFAULT 0,
  UNIQUE (venue_id, name),
  -- a GA section has one tier and a capacity; a reserved section's capacity is its seat count
  CHECK (kind = 'reserved' OR (tier_code IS NOT NULL AND capacity > 0))
);

CREATE TABLE seats (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  section_id uuid NOT NULL REFERENCES sections (id) ON DELETE CASCADE,
  row_label  text NOT NULL CHECK (length(row_label) BETWEEN 1 AND 16),
  number     integer NOT NULL CHECK (number > 0),
  -- order of the seat along its row, so that "N together" means consecutive positions
  position   integer NOT NULL,
  tier_code  text NOT NULL CHECK (tier_code ~ '^[A-Za-z0-9_-]{1,32}$'),
  UNIQUE (section_id, row_label, number)
);

CREATE TABLE events (
  id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  venue_id           uuid NOT NULL REFERENCES venues (id),
  venue_name         text NOT NULL,
  title              text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  description        text NOT NULL DEFAULT '',
  performer          text NOT NULL DEFAULT '',
  category           text NOT NULL DEFAULT 'other',
  city               text NOT NULL,
  starts_at          timestamptz NOT NULL,
  status             text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'cancelled', 'completed')),
  currency           char(3) NOT NULL DEFAULT 'EUR' CHECK (currency ~ '^[A-Z]{3}$'),
  -- full refund when cancelled at least this long before the event; none after
  refund_cutoff_s    integer NOT NULL DEFAULT 172800 CHECK (refund_cutoff_s >= 0),
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  search             tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', coalesce(title, '')), 'A') ||
    setweight(to_tsvector('english', coalesce(performer, '')), 'A') ||
    setweight(to_tsvector('english', coalesce(venue_name, '')), 'B') ||
    setweight(to_tsvector('english', coalesce(description, '')), 'C') ||
    setweight(to_tsvector('english', coalesce(city, '') || ' ' || coalesce(category, '')), 'C')
  ) STORED
);
CREATE INDEX events_search ON events USING gin (search);
CREATE INDEX events_starts_at ON events (starts_at, id);
CREATE INDEX events_city ON events (lower(city), starts_at);

CREATE TABLE event_price_tiers (
  event_id    uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  tier_code   text NOT NULL CHECK (tier_code ~ '^[A-Za-z0-9_-]{1,32}$'),
  name        text NOT NULL,
  price_minor integer NOT NULL CHECK (price_minor >= 0),
  PRIMARY KEY (event_id, tier_code)
);

CREATE TABLE sales (
  id                     uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  event_id               uuid NOT NULL REFERENCES events (id),
  prequeue_opens_at      timestamptz NOT NULL,
  opens_at               timestamptz NOT NULL,
  closes_at              timestamptz NOT NULL,
  admission_rate_per_min integer NOT NULL CHECK (admission_rate_per_min > 0),
  max_active_shoppers    integer NOT NULL CHECK (max_active_shoppers > 0),
  hold_seconds           integer NOT NULL DEFAULT 480 CHECK (hold_seconds BETWEEN 30 AND 3600),
  payment_grace_seconds  integer NOT NULL DEFAULT 120 CHECK (payment_grace_seconds BETWEEN 0 AND 1800),
  per_fan_limit          integer NOT NULL DEFAULT 6 CHECK (per_fan_limit BETWEEN 1 AND 50),
  shard_count            integer NOT NULL DEFAULT 8 CHECK (shard_count BETWEEN 1 AND 1024),
  pow_difficulty         integer NOT NULL DEFAULT 0 CHECK (pow_difficulty BETWEEN 0 AND 32),
  status                 text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'open', 'paused', 'closed')),
  published_at           timestamptz,
  created_at             timestamptz NOT NULL DEFAULT now(),
  CHECK (prequeue_opens_at <= opens_at AND opens_at < closes_at)
);
CREATE INDEX sales_event ON sales (event_id);

-- One order per hold: the hold id is the order id, so committing a hold twice cannot make two.
CREATE TABLE orders (
  id                text PRIMARY KEY CHECK (length(id) BETWEEN 8 AND 128),
  sale_id           uuid NOT NULL REFERENCES sales (id),
  event_id          uuid NOT NULL REFERENCES events (id),
  user_id           uuid REFERENCES users (id),
  email             text NOT NULL CHECK (email ~ '^[^@\s]+@[^@\s]+$'),
  payment_intent_id text NOT NULL UNIQUE,
  amount_minor      integer NOT NULL CHECK (amount_minor >= 0),
  currency          char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  status            text NOT NULL CHECK (status IN ('committed', 'confirmed', 'cancelled')),
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  cancelled_at      timestamptz
);
CREATE INDEX orders_email ON orders (lower(email), created_at DESC);
CREATE INDEX orders_user ON orders (user_id, created_at DESC);
CREATE INDEX orders_sale ON orders (sale_id);

CREATE TABLE tickets (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  order_id    text NOT NULL REFERENCES orders (id),
  event_id    uuid NOT NULL REFERENCES events (id),
  section_id  uuid NOT NULL REFERENCES sections (id),
  seat_id     bigint REFERENCES seats (id),
  tier_code   text NOT NULL,
  price_minor integer NOT NULL CHECK (price_minor >= 0),
  status      text NOT NULL DEFAULT 'live' CHECK (status IN ('live', 'void')),
  created_at  timestamptz NOT NULL DEFAULT now(),
  voided_at   timestamptz,
  CHECK ((status = 'void') = (voided_at IS NOT NULL))
);
-- The last guard against a seat sold twice: at most one live ticket per (event, seat).
CREATE UNIQUE INDEX tickets_live_seat ON tickets (event_id, seat_id) WHERE status = 'live' AND seat_id IS NOT NULL;
CREATE INDEX tickets_order ON tickets (order_id);

CREATE TABLE payments (
  payment_intent_id text PRIMARY KEY,
  order_id          text REFERENCES orders (id),
  hold_id           text NOT NULL UNIQUE,
  gateway           text NOT NULL CHECK (gateway IN ('stripe', 'demo')),
  amount_minor      integer NOT NULL CHECK (amount_minor >= 0),
  currency          char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  status            text NOT NULL CHECK (status IN ('requires_payment', 'authorized', 'captured', 'cancelled', 'refunded', 'failed')),
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX payments_status ON payments (status, updated_at);

-- At most one refund per order: a cancel retried or raced refunds once.
CREATE TABLE refunds (
  id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  order_id           text NOT NULL UNIQUE REFERENCES orders (id),
  payment_intent_id  text NOT NULL,
  amount_minor       integer NOT NULL CHECK (amount_minor >= 0),
  status             text NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
  provider_refund_id text UNIQUE,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now()
);

-- Each Stripe event id is handled once.
CREATE TABLE processed_stripe_events (
  id           text PRIMARY KEY,
  type         text NOT NULL,
  received_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE notifications (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  order_id   text NOT NULL REFERENCES orders (id),
  kind       text NOT NULL CHECK (kind IN ('confirmation', 'reminder', 'cancellation')),
  recipient  text NOT NULL,
  subject    text NOT NULL,
  body       text NOT NULL,
  transport  text NOT NULL CHECK (transport IN ('smtp', 'recorded')),
  sent_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (order_id, kind)
);
