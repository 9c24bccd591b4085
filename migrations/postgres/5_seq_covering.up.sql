-- The primary key carries label and is_deleted beside sequence_number, so
-- that listing at a point early in the journal (the dialect's KeysEarly and
-- CountEarly: every row up to the point, newest per label) is an
-- index-only scan of the key range instead of a heap fetch per row. INCLUDE
-- columns widen the key's entries but add no index: a write still inserts
-- into the same four B-trees. The key is rebuilt under an ACCESS EXCLUSIVE
-- lock on the journal, held until the migration commits: about a second
-- per million rows, during which the journal is neither read nor written.
ALTER TABLE {{.Table}} DROP CONSTRAINT {{.Table}}_pkey,
    ADD CONSTRAINT {{.Table}}_pkey PRIMARY KEY (sequence_number) INCLUDE (label, is_deleted);
