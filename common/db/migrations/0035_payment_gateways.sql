-- PayPal beside Stripe, and the gateways each sale offers.
--
-- payments.gateway names the provider that holds the authorization; the commit worker, refunds
-- and the reconciler talk to that provider, whatever the deployment's default gateway is.
ALTER TABLE payments DROP CONSTRAINT payments_gateway_check;
ALTER TABLE payments ADD CONSTRAINT payments_gateway_check CHECK (gateway IN ('stripe', 'paypal', 'demo'));

-- NULL: the sale offers every gateway the deployment has configured (PAYMENT_GATEWAYS). Otherwise
-- the organiser's choice, in the order the checkout page shows them (the first is the default).
ALTER TABLE sales ADD COLUMN payment_gateways text[]
  CHECK (payment_gateways IS NULL OR (cardinality(payment_gateways) BETWEEN 1 AND 3 AND payment_gateways <@ ARRAY['stripe', 'paypal', 'demo']::text[]));

-- Each PayPal webhook event id is handled once (like processed_stripe_events).
CREATE TABLE processed_paypal_events (
  id           text PRIMARY KEY,
  type         text NOT NULL,
  received_at  timestamptz NOT NULL DEFAULT now()
);
