-- RGrid on PostgreSQL, version 6: named secrets per scope ('' or an account id), as schema 10
-- of the embedded store. Only ciphertext is kept; key_id names the master key that encrypted
-- it, so a key rotation finds what it has left to re-encrypt.

CREATE TABLE secrets (
  scope TEXT NOT NULL,
  name TEXT NOT NULL,
  key_id TEXT NOT NULL,
  nonce BYTEA NOT NULL,
  ciphertext BYTEA NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (scope, name)
);

CREATE INDEX secrets_key_id ON secrets (key_id);
