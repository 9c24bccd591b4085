-- {{.Table}}_commit is a whole commit in one call, so that a write costs the
-- server one round trip and holds the journal's lock only while the server
-- works: the same contract as PostgreSQL's {{.Table}}_commit function (see
-- dialects.Queries.Commit). The core plans the commit (versions, checks,
-- sequence offsets) from what it believes the head of its keys to be, and
-- the procedure, under the meta row's lock, compares that belief with the
-- head. When every key is as believed it appends the rows (sequence numbers
-- after last_seq, in order), points the head rows at each key's last row,
-- advances the meta row, commits, and answers one row (NULL, NULL, NULL,
-- last_seq before the commit, its time). Otherwise it writes nothing and
-- answers each key's head as it is (version 0 and is_deleted for a key never
-- written), for the core to plan again.
--
-- The arrays arrive as JSON text (dialects/mysql BindArray): strings as
-- strings, numbers and 0/1 flags as numbers, items base64 or null. A CALL in
-- autocommit would commit each statement alone, so the procedure runs its
-- own READ COMMITTED transaction (SET TRANSACTION names the next transaction
-- only: the session of the caller's pooled connection keeps its level), and
-- on any error rolls it back before passing the error on, so that no pooled
-- connection is left holding the lock. Each statement of a procedure reads
-- with a fresh read view at READ COMMITTED, so the head is read after the
-- lock is granted, as in the core's own write transaction. The commit time
-- is lockedNow of dialects/mysql (NOW(6) and UTC_TIMESTAMP(6) are fixed
-- before the lock wait, SYSDATE(6) is not), never before last_created. The
-- answer comes after COMMIT: a success row is never followed by an error.
--
-- The rows are those of JSON_TABLE(p_items), which reads the largest array
-- once; each row takes its label, flags, version, author and comment from
-- the other arrays by position (JSON_EXTRACT '$[n]'), and each key its
-- believed version and flag likewise. MariaDB has no cheap way to pair
-- JSON_TABLEs by ordinal (it joins them as block nested loops, and
-- materialising them with a key puts TEXT columns in an on-disk temporary
-- table); a positional read scans its array from the start, so a call's
-- cost grows with the square of its rows, and the dialect bounds them
-- (Queries.CommitRows). Each key's head row is read back from the journal
-- row p_ords points at, so p_heads, the keys' labels, is not needed here.
--
-- A plain CREATE: it needs CREATE ROUTINE only, where DROP PROCEDURE IF
-- EXISTS and MariaDB's CREATE OR REPLACE need ALTER ROUTINE even when there
-- is nothing to drop (MySQL 8 has no OR REPLACE). A new journal whose
-- procedure name is taken (by one a journal dropped by hand left behind)
-- fails with ErrNameTaken before anything is created. SQL SECURITY
-- INVOKER: a caller needs EXECUTE on it and the table privileges every
-- write needs anyway; nothing depends on the account that migrated.
DELIMITER //
CREATE PROCEDURE {{.Table}}_commit(
    p_keys LONGTEXT CHARACTER SET utf8mb4, p_kver LONGTEXT CHARACTER SET utf8mb4, p_kdel LONGTEXT CHARACTER SET utf8mb4,
    p_labels LONGTEXT CHARACTER SET utf8mb4, p_items LONGTEXT CHARACTER SET utf8mb4, p_dels LONGTEXT CHARACTER SET utf8mb4,
    p_vers LONGTEXT CHARACTER SET utf8mb4, p_authors LONGTEXT CHARACTER SET utf8mb4, p_comments LONGTEXT CHARACTER SET utf8mb4,
    p_heads LONGTEXT CHARACTER SET utf8mb4, p_ords LONGTEXT CHARACTER SET utf8mb4, p_live BIGINT)
MODIFIES SQL DATA
SQL SECURITY INVOKER
BEGIN
    DECLARE v_seq BIGINT;
    DECLARE v_last, v_now, v_created DATETIME(6);
    DECLARE EXIT HANDLER FOR SQLEXCEPTION
    BEGIN
        ROLLBACK;
        RESIGNAL;
    END;
    SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
    START TRANSACTION;
    SELECT last_seq, last_created,
           UTC_TIMESTAMP(6) + INTERVAL TIMESTAMPDIFF(MICROSECOND, NOW(6), SYSDATE(6)) MICROSECOND
        INTO v_seq, v_last, v_now
        FROM {{.Meta}} WHERE id = 1 FOR UPDATE;
    IF EXISTS (SELECT 1
            FROM JSON_TABLE(p_keys, '$[*]' COLUMNS (o FOR ORDINALITY, l VARBINARY(2048) PATH '$')) k
            LEFT JOIN {{.Head}} h ON h.label = k.l
            WHERE COALESCE(h.version, 0) <> CAST(JSON_EXTRACT(p_kver, CONCAT('$[', k.o - 1, ']')) AS SIGNED)
               OR COALESCE(h.is_deleted, 1) <> CAST(JSON_EXTRACT(p_kdel, CONCAT('$[', k.o - 1, ']')) AS SIGNED)) THEN
        ROLLBACK;
        SELECT k.l, COALESCE(h.version, 0), COALESCE(h.is_deleted, 1), NULL, NULL
            FROM JSON_TABLE(p_keys, '$[*]' COLUMNS (l VARBINARY(2048) PATH '$')) k
            LEFT JOIN {{.Head}} h ON h.label = k.l;
    ELSEIF JSON_LENGTH(p_labels) = 0 THEN
        ROLLBACK;
        SELECT NULL, NULL, NULL, v_seq, NULL;
    ELSE
        SET v_created = IF(v_last > v_now, v_last, v_now);
        INSERT INTO {{.Table}} (sequence_number, label, item, is_deleted, created, version, author, comment)
            SELECT v_seq + r.o, JSON_UNQUOTE(JSON_EXTRACT(p_labels, CONCAT('$[', r.o - 1, ']'))), FROM_BASE64(r.i),
                CAST(JSON_EXTRACT(p_dels, CONCAT('$[', r.o - 1, ']')) AS SIGNED), v_created,
                CAST(JSON_EXTRACT(p_vers, CONCAT('$[', r.o - 1, ']')) AS SIGNED),
                JSON_UNQUOTE(JSON_EXTRACT(p_authors, CONCAT('$[', r.o - 1, ']'))),
                JSON_UNQUOTE(JSON_EXTRACT(p_comments, CONCAT('$[', r.o - 1, ']')))
            FROM JSON_TABLE(p_items, '$[*]' COLUMNS (o FOR ORDINALITY, i LONGTEXT PATH '$')) r;
        INSERT INTO {{.Head}} (label, sequence_number, version, is_deleted)
            SELECT j.label, j.sequence_number, j.version, j.is_deleted
            FROM JSON_TABLE(p_ords, '$[*]' COLUMNS (o BIGINT PATH '$')) k
            JOIN {{.Table}} j ON j.sequence_number = v_seq + k.o
            ON DUPLICATE KEY UPDATE sequence_number = VALUES(sequence_number), version = VALUES(version),
                is_deleted = VALUES(is_deleted);
        UPDATE {{.Meta}} SET last_seq = v_seq + JSON_LENGTH(p_labels), last_created = v_created, live = live + p_live
            WHERE id = 1;
        COMMIT;
        SELECT NULL, NULL, NULL, v_seq, DATE_FORMAT(v_created, '%Y-%m-%d %H:%i:%s.%f');
    END IF;
END //
DELIMITER ;
