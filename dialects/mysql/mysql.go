package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/sqldict/sqldict/dialects"
)

// TimeLayout is the text form in which created values are bound and read.
const TimeLayout = "2006-01-02 15:04:05.000000"

// timeFormat is TimeLayout for DATE_FORMAT.
const timeFormat = `'%Y-%m-%d %H:%i:%s.%f'`

// lockedNow is the UTC time when the row is read, after its lock was
// granted. UTC_TIMESTAMP(6) and NOW(6) are fixed when the statement starts,
// before the lock wait; SYSDATE(6) is read when evaluated but in the
// session's zone, so the wait is added to UTC_TIMESTAMP(6) as the distance
// from NOW(6) to SYSDATE(6). (A server started with --sysdate-is-now makes
// the wait 0, as before; a daylight-saving change during one lock wait
// shifts one commit's time by the change.)
const lockedNow = `DATE_FORMAT(UTC_TIMESTAMP(6) + INTERVAL TIMESTAMPDIFF(MICROSECOND, NOW(6), SYSDATE(6)) MICROSECOND, ` + timeFormat + `)`

// Dialect is MySQL 8 and MariaDB 10.11+. The zero value is ready to use.
type Dialect struct{}

var _ dialects.Dialect = (*Dialect)(nil)

// Name returns "mysql".
func (*Dialect) Name() string { return "mysql" }

// Placeholder returns "?".
func (*Dialect) Placeholder(int) string { return "?" }

// EncodeTime formats t, in UTC, as TimeLayout text: a DATETIME(6) takes the
// text verbatim, whatever the connection's loc and time_zone say. The zero
// time is NULL (an empty journal's last_created).
func (*Dialect) EncodeTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(TimeLayout)
}

// lockPoll is how long one GET_LOCK call waits; LockSchema calls it again
// until it holds the lock or ctx ends, so cancellation is honoured.
const lockPoll = 1

// LockSchema takes the named lock GET_LOCK(name) on conn. MySQL DDL is not
// transactional, so ok changes nothing: a failed migration is left dirty for
// a person to look at.
func (*Dialect) LockSchema(ctx context.Context, conn *sql.Conn, name string) (func(ok bool) error, error) {
	for {
		var got sql.NullInt64
		if err := conn.QueryRowContext(ctx, "SELECT GET_LOCK(?, ?)", name, lockPoll).Scan(&got); err != nil {
			return nil, fmt.Errorf("get_lock %s: %w", name, err)
		}
		if got.Valid && got.Int64 == 1 {
			break
		}
		if !got.Valid {
			return nil, fmt.Errorf("get_lock %s: server returned NULL", name)
		}
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("get_lock %s: %w", name, err)
		}
	}
	// Galera applies other nodes' commits asynchronously, and GET_LOCK is
	// node-local: without this, a node could read the migration state of a
	// journal another node has just created as it was half-way (dirty) or
	// not at all. wsrep_sync_wait = 1 makes this session's reads wait until
	// the node has applied every commit the cluster had when they began.
	// MySQL has no such variable (1193); MariaDB without Galera ignores it.
	synced := true
	if _, err := conn.ExecContext(ctx, "SET SESSION wsrep_sync_wait = 1"); err != nil {
		var me *mysql.MySQLError
		if !errors.As(err, &me) || me.Number != erUnknownSystemVariable {
			_, _ = conn.ExecContext(context.WithoutCancel(ctx), "SELECT RELEASE_LOCK(?)", name)
			return nil, fmt.Errorf("set wsrep_sync_wait: %w", err)
		}
		synced = false
	}
	return func(bool) error {
		var errs []error
		if synced {
			_, err := conn.ExecContext(context.WithoutCancel(ctx), "SET SESSION wsrep_sync_wait = DEFAULT")
			errs = append(errs, err)
		}
		_, err := conn.ExecContext(context.WithoutCancel(ctx), "SELECT RELEASE_LOCK(?)", name)
		return errors.Join(append(errs, err)...)
	}, nil
}

// Server error numbers Classify knows.
const (
	erDupEntry              = 1062
	erLockWaitTimeout       = 1205
	erLockDeadlock          = 1213
	erCheckread             = 1020 // MariaDB innodb_snapshot_isolation: "Record has changed since last read"
	erServerShutdown        = 1053
	erConnectionKilled      = 1927 // MariaDB
	erClientTimeout         = 4031 // MySQL 8: disconnected by the server for inactivity
	erNoSuchTable           = 1146
	erUnknownSystemVariable = 1193
	// Galera: a node outside the cluster's primary component (it lost
	// quorum, or is still joining) refuses every statement with 1047 until
	// it is back: for the client, a server that is not there.
	erWsrepNotReady = 1047
	// A full disk: 1021 ER_DISK_FULL, 1114 ER_RECORD_FILE_FULL (a table
	// or tablespace that cannot grow); 3 EE_WRITE, 1026 ER_ERROR_ON_WRITE
	// and 1030 ER_GET_ERRNO carry the OS error only in their text.
	erDiskFull       = 1021
	erRecordFileFull = 1114
	eeWrite          = 3
	erErrorOnWrite   = 1026
	erGetErrno       = 1030
)

// isStorageFull reports a full disk or table space. For the errors that
// name an OS error, ENOSPC (28) shows only in the message.
func isStorageFull(me *mysql.MySQLError) bool {
	switch me.Number {
	case erDiskFull, erRecordFileFull:
		return true
	case eeWrite, erErrorOnWrite, erGetErrno:
		m := me.Message
		return strings.Contains(m, "No space left on device") || strings.Contains(m, "Errcode: 28 ") ||
			strings.Contains(m, "errno: 28 ") || strings.Contains(m, "error 28 ")
	}
	return false
}

// Classify maps deadlocks, lock wait timeouts, snapshot-isolation write
// conflicts and SQLSTATE 40001 to dialects.ErrRetry, duplicate keys to
// dialects.ErrDuplicate, a missing table (1146) to dialects.ErrNoTable, a
// full disk or table space (1021, 1114, ENOSPC) to dialects.ErrStorageFull,
// and
// lost or refused connections to dialects.ErrConnection, as well as Galera's
// 1047 (node not in the primary component). Galera's certification failures
// (two nodes committed conflicting write-sets, such as two writers' updates
// of the meta row) arrive as 1213 and are retried like deadlocks.
func (*Dialect) Classify(err error) error {
	if err == nil {
		return nil
	}
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		state := string(me.SQLState[:])
		switch {
		case me.Number == erLockDeadlock || me.Number == erLockWaitTimeout || me.Number == erCheckread || state == "40001":
			return &dialects.Classified{Class: dialects.ErrRetry, Err: err}
		case me.Number == erDupEntry:
			return &dialects.Classified{Class: dialects.ErrDuplicate, Err: err}
		case me.Number == erNoSuchTable:
			return &dialects.Classified{Class: dialects.ErrNoTable, Err: err}
		case isStorageFull(me):
			return &dialects.Classified{Class: dialects.ErrStorageFull, Err: err}
		case me.Number == erServerShutdown || me.Number == erConnectionKilled || me.Number == erWsrepNotReady || me.Number == erClientTimeout || strings.HasPrefix(state, "08"):
			return &dialects.Classified{Class: dialects.ErrConnection, Err: err}
		}
		return err
	}
	if IsConnectionError(err) {
		return &dialects.Classified{Class: dialects.ErrConnection, Err: err}
	}
	return err
}

// IsConnectionError reports whether err says the connection to the server is
// gone or could not be made.
func IsConnectionError(err error) bool {
	return errors.Is(err, mysql.ErrInvalidConn) || dialects.IsNetworkError(err)
}

// Queries returns the query texts for table.
func (*Dialect) Queries(table string) dialects.Queries {
	r := dialects.Renderer(table)
	cols := func(a string) string {
		return a + "sequence_number, " + a + "label, " + a + "item, " + a + "is_deleted, DATE_FORMAT(" + a + "created, " +
			timeFormat + "), " + a + "version, " + a + "author, " + a + "comment"
	}
	return dialects.Queries{
		WriteIsolation: sql.LevelReadCommitted,
		ServerClock:    true,

		Lock: r.Replace(`SELECT last_seq, DATE_FORMAT(last_created, ` + timeFormat + `), horizon, ` +
			lockedNow + ` FROM {M} WHERE id = 1 FOR UPDATE`),
		HeadNow: r.Replace(`SELECT last_seq, DATE_FORMAT(last_created, ` + timeFormat + `), horizon, ` +
			`DATE_FORMAT(UTC_TIMESTAMP(6), ` + timeFormat + `) FROM {M} WHERE id = 1`),
		Advance: r.Replace(`UPDATE {M} SET last_seq = ?, last_created = ?, horizon = ?, live = live + ? WHERE id = 1`),
		Head:    r.Replace(`SELECT last_seq, DATE_FORMAT(last_created, ` + timeFormat + `), horizon, live FROM {M} WHERE id = 1`),
		Live:    r.Replace(`SELECT last_seq, live FROM {M} WHERE id = 1`),

		Latest: r.Replace(`SELECT item, is_deleted FROM {T} WHERE label = ? ORDER BY sequence_number DESC LIMIT 1`),
		LatestAt: r.Replace(`SELECT m.horizon, m.last_seq, j.item, j.is_deleted FROM {M} m LEFT JOIN (` +
			`SELECT item, is_deleted FROM {T} WHERE label = ? AND sequence_number <= ? ` +
			`ORDER BY sequence_number DESC LIMIT 1) j ON 1 = 1 WHERE m.id = 1`),
		EntryAt:   r.Replace(`SELECT ` + cols("") + ` FROM {T} WHERE label = ? AND sequence_number <= ? ORDER BY sequence_number DESC LIMIT 1`),
		Current:   r.Replace(`SELECT version, is_deleted FROM {H} WHERE label = ?`),
		CurrentIn: r.Replace(`SELECT label, version, is_deleted FROM {H} WHERE label IN `),
		// VALUES() is deprecated in MySQL 8.0.20+, but the row alias that
		// replaces it is not MariaDB syntax; both accept VALUES().
		HeadUpsert:     r.Replace(`INSERT INTO {H} (label, sequence_number, version, is_deleted) VALUES `),
		HeadUpsertTail: ` ON DUPLICATE KEY UPDATE sequence_number = VALUES(sequence_number), version = VALUES(version), is_deleted = VALUES(is_deleted)`,
		Commit:         r.Replace(`CALL {T}_commit(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		CommitRows:     commitRows,
		HeadKeys:       r.Replace(`SELECT label FROM {H} WHERE label >= ? AND label < ? AND label > ? AND is_deleted = 0 ORDER BY label LIMIT ?`),
		HeadCount:      r.Replace(`SELECT COUNT(*) FROM {H} WHERE label >= ? AND label < ? AND label > ? AND is_deleted = 0`),
		HeadEntries: r.Replace(`SELECT ` + cols("j.") + ` FROM {H} h JOIN {T} j ON j.sequence_number = h.sequence_number ` +
			`WHERE h.label >= ? AND h.label < ? AND h.label > ? AND h.is_deleted = 0 ORDER BY h.label LIMIT ?`),
		Version:     r.Replace(`SELECT ` + cols("") + ` FROM {T} WHERE label = ? AND version = ?`),
		History:     r.Replace(`SELECT ` + cols("") + ` FROM {T} WHERE label = ? AND sequence_number <= ? ORDER BY sequence_number`),
		HistoryPage: r.Replace(`SELECT ` + cols("") + ` FROM {T} WHERE label = ? AND sequence_number > ? AND sequence_number <= ? ORDER BY sequence_number LIMIT ?`),

		KeysAt:  r.Replace(`SELECT g.label FROM ` + groups + ` ORDER BY g.label LIMIT ?`),
		CountAt: r.Replace(`SELECT COUNT(*) FROM (SELECT g.label FROM ` + groups + `) x`),
		EntriesAt: r.Replace(`SELECT ` + cols("t.") + ` FROM (SELECT MAX(g.sequence_number) AS s FROM ` + groups +
			` ORDER BY g.label LIMIT ?) h JOIN {T} t ON t.sequence_number = h.s ORDER BY t.label`),

		KeysNear:  r.Replace(`SELECT h.label ` + nearFrom + ` WHERE ` + liveNear + ` ORDER BY h.label LIMIT ?`),
		CountNear: r.Replace(`SELECT COUNT(*) ` + nearFrom + ` WHERE ` + liveNear),
		EntriesNear: r.Replace(`SELECT ` + cols("t.") + ` ` + nearFrom + ` JOIN {T} t ON t.sequence_number = ` + rowNear +
			` WHERE t.is_deleted = 0 ORDER BY h.label LIMIT ?`),

		Log:               r.Replace(`SELECT ` + cols("") + ` FROM {T} WHERE sequence_number > ? AND sequence_number <= ? ORDER BY sequence_number LIMIT ?`),
		SequenceAt:        r.Replace(`SELECT sequence_number FROM {T} WHERE created <= ? ORDER BY created DESC, sequence_number DESC LIMIT 1`),
		HorizonCreated:    r.Replace(`SELECT horizon, DATE_FORMAT(horizon_created, ` + timeFormat + `) FROM {M} WHERE id = 1`),
		SetHorizonCreated: r.Replace(`UPDATE {M} SET horizon_created = ? WHERE id = 1`),
		CreatedAt:         r.Replace(`SELECT DATE_FORMAT(created, ` + timeFormat + `) FROM {T} WHERE sequence_number = ?`),
		Insert:            r.Replace(`INSERT INTO {T} ({COLS}) VALUES `),
		PruneKey:          r.Replace(`DELETE FROM {T} WHERE label = ? AND sequence_number < ?`),

		// through enters through p: the select list, which needs it, comes
		// before the WHERE that needs after. vt reads backwards from the
		// label's newest row to the first at or below through: MariaDB
		// cannot seek a correlated range, so it costs the versions written
		// after through (those a policy keeps), not the whole history.
		PrunePlan: r.Replace(`SELECT h.label, ` +
			`(SELECT j.version FROM {T} j WHERE j.label = h.label ORDER BY j.version LIMIT 1), ` +
			`h.version, ` +
			`(SELECT j.version FROM {T} j WHERE j.label = h.label AND j.sequence_number <= p.thr ORDER BY j.sequence_number DESC LIMIT 1), ` +
			`h.sequence_number, h.is_deleted ` +
			`FROM {H} h CROSS JOIN (SELECT CAST(? AS BINARY) AS af, CAST(? AS SIGNED) AS thr) p WHERE h.label > p.af ORDER BY h.label LIMIT ?`),
		PruneEdge: r.Replace(`SELECT version, sequence_number, is_deleted FROM {T} WHERE label = ? AND version >= ? AND version <= ? ORDER BY version`),
		PruneRows: r.Replace(`DELETE FROM {T} WHERE label = ? AND version < ?`),
	}
}

// groups is the listing at a sequence behind KeysAt, CountAt and
// EntriesAt: the labels in [from, until) above after whose newest row at or
// below bound is live. Parameters: from, until, after, bound, in the order
// the core passes them.
//
// GROUP BY label with MAX(sequence_number) over the index (label,
// sequence_number, is_deleted) is a loose index scan ("Using index for
// group-by"): one seek per label, straight to its newest row at or below the
// bound, never a walk over its versions. The HAVING test reads that row by
// primary key. Groups stream in label order, so an outer LIMIT stops the
// scan early: a page costs O(page · log rows), a count O(keys · log rows).
//
// Two plans that look cheaper are not, on MariaDB: a correlated "newest row
// of h.label at or below the bound" subquery per head-table row runs as a
// ref scan on the label that reads every version written after the bound
// (ANALYZE: 51 entries per key half way back through 100 versions), and a
// recursive CTE stepping from label to label plans its correlated "next
// label" subquery as a scan from the first index entry (700 101 entries per
// step on 10 000 keys × 100 versions).
const groups = `{T} g WHERE g.label >= ? AND g.label < ? AND g.label > ? AND g.sequence_number <= ? ` +
	`GROUP BY g.label HAVING (SELECT j.is_deleted FROM {T} j WHERE j.sequence_number = MAX(g.sequence_number)) = 0`

// nearFrom, liveNear and rowNear are the listing at a point few commits
// behind the newest (KeysNear and its kin): the head-table walk. A key not
// written since the point is answered by its head row; only the others
// read the journal, and the correlated subquery's ref scan on the label
// reads just the versions written since. The parameters enter through the
// one-row derived table p, so that each is bound once and in the order the
// core passes them (from, until, after, bound): MariaDB reads p as a
// constant table and seeks the head's primary key on the range.
const (
	nearFrom = `FROM (SELECT CAST(? AS BINARY) AS lo, CAST(? AS BINARY) AS hi, CAST(? AS BINARY) AS af, CAST(? AS SIGNED) AS b) p ` +
		`JOIN {H} h ON h.label >= p.lo AND h.label < p.hi AND h.label > p.af`
	liveNear = `(CASE WHEN h.sequence_number <= p.b THEN h.is_deleted ELSE (` +
		`SELECT x.is_deleted FROM {T} x WHERE x.label = h.label AND x.sequence_number <= p.b ` +
		`ORDER BY x.sequence_number DESC LIMIT 1) END) = 0`
	rowNear = `(CASE WHEN h.sequence_number <= p.b THEN h.sequence_number ELSE (` +
		`SELECT x.sequence_number FROM {T} x WHERE x.label = h.label AND x.sequence_number <= p.b ` +
		`ORDER BY x.sequence_number DESC LIMIT 1) END)`
)
