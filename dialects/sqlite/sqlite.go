// Package sqlite is the sqldict dialect for SQLite through
// gorm.io/driver/sqlite (github.com/mattn/go-sqlite3, cgo).
//
// # Writers and readers
//
// Write transactions open with BEGIN IMMEDIATE on one dedicated connection, so
// a transaction that reads the meta row and then writes never meets
// SQLITE_BUSY half way; the core also serialises writers of a process before
// they reach the file. In WAL mode (which OpenURL sets) readers are never
// blocked by the writer. Another process writing the same file makes BEGIN
// IMMEDIATE wait up to the busy timeout; SQLITE_BUSY after that is classified
// as dialects.ErrRetry and the core retries.
//
// # Time
//
// SQLite has no clock finer than a millisecond, so commit times come from the
// process clock (microseconds, UTC), clamped so they never decrease. created
// is stored as TEXT "2006-01-02 15:04:05.000000", which sorts like the instant
// and is understood by SQLite's date functions.
//
// # Plans
//
// Keys, Len and the entry scan at any sequence are a skip scan: a recursive
// CTE steps from one distinct label to the next through the covering index
// (label, sequence_number, is_deleted), and for each label seeks its newest
// row at or below the bound in the same index. EXPLAIN QUERY PLAN on a
// journal of 10 000 keys × 100 versions:
//
//	CO-ROUTINE k
//	  SETUP
//	    SCALAR SUBQUERY 1: SEARCH t USING COVERING INDEX t_label_seq (label>?)
//	  RECURSIVE STEP
//	    SCAN k
//	    CORRELATED SCALAR SUBQUERY 3: SEARCH t USING COVERING INDEX t_label_seq (label>?)
//	SCAN k
//	CORRELATED SCALAR SUBQUERY 5: SEARCH j USING COVERING INDEX t_label_seq (label=? AND sequence_number<?)
//
// Each key costs two index seeks, O(keys · log rows), whatever the depth.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/mattn/go-sqlite3"

	"github.com/sqldict/sqldict/dialects"
)

// TimeLayout is the text form of the created column.
const TimeLayout = "2006-01-02 15:04:05.000000"

// Dialect is SQLite. The zero value is ready to use.
type Dialect struct{}

var _ dialects.Dialect = (*Dialect)(nil)

// Name returns "sqlite".
func (*Dialect) Name() string { return "sqlite" }

// Placeholder returns "?".
func (*Dialect) Placeholder(int) string { return "?" }

// EncodeTime formats t in TimeLayout.
func (*Dialect) EncodeTime(t time.Time) any { return t.UTC().Format(TimeLayout) }

// LockSchema opens a write transaction (BEGIN IMMEDIATE) that holds the
// whole migration: SQLite DDL is transactional, so a migration either lands
// whole with its version or not at all.
func (*Dialect) LockSchema(ctx context.Context, conn *sql.Conn, _ string) (func(ok bool) error, error) {
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		return nil, err
	}
	return func(ok bool) error {
		end := "COMMIT"
		if !ok {
			end = "ROLLBACK"
		}
		_, err := conn.ExecContext(context.WithoutCancel(ctx), end)
		return err
	}, nil
}

// Classify maps SQLITE_BUSY and SQLITE_LOCKED to dialects.ErrRetry and
// unique or primary key violations to dialects.ErrDuplicate.
func (*Dialect) Classify(err error) error {
	var se sqlite3.Error
	if !errors.As(err, &se) {
		return err
	}
	switch {
	case se.Code == sqlite3.ErrBusy || se.Code == sqlite3.ErrLocked:
		return &dialects.Classified{Class: dialects.ErrRetry, Err: err}
	case se.ExtendedCode == sqlite3.ErrConstraintUnique || se.ExtendedCode == sqlite3.ErrConstraintPrimaryKey:
		return &dialects.Classified{Class: dialects.ErrDuplicate, Err: err}
	}
	return err
}

// Queries returns the query texts for table.
func (*Dialect) Queries(table string) dialects.Queries {
	r := dialects.Renderer(table)
	return dialects.Queries{
		BeginWrite:   "BEGIN IMMEDIATE",
		SerialWrites: true,

		Lock:    r.Replace(`SELECT last_seq, last_created, horizon, NULL FROM {M} WHERE id = 1`),
		Advance: r.Replace(`UPDATE {M} SET last_seq = ?1, last_created = ?2, horizon = ?3 WHERE id = 1`),
		Head:    r.Replace(`SELECT last_seq, last_created, horizon FROM {M} WHERE id = 1`),

		Latest: r.Replace(`SELECT item, is_deleted FROM {T} WHERE label = ?1 ORDER BY sequence_number DESC LIMIT 1`),
		LatestAt: r.Replace(`SELECT m.horizon, m.last_seq, j.item, j.is_deleted FROM {M} m LEFT JOIN (` +
			`SELECT item, is_deleted FROM {T} WHERE label = ?1 AND sequence_number <= ?2 ` +
			`ORDER BY sequence_number DESC LIMIT 1) j ON 1 = 1 WHERE m.id = 1`),
		EntryAt: r.Replace(`SELECT {COLS} FROM {T} WHERE label = ?1 AND sequence_number <= ?2 ORDER BY sequence_number DESC LIMIT 1`),
		Current: r.Replace(`SELECT version, is_deleted FROM {T} WHERE label = ?1 ORDER BY sequence_number DESC LIMIT 1`),
		Version: r.Replace(`SELECT {COLS} FROM {T} WHERE label = ?1 AND version = ?2`),
		History: r.Replace(`SELECT {COLS} FROM {T} WHERE label = ?1 AND sequence_number <= ?2 ORDER BY sequence_number`),

		KeysAt:  r.Replace(skipScan + `SELECT label FROM k WHERE label < ?2 AND ` + liveAt + ` LIMIT ?5`),
		CountAt: r.Replace(skipScan + `SELECT COUNT(*) FROM k WHERE label < ?2 AND ` + liveAt),
		EntriesAt: r.Replace(skipScan + `, h(s) AS (SELECT (SELECT j.sequence_number FROM {T} j WHERE j.label = k.label ` +
			`AND j.sequence_number <= ?4 ORDER BY j.sequence_number DESC LIMIT 1) FROM k WHERE k.label < ?2) ` +
			`SELECT {COLS} FROM h CROSS JOIN {T} ON {T}.sequence_number = h.s WHERE {T}.is_deleted = 0 LIMIT ?5`),

		Log:        r.Replace(`SELECT {COLS} FROM {T} WHERE sequence_number > ?1 AND sequence_number <= ?2 ORDER BY sequence_number LIMIT ?3`),
		SequenceAt: r.Replace(`SELECT sequence_number FROM {T} WHERE created <= ?1 ORDER BY created DESC, sequence_number DESC LIMIT 1`),
		Insert:     r.Replace(`INSERT INTO {T} ({COLS}) VALUES `),
		PruneKey:   r.Replace(`DELETE FROM {T} WHERE label = ?1 AND sequence_number < ?2`),
	}
}

// skipScan walks the distinct labels in [from, until) above after, one index
// seek per label. Parameters ?1 from, ?2 until, ?3 after.
const skipScan = `WITH RECURSIVE k(label) AS (` +
	`SELECT (SELECT label FROM {T} WHERE label >= ?1 AND label > ?3 ORDER BY label LIMIT 1) ` +
	`UNION ALL ` +
	`SELECT (SELECT label FROM {T} WHERE label > k.label ORDER BY label LIMIT 1) FROM k WHERE k.label < ?2) `

// liveAt holds for a label whose newest row at or below ?4 is not a tombstone.
const liveAt = `(SELECT j.is_deleted FROM {T} j WHERE j.label = k.label AND j.sequence_number <= ?4 ` +
	`ORDER BY j.sequence_number DESC LIMIT 1) = 0`
