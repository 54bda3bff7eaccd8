-- RGrid on PostgreSQL, version 10: runs that wait for others, as schema 14 of the embedded store.
-- One row per parent a WAITING child still waits for; a queue entry with a row here is not
-- claimable. The rows go in the transaction that ends the parent.

CREATE TABLE execution_parents (
  child_id TEXT COLLATE "C" NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
  parent_id TEXT COLLATE "C" NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
  PRIMARY KEY (child_id, parent_id)
);

CREATE INDEX execution_parents_parent ON execution_parents (parent_id);
