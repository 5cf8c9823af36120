-- Order numbers people can read and say on the phone: `USH-` and six Crockford base-32 characters
-- (no I, L, O, U), e.g. USH-7K3Q9M, instead of the internal id (hold-derived, up to 80 characters).
--
-- Each order takes the next value of a sequence, scrambled by a 4-round Feistel network over 30
-- bits: a bijection, so numbers never collide (no retry loop), and consecutive orders do not get
-- consecutive numbers (a number does not tell how many orders a sale has taken at a glance; the
-- scramble is public, it is not a secret). 2^30 ≈ 1.07 billion numbers; past that, nextval fails
-- loudly rather than repeating one.
CREATE SEQUENCE order_number_seq MINVALUE 0 MAXVALUE 1073741823 START 0 NO CYCLE;

CREATE FUNCTION usher_order_number(n bigint) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
  alphabet constant text := '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  keys constant bigint[] := ARRAY[24919, 9293, 31337, 17029];
  l bigint;
  r bigint;
  t bigint;
  v bigint;
  out text := '';
BEGIN
  IF n < 0 OR n >= 1073741824 THEN
    RAISE EXCEPTION 'order number % out of range', n;
  END IF;
  l := n >> 15;
  r := n & 32767;
  FOR i IN 1..4 LOOP
    -- round function: any mixing of r and the round key, reduced to 15 bits
    t := l # ((((r * 40503) # keys[i]) + (r >> 3)) & 32767);
    l := r;
    r := t;
  END LOOP;
  v := (l << 15) | r;
  FOR i IN 1..6 LOOP
    out := substr(alphabet, (v & 31)::int + 1, 1) || out;
    v := v >> 5;
  END LOOP;
  RETURN 'USH-' || out;
END
$$;

ALTER TABLE orders ADD COLUMN number text;
UPDATE orders SET number = usher_order_number(nextval('order_number_seq'))
  FROM (SELECT id FROM orders ORDER BY created_at, id) AS ordered WHERE orders.id = ordered.id;
ALTER TABLE orders
  ALTER COLUMN number SET DEFAULT usher_order_number(nextval('order_number_seq')),
  ALTER COLUMN number SET NOT NULL,
  ADD CONSTRAINT orders_number_key UNIQUE (number),
  ADD CONSTRAINT orders_number_format CHECK (number ~ '^USH-[0-9A-HJKMNP-TV-Z]{6}$');
