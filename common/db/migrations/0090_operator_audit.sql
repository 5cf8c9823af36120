-- The operator audit log (issue #18 item 4): every operator action on a sale (live controls,
-- schedule, presale access, proof of work, publish) and on one fan (revoke a pass, remove, ban,
-- unban), with who did it (the admin account, or the static operator token), to whom, why, when.
-- Append-only: a trigger refuses UPDATE, DELETE and TRUNCATE for every role, the owner included
-- (a REVOKE would not bind the owner the API connects as). A correction is a new row.
CREATE TABLE operator_audit (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- text, no foreign key: the log outlives any row, and an edge may control a sale PostgreSQL has not (a Redis-only demo sale)
  sale_id       text NOT NULL CHECK (length(sale_id) BETWEEN 1 AND 64),
  actor_id      text NOT NULL CHECK (length(actor_id) BETWEEN 1 AND 64),
  actor_email   text NOT NULL CHECK (length(actor_email) BETWEEN 1 AND 320),
  -- where the action came in: the API's admin routes or an edge's control endpoint
  via           text NOT NULL CHECK (via IN ('api', 'edge')),
  action        text NOT NULL CHECK (action ~ '^[a-z][a-z_.]{1,63}$'),
  visitor_id    text CHECK (length(visitor_id) BETWEEN 1 AND 128),
  account_id    uuid,
  reason        text CHECK (length(reason) <= 500),
  detail        jsonb NOT NULL DEFAULT '{}'::jsonb,
  at            timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX operator_audit_sale ON operator_audit (sale_id, id DESC);
CREATE INDEX operator_audit_visitor ON operator_audit (sale_id, visitor_id) WHERE visitor_id IS NOT NULL;

CREATE FUNCTION operator_audit_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'operator_audit is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER operator_audit_no_update BEFORE UPDATE OR DELETE ON operator_audit
  FOR EACH ROW EXECUTE FUNCTION operator_audit_append_only();
CREATE TRIGGER operator_audit_no_truncate BEFORE TRUNCATE ON operator_audit
  FOR EACH STATEMENT EXECUTE FUNCTION operator_audit_append_only();
