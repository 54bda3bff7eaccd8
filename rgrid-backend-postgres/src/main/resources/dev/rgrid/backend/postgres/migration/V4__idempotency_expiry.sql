-- RGrid on PostgreSQL, version 4: idempotency keys expire, as schema 8 of the embedded store.
-- A server prunes the keys remembered before a time, of every account at once, so that time is
-- indexed.

CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
