-- An organiser may cancel an order and refund it in full from the console, whatever the event's
-- refund cutoff: its refund row says so ('organiser').
ALTER TABLE refunds DROP CONSTRAINT IF EXISTS refunds_reason_check;
ALTER TABLE refunds ADD CONSTRAINT refunds_reason_check CHECK (reason IN ('fan_request', 'event_cancelled', 'organiser'));
