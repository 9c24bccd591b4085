-- The journal: one row per write, never updated in place.
-- sequence_number is the rowid (no AUTOINCREMENT): the core allocates it from
-- the meta row inside the write transaction.
CREATE TABLE {{.Table}} (
    sequence_number INTEGER PRIMARY KEY,
    label           TEXT    NOT NULL COLLATE BINARY,
    item            BLOB,
    is_deleted      INTEGER NOT NULL DEFAULT 0 CHECK (is_deleted IN (0, 1)),
    created         TEXT    NOT NULL,
    version         INTEGER NOT NULL CHECK (version >= 1),
    author          TEXT    NOT NULL DEFAULT '',
    comment         TEXT    NOT NULL DEFAULT '',
    CHECK (is_deleted = 0 OR item IS NULL)
);
-- (label, sequence_number) is unique because sequence_number is; is_deleted
-- rides along so that listing live keys never touches the table.
CREATE UNIQUE INDEX {{.Table}}_label_seq ON {{.Table}} (label, sequence_number, is_deleted);
CREATE UNIQUE INDEX {{.Table}}_label_version ON {{.Table}} (label, version);
CREATE INDEX {{.Table}}_created ON {{.Table}} (created, sequence_number);
-- The head: one row per key ever written, pointing at its newest journal row.
-- Writers keep it in the same transaction as the journal; it makes Keys and
-- Len at the head cost O(keys) whatever the history depth.
CREATE TABLE {{.Head}} (
    label           TEXT    NOT NULL PRIMARY KEY COLLATE BINARY,
    sequence_number INTEGER NOT NULL,
    version         INTEGER NOT NULL,
    is_deleted      INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE {{.Meta}} (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    last_seq     INTEGER NOT NULL,
    last_created TEXT    NOT NULL,
    horizon      INTEGER NOT NULL,
    key_length   INTEGER NOT NULL
);
INSERT INTO {{.Meta}} (id, last_seq, last_created, horizon, key_length) VALUES (1, 0, '', 0, {{.KeyLength}});
