-- RGrid on PostgreSQL, version 7: retention, as schema 11 of the embedded store. Ended
-- executions are paged by finish time then id, removing one removes the cache entries that point
-- at it, and one a kept cache hit reuses stays.

CREATE INDEX executions_ended ON executions (finished_at, id) WHERE finished_at IS NOT NULL;

CREATE INDEX executions_cached_from ON executions (cached_from) WHERE cached_from IS NOT NULL;

CREATE INDEX cache_entries_execution ON cache_entries (execution_id);
