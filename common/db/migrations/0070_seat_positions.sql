-- Where a seat is drawn on the fan's seat map (GET /v1/sales/{sale}/seat-map), in venue units
-- (one seat pitch is about 1). Optional: from the venue CSV's x,y columns; a section whose seats
-- have none is laid out row by row automatically. Both or neither.
ALTER TABLE seats ADD COLUMN x real, ADD COLUMN y real;
ALTER TABLE seats ADD CONSTRAINT seats_xy_both CHECK ((x IS NULL) = (y IS NULL));
