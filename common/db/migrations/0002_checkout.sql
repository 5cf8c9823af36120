-- Checkout's additions. Before an order exists, the payment row is the only record of what a
-- PaymentIntent was for: the buyer, the sale and a snapshot of the hold (what the commit worker
-- needs to reacquire a hold that Redis lost), and why a payment ended without an order.
ALTER TABLE payments
  ADD COLUMN sale_id        uuid REFERENCES sales (id),
  ADD COLUMN email          text CHECK (email ~ '^[^@\s]+@[^@\s]+$'),
  ADD COLUMN user_id        uuid REFERENCES users (id),
  ADD COLUMN hold_snapshot  jsonb,
  ADD COLUMN failure_reason text;

-- Why an order was cancelled and a refund made (fan_request | event_cancelled).
ALTER TABLE refunds ADD COLUMN reason text CHECK (reason IN ('fan_request', 'event_cancelled'));
-- Pending refunds are the outbox of cancellations: the reconciler retries them.
CREATE INDEX refunds_pending ON refunds (updated_at) WHERE status = 'pending';
-- Committed-but-not-confirmed orders are what the reconciler drives forward.
CREATE INDEX orders_unconfirmed ON orders (updated_at) WHERE status = 'committed';
