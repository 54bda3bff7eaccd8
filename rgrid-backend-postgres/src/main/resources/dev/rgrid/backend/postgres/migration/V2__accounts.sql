-- RGrid on PostgreSQL, version 2: accounts, their API keys, the blobs each may use and the
-- idempotency keys of what each created (the AccountStore SPI). The same tables as schema 6 of
-- the embedded store. Instants are BIGINT nanoseconds and ids sort by byte, as in V1.
--
-- Accounts are never deleted, so only api_keys refers to them: the SPI names NotFoundException
-- for a key of an unknown account, and no error at all for a grant or an idempotency key.

CREATE TABLE accounts (
  id TEXT COLLATE "C" PRIMARY KEY,
  name TEXT COLLATE "C" NOT NULL UNIQUE,
  created_at BIGINT NOT NULL
);
-- Listing is oldest first.
CREATE INDEX accounts_created ON accounts (created_at, id);

CREATE TABLE api_keys (
  id TEXT COLLATE "C" PRIMARY KEY,
  account_id TEXT COLLATE "C" NOT NULL REFERENCES accounts (id),
  name TEXT NOT NULL,
  secret_sha256 TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  revoked_at BIGINT
);
CREATE INDEX api_keys_account ON api_keys (account_id, created_at);

CREATE TABLE account_blobs (
  account_id TEXT COLLATE "C" NOT NULL,
  blob_key TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (account_id, blob_key)
);

-- Keys are whatever a client sent; COLLATE "C" compares them byte for byte, as SQLite does.
CREATE TABLE idempotency_keys (
  account_id TEXT COLLATE "C" NOT NULL,
  key TEXT COLLATE "C" NOT NULL,
  execution_id TEXT COLLATE "C" NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (account_id, key)
);
