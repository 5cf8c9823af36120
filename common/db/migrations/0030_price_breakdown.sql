-- Price breakdown (issue 15 item 1): a service fee per event, a tax rate by the venue's country and
-- region, and the breakdown each hold was sold at, fixed at checkout.

-- Where a venue is, for its tax: ISO 3166-1 alpha-2 country and an optional region code.
ALTER TABLE venues
  ADD COLUMN country char(2) CHECK (country ~ '^[A-Z]{2}$'),
  ADD COLUMN region  text NOT NULL DEFAULT '' CHECK (region ~ '^[A-Z0-9-]{0,8}$');

-- Tax rates by country and region ('' = the whole country). Inclusive: prices already contain it.
CREATE TABLE tax_rates (
  country    char(2) NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
  region     text NOT NULL DEFAULT '' CHECK (region ~ '^[A-Z0-9-]{0,8}$'),
  rate_bps   integer NOT NULL CHECK (rate_bps BETWEEN 0 AND 10000),
  inclusive  boolean NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (country, region)
);

-- The service fee per ticket: fixed minor units and/or basis points of the ticket's price.
-- organiser_id: the admin account that created the event (NULL: the operator); promo codes and
-- loyalty rates are per organiser.
ALTER TABLE events
  ADD COLUMN fee_fixed_minor integer NOT NULL DEFAULT 0 CHECK (fee_fixed_minor BETWEEN 0 AND 100000000),
  ADD COLUMN fee_percent_bps integer NOT NULL DEFAULT 0 CHECK (fee_percent_bps BETWEEN 0 AND 10000),
  ADD COLUMN organiser_id    uuid REFERENCES users (id) ON DELETE SET NULL;
CREATE INDEX events_organiser ON events (organiser_id);

-- What a hold costs, decided once at checkout (before the payment is authorized) and never
-- recomputed: the payment, the order, the pages, the e-mail and the refund read this row.
-- total_minor is what the gateway is asked to authorize.
CREATE TABLE hold_prices (
  hold_id     text PRIMARY KEY CHECK (length(hold_id) BETWEEN 8 AND 128),
  sale_id     uuid NOT NULL REFERENCES sales (id),
  user_id     uuid REFERENCES users (id) ON DELETE SET NULL,
  email       text NOT NULL,
  breakdown   jsonb NOT NULL,
  total_minor integer NOT NULL CHECK (total_minor >= 0),
  currency    char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  created_at  timestamptz NOT NULL DEFAULT now(),
  CHECK ((breakdown ->> 'totalMinor')::integer = total_minor)
);
CREATE INDEX hold_prices_created ON hold_prices (created_at);
