-- The catalog's GIN indexes without a pending list.
--
-- With GIN's default fastupdate, new entries go to an unsorted pending list that every index scan
-- reads in full until VACUUM (or 4 MB of them) merges it into the index. The whole catalog of
-- 10,000 events fits in 4 MB, so after a bulk load every search scanned the pending list: the
-- planner priced the index above a sequential scan and matched every row's tsvector (a search for
-- "cobalt" or a miss for "cobolt": 5-15 ms of PostgreSQL each; through the merged index 0.4-1 ms).
-- Events and their vocabulary are written rarely (by organisers, not by fans), so each write pays
-- its own index insert instead.
ALTER INDEX events_search SET (fastupdate = off);
ALTER INDEX catalog_words_trgm SET (fastupdate = off);
-- turning fastupdate off keeps what is already pending: merge it now
SELECT gin_clean_pending_list('events_search'::regclass);
SELECT gin_clean_pending_list('catalog_words_trgm'::regclass);
