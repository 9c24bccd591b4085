// Package sqlite is the sqldict dialect for SQLite through
// github.com/mattn/go-sqlite3 (cgo).
//
// Importing it registers the URL scheme sqlite: with the dialects registry,
// which sqldict.OpenURL and sqldict.Open (for a gorm.io/driver/sqlite
// connection) look up:
//
//	import _ "github.com/sqldict/sqldict/dialects/sqlite"
//
// A binary built with CGO_ENABLED=0 still compiles this package, without
// go-sqlite3: opening an sqlite: URL then fails with ErrNoCgo.
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
// Listing and counting walk the head table (one row per key, WITHOUT ROWID,
// keyed by label) in key order. At the newest commit a head row is the
// answer. At an older sequence S a key whose head row is at or below S was
// not written since, so its head row is still the answer; only keys written
// after S cost one seek for their newest row at or below S in the covering
// index (label, sequence_number, is_deleted). A listing at S therefore costs
// O(keys + keys written since S · log rows). EXPLAIN QUERY PLAN on a journal
// of 10 000 keys × 100 versions (SQLite 3.50, after ANALYZE):
//
//	KeysAt, CountAt:
//	  SEARCH h USING PRIMARY KEY (label>? AND label<?)
//	  CORRELATED SCALAR SUBQUERY: SEARCH x USING COVERING INDEX t_label_seq (label=? AND sequence_number<?)
//	EntriesAt: the same, then SEARCH j USING INTEGER PRIMARY KEY (rowid=?)
//	HeadKeys, HeadCount: SEARCH t_head USING PRIMARY KEY (label>? AND label<?)
//	HeadEntries: SEARCH h USING PRIMARY KEY (label>? AND label<?);
//	  SEARCH j USING INTEGER PRIMARY KEY (rowid=?)
//	Latest: SEARCH t USING INDEX t_label_seq (label=?)
//	LatestAt: SEARCH t USING INDEX t_label_seq (label=? AND sequence_number<?)
//	SequenceAt: SEARCH t USING COVERING INDEX t_created (created<?)
//
// Measured (BenchmarkViewKeys, same run): Keys of 10 000 keys at depth 1
// costs the same at any sequence as at the head; at depth 100, where every
// key was rewritten after the old points, 4–6x the head (2–3 µs per seek).
package sqlite

import (
	"context"
	"database/sql"
	"time"

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
	return dialects.BeginSchema(ctx, conn, "BEGIN IMMEDIATE")
}

// Queries returns the query texts for table.
func (*Dialect) Queries(table string) dialects.Queries {
	r := dialects.Renderer(table)
	return dialects.Queries{
		BeginWrite:   "BEGIN IMMEDIATE",
		SerialWrites: true,

		Lock:    r.Replace(`SELECT last_seq, last_created, horizon, NULL FROM {M} WHERE id = 1`),
		HeadNow: r.Replace(`SELECT last_seq, last_created, horizon, NULL FROM {M} WHERE id = 1`),
		Advance: r.Replace(`UPDATE {M} SET last_seq = ?1, last_created = ?2, horizon = ?3, live = live + ?4 WHERE id = 1`),
		Head:    r.Replace(`SELECT last_seq, last_created, horizon, live FROM {M} WHERE id = 1`),
		Live:    r.Replace(`SELECT last_seq, live FROM {M} WHERE id = 1`),

		Latest: r.Replace(`SELECT item, is_deleted FROM {T} WHERE label = ?1 ORDER BY sequence_number DESC LIMIT 1`),
		LatestAt: r.Replace(`SELECT m.horizon, m.last_seq, j.item, j.is_deleted FROM {M} m LEFT JOIN (` +
			`SELECT item, is_deleted FROM {T} WHERE label = ?1 AND sequence_number <= ?2 ` +
			`ORDER BY sequence_number DESC LIMIT 1) j ON 1 = 1 WHERE m.id = 1`),
		EntryAt:        r.Replace(`SELECT {COLS} FROM {T} WHERE label = ?1 AND sequence_number <= ?2 ORDER BY sequence_number DESC LIMIT 1`),
		Current:        r.Replace(`SELECT version, is_deleted FROM {H} WHERE label = ?1`),
		CurrentIn:      r.Replace(`SELECT label, version, is_deleted FROM {H} WHERE label IN `),
		HeadUpsert:     r.Replace(`INSERT INTO {H} (label, sequence_number, version, is_deleted) VALUES `),
		HeadUpsertTail: ` ON CONFLICT (label) DO UPDATE SET sequence_number = excluded.sequence_number, version = excluded.version, is_deleted = excluded.is_deleted`,
		HeadKeys:       r.Replace(`SELECT label FROM {H} WHERE label >= ?1 AND label < ?2 AND label > ?3 AND is_deleted = 0 ORDER BY label LIMIT ?4`),
		HeadCount:      r.Replace(`SELECT COUNT(*) FROM {H} WHERE label >= ?1 AND label < ?2 AND label > ?3 AND is_deleted = 0`),
		HeadEntries: r.Replace(`SELECT {JCOLS} FROM {H} h CROSS JOIN {T} j ON j.sequence_number = h.sequence_number ` +
			`WHERE h.label >= ?1 AND h.label < ?2 AND h.label > ?3 AND h.is_deleted = 0 ORDER BY h.label LIMIT ?4`),
		Version:     r.Replace(`SELECT {COLS} FROM {T} WHERE label = ?1 AND version = ?2`),
		History:     r.Replace(`SELECT {COLS} FROM {T} WHERE label = ?1 AND sequence_number <= ?2 ORDER BY sequence_number`),
		HistoryPage: r.Replace(`SELECT {COLS} FROM {T} WHERE label = ?1 AND sequence_number > ?2 AND sequence_number <= ?3 ORDER BY sequence_number LIMIT ?4`),

		KeysAt:  r.Replace(`SELECT h.label FROM {H} h WHERE ` + headRange + ` AND ` + liveAt + ` ORDER BY h.label LIMIT ?5`),
		CountAt: r.Replace(`SELECT COUNT(*) FROM {H} h WHERE ` + headRange + ` AND ` + liveAt),
		EntriesAt: r.Replace(`SELECT {JCOLS} FROM {H} h CROSS JOIN {T} j ON j.sequence_number = ` + rowAt +
			` WHERE ` + headRange + ` AND j.is_deleted = 0 ORDER BY h.label LIMIT ?5`),

		Log:               r.Replace(`SELECT {COLS} FROM {T} WHERE sequence_number > ?1 AND sequence_number <= ?2 ORDER BY sequence_number LIMIT ?3`),
		SequenceAt:        r.Replace(`SELECT sequence_number FROM {T} WHERE created <= ?1 ORDER BY created DESC, sequence_number DESC LIMIT 1`),
		HorizonCreated:    r.Replace(`SELECT horizon, horizon_created FROM {M} WHERE id = 1`),
		SetHorizonCreated: r.Replace(`UPDATE {M} SET horizon_created = ?1 WHERE id = 1`),
		CreatedAt:         r.Replace(`SELECT created FROM {T} WHERE sequence_number = ?1`),
		Insert:            r.Replace(`INSERT INTO {T} ({COLS}) VALUES `),
		PruneKey:          r.Replace(`DELETE FROM {T} WHERE label = ?1 AND sequence_number < ?2`),

		PrunePlan: r.Replace(`SELECT h.label, ` +
			`(SELECT version FROM {T} j WHERE j.label = h.label ORDER BY version LIMIT 1), ` +
			`h.version, ` +
			`(SELECT version FROM {T} j WHERE j.label = h.label AND j.sequence_number <= ?2 ORDER BY j.sequence_number DESC LIMIT 1), ` +
			`h.sequence_number, h.is_deleted ` +
			`FROM {H} h WHERE h.label > ?1 ORDER BY h.label LIMIT ?3`),
		PruneEdge: r.Replace(`SELECT version, sequence_number, is_deleted FROM {T} WHERE label = ?1 AND version >= ?2 AND version <= ?3 ORDER BY version`),
		PruneRows: r.Replace(`DELETE FROM {T} WHERE label = ?1 AND version < ?2`),

		PauseCheckpoints:  `PRAGMA wal_autocheckpoint = 0`,
		ResumeCheckpoints: `PRAGMA wal_autocheckpoint = 1000`,
		CheckpointStep:    `PRAGMA wal_checkpoint(PASSIVE)`,

		Checkpoint: `PRAGMA wal_checkpoint(TRUNCATE)`,
		FreePages:  `SELECT CASE WHEN (SELECT auto_vacuum FROM pragma_auto_vacuum) = 2 THEN (SELECT freelist_count FROM pragma_freelist_count) ELSE 0 END`,
		Shrink:     `PRAGMA incremental_vacuum(` + shrinkPages + `)`,
		Vacuum:     `VACUUM`,
	}
}

// shrinkPages is how many free pages one Shrink returns to the file system:
// 2 048 pages of 4 KiB, a few milliseconds of work.
const shrinkPages = "2048"

// headRange selects head rows in [?1, ?2) above ?3.
const headRange = `h.label >= ?1 AND h.label < ?2 AND h.label > ?3`

// rowAt is the sequence number of h's newest row at or below ?4: the head
// row itself when the key was not written since, else one index seek.
const rowAt = `(CASE WHEN h.sequence_number <= ?4 THEN h.sequence_number ELSE (` +
	`SELECT x.sequence_number FROM {T} x WHERE x.label = h.label AND x.sequence_number <= ?4 ` +
	`ORDER BY x.sequence_number DESC LIMIT 1) END)`

// liveAt holds for a head row whose key was live at ?4.
const liveAt = `(CASE WHEN h.sequence_number <= ?4 THEN h.is_deleted ELSE (` +
	`SELECT x.is_deleted FROM {T} x WHERE x.label = h.label AND x.sequence_number <= ?4 ` +
	`ORDER BY x.sequence_number DESC LIMIT 1) END) = 0`
