-- horizon_created is the created time of the commit at the prune horizon.
-- SequenceAt needs it when the horizon's own row is gone (a removed
-- tombstone): a time at or after it, and before the next commit, resolves to
-- the horizon, which is readable, rather than being refused. Every
-- transaction that moves the horizon writes it, reading the row's created
-- before removing the row. NULL means unknown: such times stay refused
-- (ErrPruned). The backfill knows it only while the row at the horizon exists.
ALTER TABLE {{.Meta}} ADD COLUMN horizon_created TEXT;
UPDATE {{.Meta}} SET horizon_created = (SELECT j.created FROM {{.Table}} j WHERE j.sequence_number = {{.Meta}}.horizon) WHERE id = 1;
