-- RGrid on PostgreSQL, version 3: spending limits and their alerts per scope, as schema 7 of
-- the embedded store. The scope is '' for the global limit (every execution counts) or an
-- account id (only executions labelled rgrid.account with it count).
--
-- V1 kept the one limit as 'micros;t1,t2,...' in settings: it becomes the global scope's row,
-- and the alerts raised so far become the global scope's alerts.

CREATE TABLE spending_limits (
  scope TEXT COLLATE "C" PRIMARY KEY,
  limit_micros BIGINT NOT NULL CHECK (limit_micros >= 0),
  thresholds TEXT NOT NULL
);

INSERT INTO spending_limits (scope, limit_micros, thresholds)
  SELECT '', CAST(split_part(value, ';', 1) AS BIGINT), split_part(value, ';', 2)
  FROM settings WHERE key = 'spending.monthly-limit' AND position(';' IN value) > 0;
DELETE FROM settings WHERE key = 'spending.monthly-limit';

ALTER TABLE limit_alerts ADD COLUMN scope TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE limit_alerts DROP CONSTRAINT limit_alerts_pkey;
ALTER TABLE limit_alerts ADD PRIMARY KEY (scope, month, threshold);
-- Every insert names its scope; the default was only for the rows already there.
ALTER TABLE limit_alerts ALTER COLUMN scope DROP DEFAULT;
