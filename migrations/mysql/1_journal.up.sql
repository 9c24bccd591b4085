-- The journal: one row per write, never updated in place.
-- sequence_number has no AUTO_INCREMENT: the core allocates it from the meta
-- row inside the write transaction, so auto_increment_increment (Galera) and
-- lost auto-increment values on rollback cannot leave gaps.
-- label is VARBINARY: bytewise order, no trailing-space padding, no collation;
-- its length is in bytes and the core enforces it before the server sees a key.
-- created is DATETIME(6) holding UTC, written and read as text, so neither the
-- session time_zone nor the DSN's loc/parseTime can shift it.
CREATE TABLE {{.Table}} (
    sequence_number BIGINT       NOT NULL,
    label           VARBINARY({{.KeyLength}}) NOT NULL,
    item            LONGBLOB     NULL,
    is_deleted      BOOLEAN      NOT NULL DEFAULT FALSE,
    created         DATETIME(6)  NOT NULL,
    version         BIGINT       NOT NULL,
    author          TEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL DEFAULT (''),
    comment         TEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL DEFAULT (''),
    PRIMARY KEY (sequence_number),
    -- is_deleted rides along so that listing live keys never touches the rows.
    UNIQUE KEY {{.Table}}_label_seq (label, sequence_number, is_deleted),
    UNIQUE KEY {{.Table}}_label_version (label, version),
    KEY {{.Table}}_created (created, sequence_number),
    CONSTRAINT {{.Table}}_version_ck CHECK (version >= 1),
    CONSTRAINT {{.Table}}_tombstone_ck CHECK (is_deleted = 0 OR item IS NULL)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
-- The head: one row per key ever written, pointing at its newest journal row.
-- Writers keep it in the same transaction as the journal; it makes Keys and
-- Len cost O(keys) whatever the history depth.
CREATE TABLE {{.Head}} (
    label           VARBINARY({{.KeyLength}}) NOT NULL,
    sequence_number BIGINT  NOT NULL,
    version         BIGINT  NOT NULL,
    is_deleted      BOOLEAN NOT NULL,
    PRIMARY KEY (label)
) ENGINE=InnoDB;
CREATE TABLE {{.Meta}} (
    id           INT         NOT NULL,
    last_seq     BIGINT      NOT NULL,
    last_created DATETIME(6) NULL,
    horizon      BIGINT      NOT NULL,
    key_length   INT         NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT {{.Meta}}_id_ck CHECK (id = 1)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
INSERT INTO {{.Meta}} (id, last_seq, last_created, horizon, key_length) VALUES (1, 0, NULL, 0, {{.KeyLength}});
