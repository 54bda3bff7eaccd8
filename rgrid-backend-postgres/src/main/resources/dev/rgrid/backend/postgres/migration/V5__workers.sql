-- RGrid on PostgreSQL, version 5: workers announce themselves by heartbeat (as schema 9 of the
-- embedded store), so a client that only submits can tell whether anything will run its work.
-- alive_until is in nanoseconds since the epoch, like every instant here.

CREATE TABLE workers (
  worker_id TEXT PRIMARY KEY,
  alive_until BIGINT NOT NULL
);
