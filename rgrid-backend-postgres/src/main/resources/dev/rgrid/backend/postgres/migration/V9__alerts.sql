-- RGrid on PostgreSQL, version 9: alerts that reach people and each account's own retention, as
-- schema 13 of the embedded store. A webhook per scope ('' or an account id; its signing secret
-- only as ciphertext), the outbox of alerts to deliver (one row per event id, so an event offered
-- by several servers or workers is kept once), and the days an account's ended executions are
-- kept when they differ from retention.days.

CREATE TABLE webhooks (
  scope TEXT PRIMARY KEY,
  url TEXT NOT NULL,
  key_id TEXT NOT NULL,
  nonce BYTEA NOT NULL,
  ciphertext BYTEA NOT NULL,
  created_at BIGINT NOT NULL
);

CREATE TABLE alert_outbox (
  id TEXT PRIMARY KEY,
  scope TEXT NOT NULL,
  type TEXT NOT NULL,
  body TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  next_attempt_at BIGINT NOT NULL,
  last_error TEXT
);

CREATE INDEX alert_outbox_due ON alert_outbox (next_attempt_at, id) WHERE status = 'PENDING';

CREATE TABLE account_retention (
  account_id TEXT PRIMARY KEY,
  days INTEGER NOT NULL
);
