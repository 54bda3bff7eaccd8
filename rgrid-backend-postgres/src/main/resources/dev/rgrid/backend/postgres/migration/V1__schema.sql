-- RGrid on PostgreSQL, version 1. Applied by Flyway when the backend starts; released
-- migrations never change (add V2__… instead).
--
-- Instants are BIGINT nanoseconds since the epoch (UTC), as in the embedded store: a timestamp
-- column keeps microseconds only, and a store must hand back exactly the record it was given.
-- Structured values that are only read back whole are JSON text; labels are JSONB, indexed, so
-- filters by label use the index. Ids sort by byte (COLLATE "C"): pages are cut by id.

CREATE TABLE executions (
  id TEXT COLLATE "C" PRIMARY KEY,
  status TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  batch_id TEXT COLLATE "C",
  spec TEXT NOT NULL,
  labels JSONB NOT NULL DEFAULT '{}'::jsonb,
  transitions TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  worker_id TEXT,
  exit_code INTEGER,
  failure TEXT,
  started_at BIGINT,
  finished_at BIGINT,
  cancel_requested BOOLEAN NOT NULL,
  log_truncated BOOLEAN NOT NULL,
  stdout TEXT,
  stderr TEXT,
  cached BOOLEAN NOT NULL,
  cached_from TEXT,
  cost_micros BIGINT NOT NULL,
  cache_key TEXT,
  retry_of TEXT,
  retried_by TEXT
);
CREATE INDEX executions_status ON executions (status, id);
CREATE INDEX executions_batch ON executions (batch_id, id);
CREATE INDEX executions_created ON executions (created_at);
CREATE INDEX executions_labels ON executions USING GIN (labels jsonb_path_ops);
CREATE INDEX executions_cache_key ON executions (cache_key) WHERE cache_key IS NOT NULL;
CREATE INDEX executions_finished_at ON executions (finished_at) WHERE finished_at IS NOT NULL;

CREATE TABLE log_lines (
  execution_id TEXT NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
  seq BIGINT NOT NULL,
  stream TEXT NOT NULL,
  at BIGINT NOT NULL,
  text TEXT NOT NULL,
  PRIMARY KEY (execution_id, seq)
);

CREATE TABLE artifacts (
  execution_id TEXT NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
  path TEXT NOT NULL,
  size BIGINT NOT NULL,
  blob TEXT NOT NULL,
  PRIMARY KEY (execution_id, path)
);

-- The queue is its own SPI and works for ids the store has not seen: no foreign key.
CREATE TABLE queue (
  seq BIGSERIAL PRIMARY KEY,
  execution_id TEXT NOT NULL UNIQUE,
  affinity TEXT,
  hold_until BIGINT,
  not_before BIGINT NOT NULL,
  attempt INTEGER NOT NULL,
  claimed_by TEXT,
  lease_until BIGINT,
  enqueued_at BIGINT NOT NULL,
  group_id TEXT,
  group_limit INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX queue_unclaimed ON queue (seq) WHERE claimed_by IS NULL;
CREATE INDEX queue_claimed_by ON queue (claimed_by) WHERE claimed_by IS NOT NULL;
CREATE INDEX queue_affinity ON queue (affinity) WHERE affinity IS NOT NULL;
-- Claims read the oldest ungrouped entries, and each limited group's oldest, by index, so a claim
-- under the group lock costs the same whatever the length of the queue.
CREATE INDEX queue_ungrouped ON queue (seq) WHERE group_limit = 0;
CREATE INDEX queue_limited_group ON queue (group_id, seq) WHERE group_limit > 0;

CREATE TABLE cache_entries (
  cache_key TEXT PRIMARY KEY,
  execution_id TEXT NOT NULL,
  runtime TEXT NOT NULL,
  script_name TEXT NOT NULL,
  size_bytes BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  last_used_at BIGINT NOT NULL,
  hits BIGINT NOT NULL
);
CREATE INDEX cache_entries_last_used ON cache_entries (last_used_at);

CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE limit_alerts (
  month TEXT NOT NULL,
  threshold INTEGER NOT NULL,
  raised_at BIGINT NOT NULL,
  PRIMARY KEY (month, threshold)
);

CREATE TABLE batches (
  id TEXT COLLATE "C" PRIMARY KEY,
  created_at BIGINT NOT NULL,
  script_name TEXT NOT NULL,
  runtime TEXT NOT NULL,
  size INTEGER NOT NULL,
  parallel INTEGER NOT NULL,
  labels JSONB NOT NULL
);
