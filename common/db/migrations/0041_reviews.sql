-- Reviews and ratings of events (issue 15, item 5). A fan who had a live ticket for an event that
-- has taken place rates it 1–5 with an optional text, once per event (the UNIQUE below decides
-- concurrent duplicates); organisers and admins hide a review with a reason (kept, not shown).
CREATE TABLE reviews (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  event_id      uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  -- deleting the account deletes its reviews (personal data)
  user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  rating        smallint NOT NULL CHECK (rating BETWEEN 1 AND 5),
  body          text NOT NULL DEFAULT '' CHECK (length(body) <= 2000),
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  hidden_at     timestamptz,
  hidden_reason text CHECK (length(hidden_reason) BETWEEN 1 AND 500),
  -- who hid it, as words (an account id, or 'operator'): no foreign key, so hiding outlives the moderator's account
  hidden_by     text,
  CHECK ((hidden_at IS NULL) = (hidden_reason IS NULL)),
  UNIQUE (event_id, user_id)
);
CREATE INDEX reviews_event_visible ON reviews (event_id, created_at DESC, id DESC) WHERE hidden_at IS NULL;
CREATE INDEX reviews_user ON reviews (user_id);

-- The visible reviews' count and sum per event, kept by the trigger below in the same
-- transaction as the review: event pages and search (sorted by rating too) read one row, not an
-- aggregate over every review.
CREATE TABLE event_review_stats (
  event_id     uuid PRIMARY KEY REFERENCES events (id) ON DELETE CASCADE,
  review_count integer NOT NULL DEFAULT 0 CHECK (review_count >= 0),
  rating_sum   integer NOT NULL DEFAULT 0 CHECK (rating_sum >= 0)
);

CREATE FUNCTION usher_review_stats() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.hidden_at IS NULL THEN
    UPDATE event_review_stats SET review_count = review_count - 1, rating_sum = rating_sum - OLD.rating WHERE event_id = OLD.event_id;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.hidden_at IS NULL THEN
    INSERT INTO event_review_stats AS s (event_id, review_count, rating_sum) VALUES (NEW.event_id, 1, NEW.rating)
    ON CONFLICT (event_id) DO UPDATE SET review_count = s.review_count + 1, rating_sum = s.rating_sum + NEW.rating;
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER reviews_stats AFTER INSERT OR DELETE OR UPDATE OF rating, hidden_at, event_id ON reviews
  FOR EACH ROW EXECUTE FUNCTION usher_review_stats();
