-- The catalog at seed scale (10,000 events, 50,000 tickets each).
--
-- 1. Seats left in O(1). The list's "has seats" flag and filter counted the event's live tickets on
--    every request (an index scan of up to 50,000 rows per event, per row of the list). Live tickets
--    are now counted as they are written, by statement-level triggers: one upsert per (event,
--    stripe) per statement, never one per ticket. The stripe is the writing backend's pid mod 16, so
--    concurrent commit transactions of one hot event update different rows instead of queueing on
--    one (the commit path holds its event row FOR SHARE; a per-event counter row would serialise
--    every order of the on-sale). Reading is a sum over at most 16 rows.
CREATE TABLE event_ticket_counts (
  event_id uuid     NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  stripe   smallint NOT NULL CHECK (stripe BETWEEN 0 AND 15),
  live     integer  NOT NULL,
  PRIMARY KEY (event_id, stripe)
);

CREATE FUNCTION event_ticket_counts_apply() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO event_ticket_counts AS c (event_id, stripe, live)
      SELECT n.event_id, pg_backend_pid() % 16, count(*) FROM new_rows n WHERE n.status = 'live' GROUP BY n.event_id
      ON CONFLICT (event_id, stripe) DO UPDATE SET live = c.live + EXCLUDED.live;
  ELSIF TG_OP = 'UPDATE' THEN
    INSERT INTO event_ticket_counts AS c (event_id, stripe, live)
      SELECT d.event_id, pg_backend_pid() % 16, sum(d.delta) FROM (
        SELECT n.event_id, (n.status = 'live')::int - (o.status = 'live')::int AS delta
        FROM new_rows n JOIN old_rows o ON o.id = n.id
      ) d GROUP BY d.event_id HAVING sum(d.delta) <> 0
      ON CONFLICT (event_id, stripe) DO UPDATE SET live = c.live + EXCLUDED.live;
  ELSE
    INSERT INTO event_ticket_counts AS c (event_id, stripe, live)
      SELECT o.event_id, pg_backend_pid() % 16, -count(*) FROM old_rows o WHERE o.status = 'live' GROUP BY o.event_id
      ON CONFLICT (event_id, stripe) DO UPDATE SET live = c.live + EXCLUDED.live;
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER tickets_count_insert AFTER INSERT ON tickets REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION event_ticket_counts_apply();
CREATE TRIGGER tickets_count_update AFTER UPDATE ON tickets REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION event_ticket_counts_apply();
CREATE TRIGGER tickets_count_delete AFTER DELETE ON tickets REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION event_ticket_counts_apply();

INSERT INTO event_ticket_counts (event_id, stripe, live)
  SELECT event_id, 0, count(*) FROM tickets WHERE status = 'live' GROUP BY event_id;

-- The venue's capacity on the event: the other side of "seats left" without a join per row. Kept
-- by triggers whichever code path writes events or sections (both are rare writes).
ALTER TABLE events ADD COLUMN capacity integer NOT NULL DEFAULT 0 CHECK (capacity >= 0);
UPDATE events e SET capacity = coalesce((SELECT sum(s.capacity) FROM sections s WHERE s.venue_id = e.venue_id), 0);

CREATE FUNCTION events_capacity_on_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.capacity := coalesce((SELECT sum(s.capacity) FROM sections s WHERE s.venue_id = NEW.venue_id), 0);
  RETURN NEW;
END
$$;
CREATE TRIGGER events_capacity BEFORE INSERT OR UPDATE OF venue_id ON events
  FOR EACH ROW EXECUTE FUNCTION events_capacity_on_insert();

CREATE FUNCTION events_capacity_on_sections() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE events e SET capacity = coalesce((SELECT sum(s.capacity) FROM sections s WHERE s.venue_id = e.venue_id), 0)
    WHERE e.venue_id IN (SELECT venue_id FROM changed);
  RETURN NULL;
END
$$;
CREATE TRIGGER sections_capacity_insert AFTER INSERT ON sections REFERENCING NEW TABLE AS changed
  FOR EACH STATEMENT EXECUTE FUNCTION events_capacity_on_sections();
CREATE TRIGGER sections_capacity_update AFTER UPDATE ON sections REFERENCING NEW TABLE AS changed
  FOR EACH STATEMENT EXECUTE FUNCTION events_capacity_on_sections();
CREATE TRIGGER sections_capacity_delete AFTER DELETE ON sections REFERENCING OLD TABLE AS changed
  FOR EACH STATEMENT EXECUTE FUNCTION events_capacity_on_sections();

-- 2. Search that forgives typos and completes prefixes. The words fans search by (title, performer,
--    venue, city) are kept in a small vocabulary table with a trigram index, as PostgreSQL's
--    documentation suggests for spelling suggestions: a typed word is matched against the
--    vocabulary (a few thousand words, not every event), and the nearest words then go through the
--    full-text index like any search. pg_trgm is a trusted extension (PostgreSQL 13+): the database
--    owner may create it. Words are only ever added (a stale word finds nothing, harmlessly).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE TABLE catalog_words (word text PRIMARY KEY CHECK (length(word) BETWEEN 3 AND 64));
CREATE INDEX catalog_words_trgm ON catalog_words USING gin (word gin_trgm_ops);

CREATE FUNCTION catalog_words_add() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO catalog_words (word)
    SELECT DISTINCT w FROM changed e,
      regexp_split_to_table(lower(e.title || ' ' || e.performer || ' ' || e.venue_name || ' ' || e.city), '[^[:alnum:]]+') AS w
    WHERE length(w) BETWEEN 3 AND 64
    ON CONFLICT DO NOTHING;
  RETURN NULL;
END
$$;
CREATE TRIGGER events_words_insert AFTER INSERT ON events REFERENCING NEW TABLE AS changed
  FOR EACH STATEMENT EXECUTE FUNCTION catalog_words_add();
CREATE TRIGGER events_words_update AFTER UPDATE ON events REFERENCING NEW TABLE AS changed
  FOR EACH STATEMENT EXECUTE FUNCTION catalog_words_add();
INSERT INTO catalog_words (word)
  SELECT DISTINCT w FROM events e, regexp_split_to_table(lower(e.title || ' ' || e.performer || ' ' || e.venue_name || ' ' || e.city), '[^[:alnum:]]+') AS w
  WHERE length(w) BETWEEN 3 AND 64
  ON CONFLICT DO NOTHING;
