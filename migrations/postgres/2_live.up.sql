-- live is the number of live keys at last_seq: Len at the head reads it
-- instead of counting the head table. Every commit adds its delta (keys it
-- created or re-created minus keys it deleted) in the statement that
-- advances last_seq; compaction never changes it (it removes superseded
-- rows and tombstoned keys only). The backfill runs under the schema lock;
-- on engines with transactional DDL it also holds the meta row, so writers
-- of the previous release wait for it.
ALTER TABLE {{.Meta}} ADD COLUMN live BIGINT NOT NULL DEFAULT 0;
UPDATE {{.Meta}} SET live = (SELECT COUNT(*) FROM {{.Head}} WHERE NOT is_deleted) WHERE id = 1;
