-- Schema 1 knows no high-water marks: a head row whose key compaction
-- dropped (no journal rows left) goes, and the key restarts at version 1.
DELETE FROM {{.Head}} WHERE NOT EXISTS (SELECT 1 FROM {{.Table}} j WHERE j.label = {{.Head}}.label);
ALTER TABLE {{.Meta}} DROP COLUMN live;
