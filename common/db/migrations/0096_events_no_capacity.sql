-- Events whose venue has no places: the "no seats left" filter finds them without reading every
-- event (the other sold-out events come from event_ticket_counts, migration 0060).
CREATE INDEX events_no_capacity ON events (id) WHERE capacity = 0;
