-- Loyalty points (issue 15 item 3): an append-only ledger per account and a balance that can
-- never go negative. 1 point = 1 minor unit off an order. Every entry names the hold (= order) it
-- belongs to, and (hold, kind) is unique: whatever the retries, an order earns, spends, returns
-- and reverses at most once each.

CREATE TABLE loyalty_accounts (
  user_id    uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  balance    integer NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now(),
  -- THE guard: two checkouts spending the same points cannot both commit
  -- (loyalty-concurrency.test.ts drops it to prove the test sees the difference).
  CONSTRAINT loyalty_balance_not_negative CHECK (balance >= 0)
);

CREATE TABLE loyalty_ledger (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  hold_id       text NOT NULL,
  kind          text NOT NULL CHECK (kind IN ('earn', 'spend', 'spend_returned', 'earn_reversed')),
  delta         integer NOT NULL CHECK (delta <> 0),
  balance_after integer NOT NULL CHECK (balance_after >= 0),
  created_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (hold_id, kind),
  CHECK ((kind IN ('earn', 'spend_returned')) = (delta > 0))
);
CREATE INDEX loyalty_ledger_user ON loyalty_ledger (user_id, id DESC);

-- Append-only: entries are never changed or removed (an account's deletion cascades; that is a
-- DELETE of the account, allowed by the FK, so only direct UPDATEs are refused outright).
CREATE FUNCTION loyalty_ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'loyalty_ledger is append-only' USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER loyalty_ledger_no_update BEFORE UPDATE ON loyalty_ledger FOR EACH ROW EXECUTE FUNCTION loyalty_ledger_append_only();

-- Points per organiser, in basis points of the total paid (500 = 5% back). Organisers without a
-- row (and the operator's events) earn at LOYALTY_EARN_BPS.
CREATE TABLE loyalty_rates (
  organiser_id uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  earn_bps     integer NOT NULL CHECK (earn_bps BETWEEN 0 AND 10000),
  updated_at   timestamptz NOT NULL DEFAULT now()
);

-- Posts one entry, once: the account row is locked first, so the "already posted?" check and the
-- balance change are serialized per account. Answers the new balance, or NULL when (hold, kind) was
-- posted before. A spend beyond the balance violates loyalty_balance_not_negative and aborts.
-- 'earn_reversed' takes back at most what is left (points already spent elsewhere stay spent).
CREATE FUNCTION loyalty_post(p_user uuid, p_hold text, p_kind text, p_delta integer) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  b integer;
  d integer := p_delta;
BEGIN
  INSERT INTO loyalty_accounts (user_id) VALUES (p_user) ON CONFLICT DO NOTHING;
  SELECT balance INTO b FROM loyalty_accounts WHERE user_id = p_user FOR UPDATE;
  IF EXISTS (SELECT 1 FROM loyalty_ledger WHERE hold_id = p_hold AND kind = p_kind) THEN
    RETURN NULL;
  END IF;
  IF p_kind = 'earn_reversed' THEN d := -LEAST(-p_delta, b); END IF;
  IF d = 0 THEN RETURN b; END IF;
  UPDATE loyalty_accounts SET balance = balance + d, updated_at = now() WHERE user_id = p_user RETURNING balance INTO b;
  INSERT INTO loyalty_ledger (user_id, hold_id, kind, delta, balance_after) VALUES (p_user, p_hold, p_kind, d, b);
  RETURN b;
END $$;

-- Gives back what a hold took at checkout, exactly once: its promo use and its spent points.
-- Called by the triggers below from whichever path ends the sale (cancelled or failed payment,
-- refunded order), so no gateway or route has to remember to.
CREATE FUNCTION commerce_give_back(p_hold text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  spent record;
BEGIN
  WITH released AS (
    UPDATE promo_redemptions SET status = 'released', released_at = now()
    WHERE hold_id = p_hold AND status <> 'released' RETURNING code_id
  )
  UPDATE promo_codes c SET uses = c.uses - 1 FROM released r WHERE c.id = r.code_id;
  FOR spent IN SELECT user_id, delta FROM loyalty_ledger WHERE hold_id = p_hold AND kind = 'spend' LOOP
    PERFORM loyalty_post(spent.user_id, p_hold, 'spend_returned', -spent.delta);
  END LOOP;
END $$;

-- A payment that ends without a sale: cancelled (any path), or failed for good at capture.
CREATE FUNCTION payments_give_back() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM commerce_give_back(NEW.hold_id);
  RETURN NULL;
END $$;
CREATE TRIGGER payments_give_back AFTER UPDATE OF status ON payments FOR EACH ROW
  WHEN (OLD.status IS DISTINCT FROM NEW.status AND (NEW.status = 'cancelled' OR (NEW.status = 'failed' AND NEW.failure_reason LIKE 'capture_failed%')))
  EXECUTE FUNCTION payments_give_back();

-- A cancelled order: its earned points are taken back; when money is refunded, the promo use and
-- the spent points come back too (a cancellation past the refund cutoff refunds nothing and
-- returns nothing).
CREATE FUNCTION refunds_reverse_loyalty() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  earned record;
BEGIN
  FOR earned IN SELECT user_id, delta FROM loyalty_ledger WHERE hold_id = NEW.order_id AND kind = 'earn' LOOP
    PERFORM loyalty_post(earned.user_id, NEW.order_id, 'earn_reversed', -earned.delta);
  END LOOP;
  IF NEW.amount_minor > 0 THEN PERFORM commerce_give_back(NEW.order_id); END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER refunds_reverse_loyalty AFTER INSERT ON refunds FOR EACH ROW EXECUTE FUNCTION refunds_reverse_loyalty();
