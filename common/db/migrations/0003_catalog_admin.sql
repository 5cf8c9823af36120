-- Catalog, accounts and organiser admin (issue 6).

-- A venue's price categories. Seats and GA sections name one; each event prices every category
-- its venue uses, so a seat-map import can reject a tier nobody declared.
CREATE TABLE venue_tiers (
  venue_id uuid NOT NULL REFERENCES venues (id) ON DELETE CASCADE,
  code     text NOT NULL CHECK (code ~ '^[A-Za-z0-9_-]{1,32}$'),
  name     text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  PRIMARY KEY (venue_id, code)
);

-- "Has seats left" counts an event's live tickets (GA tickets have no seat id, so the partial
-- unique index on (event_id, seat_id) does not serve it).
CREATE INDEX tickets_event_live ON tickets (event_id) WHERE status = 'live';

-- Price-range filter: EXISTS over an event's tiers by price.
CREATE INDEX event_price_tiers_price ON event_price_tiers (event_id, price_minor);

-- Keyset pagination of published events by date.
CREATE INDEX events_published_starts ON events (starts_at, id) WHERE status = 'published';

-- Event cancellation drives every order of the event.
CREATE INDEX orders_event ON orders (event_id);
