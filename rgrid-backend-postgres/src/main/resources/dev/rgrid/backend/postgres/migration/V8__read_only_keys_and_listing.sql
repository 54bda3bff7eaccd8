-- RGrid on PostgreSQL, version 8, as schema 12 of the embedded store: read-only API keys (such a
-- key sees everything of its account and changes nothing), indexes for listing filters, and the
-- last heartbeat of each worker.

ALTER TABLE api_keys ADD COLUMN read_only BOOLEAN NOT NULL DEFAULT FALSE;

-- Executions are listed by script name and by start time (then id, the listing's order).
CREATE INDEX executions_script ON executions ((CAST(spec AS jsonb) ->> 'scriptName'), id);

CREATE INDEX executions_started ON executions (started_at, id) WHERE started_at IS NOT NULL;

-- A worker's last heartbeat is kept beside its expiry, for people watching workers.
ALTER TABLE workers ADD COLUMN heartbeat_at BIGINT;
