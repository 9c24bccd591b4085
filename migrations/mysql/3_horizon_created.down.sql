ALTER TABLE {{.Meta}} DROP COLUMN horizon_created;
