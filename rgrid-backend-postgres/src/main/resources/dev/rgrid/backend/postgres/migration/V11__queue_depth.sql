-- RGrid on PostgreSQL, version 11: depth-first claims, as schema 15 of the embedded store.
-- An entry's depth is how many of its ancestors were still queued when it was queued (0 for a
-- run without parents, or whose parents had all ended). Claims take the deepest claimable
-- entries first, then the oldest, so a pipeline step released by its parent's end goes before
-- fresh roots, as make does. Entries queued before this version are roots (0): adding a column
-- with a constant default rewrites no row.

ALTER TABLE queue ADD COLUMN depth INTEGER NOT NULL DEFAULT 0;

-- The claims read the head of the queue in the new order (depth DESC, seq) by index, as the two
-- indexes they replace did by seq: the lock-free claim of ungrouped work, and under the group
-- lock the loose scan over limited groups and each group's free places.
CREATE INDEX queue_ungrouped_depth ON queue (depth DESC, seq) WHERE group_limit = 0;
CREATE INDEX queue_limited_group_depth ON queue (group_id, depth DESC, seq)
  WHERE group_limit > 0;

-- Nothing orders by seq alone within these predicates any more; every enqueue paid for them.
DROP INDEX queue_ungrouped;
DROP INDEX queue_limited_group;
