-- The journal: one row per write, never updated in place.
-- sequence_number is a plain BIGINT, not a sequence or identity: the core
-- allocates it from the meta row inside the write transaction, gap-free.
-- label uses the "C" collation: bytewise order whatever the database's
-- locale. VARCHAR counts characters, the core enforces the byte length.
CREATE TABLE {{.Table}} (
    sequence_number BIGINT      NOT NULL PRIMARY KEY,
    label           VARCHAR({{.KeyLength}}) COLLATE "C" NOT NULL,
    item            BYTEA,
    is_deleted      BOOLEAN     NOT NULL DEFAULT FALSE,
    created         TIMESTAMPTZ NOT NULL,
    version         BIGINT      NOT NULL CHECK (version >= 1),
    author          TEXT        NOT NULL DEFAULT '',
    comment         TEXT        NOT NULL DEFAULT '',
    CHECK (NOT is_deleted OR item IS NULL)
);
-- is_deleted rides along so that listing live keys can be an index-only scan.
CREATE UNIQUE INDEX {{.Table}}_label_seq ON {{.Table}} (label, sequence_number, is_deleted);
CREATE UNIQUE INDEX {{.Table}}_label_version ON {{.Table}} (label, version);
CREATE INDEX {{.Table}}_created ON {{.Table}} (created, sequence_number);
-- The head: one row per key ever written, pointing at its newest journal row.
-- Writers keep it in the same transaction as the journal; it makes Keys and
-- Len cost O(keys) whatever the history depth.
CREATE TABLE {{.Head}} (
    label           VARCHAR({{.KeyLength}}) COLLATE "C" NOT NULL PRIMARY KEY,
    sequence_number BIGINT  NOT NULL,
    version         BIGINT  NOT NULL,
    is_deleted      BOOLEAN NOT NULL
);
CREATE TABLE {{.Meta}} (
    id           INTEGER     NOT NULL PRIMARY KEY CHECK (id = 1),
    last_seq     BIGINT      NOT NULL,
    last_created TIMESTAMPTZ,
    horizon      BIGINT      NOT NULL,
    key_length   INTEGER     NOT NULL
);
INSERT INTO {{.Meta}} (id, last_seq, last_created, horizon, key_length) VALUES (1, 0, NULL, 0, {{.KeyLength}});
