-- {{.Table}}_commit is a whole commit in one call, so that a write costs the
-- server one round trip and holds the journal's lock only while the server
-- works: the core plans the commit (versions, checks, sequence offsets) from
-- what it believes the head of its keys to be, and the function, under the
-- meta row's lock, compares that belief with the head. When every key is as
-- believed it appends the rows (sequence numbers after last_seq, in order),
-- points the head rows at each key's last row and advances the meta row; it
-- answers one row (NULL, NULL, NULL, last_seq before the commit, its time).
-- Otherwise it writes nothing and answers each key's head as it is (version
-- 0 and is_deleted for a key never written), for the core to plan again.
-- Each statement of a VOLATILE function takes a fresh snapshot in READ
-- COMMITTED, so the head is read after the lock is granted, as in the core's
-- own write transaction. Parameters: the keys and their believed versions
-- and is_deleted; the rows' labels, items (NULL for a deletion), is_deleted,
-- versions, authors, comments; each key's last row (label, 1-based index
-- into the rows); the change in live keys. A call with no rows only checks.
CREATE OR REPLACE FUNCTION {{.Table}}_commit(
    p_keys TEXT[], p_kver BIGINT[], p_kdel BOOLEAN[],
    p_labels TEXT[], p_items BYTEA[], p_dels BOOLEAN[], p_vers BIGINT[], p_authors TEXT[], p_comments TEXT[],
    p_heads TEXT[], p_ords BIGINT[], p_live BIGINT)
RETURNS TABLE (r_label TEXT, r_version BIGINT, r_deleted BOOLEAN, r_seq BIGINT, r_created TIMESTAMPTZ)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_seq     BIGINT;
    v_last    TIMESTAMPTZ;
    v_created TIMESTAMPTZ;
BEGIN
    SELECT m.last_seq, m.last_created INTO v_seq, v_last FROM {{.Meta}} m WHERE m.id = 1 FOR UPDATE;
    -- LIMIT 1 keeps each key an index seek in every plan (see CurrentAny).
    IF EXISTS (SELECT 1 FROM unnest(p_keys, p_kver, p_kdel) k(l, v, d)
               LEFT JOIN LATERAL (SELECT h.version, h.is_deleted FROM {{.Head}} h WHERE h.label = k.l LIMIT 1) h ON TRUE
               WHERE COALESCE(h.version, 0) <> k.v OR COALESCE(h.is_deleted, TRUE) <> k.d) THEN
        RETURN QUERY SELECT k.l, COALESCE(h.version, 0), COALESCE(h.is_deleted, TRUE), NULL::BIGINT, NULL::TIMESTAMPTZ
            FROM unnest(p_keys) k(l)
            LEFT JOIN LATERAL (SELECT h.version, h.is_deleted FROM {{.Head}} h WHERE h.label = k.l LIMIT 1) h ON TRUE;
        RETURN;
    END IF;
    IF cardinality(p_labels) = 0 THEN
        RETURN QUERY SELECT NULL::TEXT, NULL::BIGINT, NULL::BOOLEAN, v_seq, NULL::TIMESTAMPTZ;
        RETURN;
    END IF;
    -- created never decreases along the journal (GREATEST ignores NULL).
    v_created := GREATEST(clock_timestamp(), v_last);
    INSERT INTO {{.Table}} (sequence_number, label, item, is_deleted, created, version, author, comment)
        SELECT v_seq + u.o, u.l, u.i, u.d, v_created, u.v, u.a, u.c
        FROM unnest(p_labels, p_items, p_dels, p_vers, p_authors, p_comments) WITH ORDINALITY u(l, i, d, v, a, c, o);
    INSERT INTO {{.Head}} AS h (label, sequence_number, version, is_deleted)
        SELECT k.l, v_seq + k.o, p_vers[k.o], p_dels[k.o] FROM unnest(p_heads, p_ords) k(l, o)
        ON CONFLICT (label) DO UPDATE SET sequence_number = excluded.sequence_number,
            version = excluded.version, is_deleted = excluded.is_deleted;
    UPDATE {{.Meta}} SET last_seq = v_seq + cardinality(p_labels), last_created = v_created, live = live + p_live WHERE id = 1;
    -- Watchers in other processes LISTEN here (dialects.NotifyChannel).
    PERFORM pg_notify('sqldict_{{.Table}}', '');
    RETURN QUERY SELECT NULL::TEXT, NULL::BIGINT, NULL::BOOLEAN, v_seq, v_created;
END
$$;
