-- RGrid on PostgreSQL, version 8: read-only API keys, as schema 12 of the embedded store. Such a
-- key sees everything of its account and changes nothing.

ALTER TABLE api_keys ADD COLUMN read_only BOOLEAN NOT NULL DEFAULT FALSE;
