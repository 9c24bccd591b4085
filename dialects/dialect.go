// Package dialects defines the seam between the sqldict core and one SQL
// engine.
//
// A Dialect is deliberately small and dumb: it names its engine, supplies the
// query texts tuned for that engine, and classifies the engine's native errors. Everything that decides what a
// journal means — sequence allocation, versions, snapshots, pruning, retries —
// is written once in package sqldict and works through these texts.
//
// Query texts are final: written in the engine's own placeholder style, each
// parameter consumed once in the order its field's doc gives. The core builds
// only two kinds of text itself, multi-row INSERTs and IN lists, using
// Placeholder.
package dialects

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"
	"time"
)

// Dialect is one SQL engine as the sqldict core sees it. Implementations must
// be safe for concurrent use; they hold no connection state.
type Dialect interface {
	// Name is the engine's short name: "sqlite", "mysql" or "postgres".
	Name() string

	// Placeholder returns the text of the n-th (1-based) bind parameter.
	Placeholder(n int) string

	// Queries returns the query texts for the journal named table. table has
	// already been validated as a plain identifier.
	Queries(table string) Queries

	// Classify maps a native error to one of the Err* classes of this
	// package (wrapped, so the native error stays reachable with errors.As),
	// or returns err unchanged when it is of no known class.
	Classify(err error) error

	// EncodeTime converts a commit time (UTC, microseconds) into the value
	// bound for the created column.
	EncodeTime(t time.Time) any

	// LockSchema takes, on conn, the lock that serialises schema migrations
	// of one journal across processes, and returns the function that
	// releases it. Engines with transactional DDL open a transaction here
	// and end it in unlock: COMMIT when ok, ROLLBACK otherwise, so a failed
	// migration leaves nothing behind.
	LockSchema(ctx context.Context, conn *sql.Conn, name string) (unlock func(ok bool) error, err error)
}

// ArrayBinder is implemented by a dialect whose driver cannot bind a Go
// slice as one parameter: the core passes each array parameter of
// Queries.Commit ([]string, []int64, []bool, [][]byte with nil for NULL)
// through BindArray and binds what it returns (MySQL: a JSON array the
// statement unpacks with JSON_TABLE).
type ArrayBinder interface {
	BindArray(v any) (any, error)
}

// Queries holds the texts a journal runs. Column order of every SELECT that
// returns entries is EntryColumns.
type Queries struct {
	// BeginWrite, when set, is executed on a dedicated connection to open a
	// write transaction (SQLite: "BEGIN IMMEDIATE"). When empty the core uses
	// database/sql's BeginTx with WriteIsolation.
	BeginWrite string
	// WriteIsolation is the isolation level of write transactions opened
	// with BeginTx.
	WriteIsolation sql.IsolationLevel
	// SerialWrites asks the core to serialise its own writers in process
	// before they reach the engine (SQLite allows one writer per file).
	SerialWrites bool
	// ServerClock is true when Lock returns the server's current time in its
	// fourth column; otherwise the core uses the process clock.
	ServerClock bool

	// Lock reads (last_seq, last_created, horizon, now) from the meta row and
	// holds the journal's write lock until the transaction ends. now must be
	// read after the lock is granted, not when the statement started: a
	// commit that waited for the lock must not be dated before a time
	// SequenceAt resolved while the lock was held elsewhere.
	Lock string
	// HeadNow reads (last_seq, last_created, horizon, now) like Lock,
	// without locking: a read replica cannot take the lock. now is NULL
	// when ServerClock is false.
	HeadNow string
	// Advance writes (last_seq, last_created, horizon) back to the meta row
	// and adds its fourth parameter, the transaction's change in live keys,
	// to live.
	Advance string
	// Head reads (last_seq, last_created, horizon, live) without locking.
	Head string
	// Live reads (last_seq, live) without locking: Len at the head.
	Live string

	// Latest reads (item, is_deleted) of the newest row of a label.
	Latest string
	// LatestAt reads (horizon, last_seq, item, is_deleted) of the newest row
	// of a label with sequence_number <= bound; it returns exactly one row,
	// with NULL item and is_deleted when the label has no such row.
	// Parameters: label, bound.
	LatestAt string
	// EntryAt reads the entry (EntryColumns) of the newest row of a label
	// with sequence_number <= bound. Parameters: label, bound.
	EntryAt string
	// Current reads (version, is_deleted) of a label from the head table.
	// Parameter: label.
	Current string
	// CurrentIn is the head of "SELECT label, version, is_deleted FROM
	// <head> WHERE label IN "; the core appends "(?, ?, …)".
	CurrentIn string
	// HeadUpsert is the head of a multi-row insert into the head table,
	// "INSERT INTO <head> (label, sequence_number, version, is_deleted)
	// VALUES ", and HeadUpsertTail what follows the core's "(?,?,?,?)"
	// groups to update rows that exist (ON CONFLICT … / ON DUPLICATE KEY
	// …). The core never names one label twice in one statement.
	HeadUpsert, HeadUpsertTail string

	// CurrentAny, InsertAny and HeadUpsertAny, when set, replace
	// CurrentIn, Insert and HeadUpsert with one text for any number of rows,
	// each column bound as one array parameter ([]string, []int64, []bool,
	// [][]byte with nil for NULL). One text means one prepared statement
	// and one cached plan per connection whatever the batch size, where a
	// text per row count makes the engine plan every size afresh
	// (PostgreSQL: unnest). CurrentAny reads (label, version, is_deleted)
	// of the labels in its one parameter, each by an index seek: a plan
	// choice between a scan and seeks, made per row count and frozen by
	// plan caching, is what made large batches slow. InsertAny's
	// parameters follow EntryColumns, with created a single value, not an
	// array. HeadUpsertAny's are label, sequence_number, version,
	// is_deleted; the core never names one label twice in one statement.
	CurrentAny, InsertAny, HeadUpsertAny string
	// AppendAll, when set, is InsertAny, HeadUpsertAny and Advance in one
	// statement, so that a commit's writes cost one round trip. The core
	// uses it for a commit that moves no horizon and fits one statement.
	// Parameters: InsertAny's eight, HeadUpsertAny's four, then Advance's
	// four ($9-$12 and $13-$16).
	AppendAll string
	// Commit, when set, is a whole commit in one call, in a transaction of
	// its own (the connection in autocommit): the core plans the commit from
	// what it believes the head of its keys to be, and Commit, holding the
	// journal's write lock and reading the head after it was granted,
	// appends the rows only when every key is as believed. It returns rows
	// (label, version, is_deleted, seq, created): on success one row with
	// NULL label, seq the last_seq before the commit (the rows took
	// seq+1…) and created its commit time (NULL when there were no rows);
	// otherwise, having written nothing, one row per key with its head as
	// it is (version 0 and is_deleted true for a key never written) and
	// NULL seq. The core uses it for a commit that moves no horizon and
	// fits one statement. Parameters, arrays as for CurrentAny (bound
	// through ArrayBinder when the dialect is one): the keys
	// and their believed versions and is_deleted; the rows' labels, items,
	// is_deleted, versions, authors and comments; each key's last row
	// (label, 1-based index into the rows); the change in live keys (a
	// single value). A call with no rows only checks.
	Commit string
	// CommitRows, when not zero, is the most rows one Commit call takes; a
	// batch of more goes the locked way. For an engine that pairs the
	// arrays of a call at a cost growing faster than their length (MariaDB
	// joins JSON_TABLEs by ordinal as nested loops).
	CommitRows int

	// HeadKeys, HeadCount and HeadEntries are KeysAt, CountAt and
	// EntriesAt at the newest commit, read from the head table. Parameters:
	// from, until, after[, limit].
	HeadKeys, HeadCount, HeadEntries string
	// Version reads the entry of a label at one version.
	Version string
	// History reads the entries of a label with sequence_number <= bound,
	// oldest first. Parameters: label, bound.
	History string
	// HistoryPage reads a page of them: after < sequence_number <= bound,
	// oldest first, at most limit. Parameters: label, after, bound, limit.
	HistoryPage string

	// KeysAt lists labels whose newest row with sequence_number <= bound is
	// live, in bytewise order, with from <= label < until and label > after,
	// at most limit of them. The core always passes all five; until is a
	// sentinel above every valid key when the caller set no upper limit and
	// after is "" when not paging. Parameters: from, until, after, bound,
	// limit.
	KeysAt string
	// CountAt counts the set KeysAt lists, without a limit. Parameters:
	// from, until, after, bound.
	CountAt string
	// EntriesAt is KeysAt returning whole entries (EntryColumns).
	// Parameters: from, until, after, bound, limit.
	EntriesAt string

	// KeysNear, CountNear and EntriesNear, when set, replace KeysAt,
	// CountAt and EntriesAt at a point that fewer commits followed than
	// there are live keys: a plan that answers keys not written since the
	// point from their head row, for an engine whose KeysAt does not.
	// KeysEarly, CountEarly and EntriesEarly, when set, replace them at a
	// point preceded by fewer commits than twice the live keys and than
	// followed it: a plan that reads every row up to the point. Same
	// parameters as the texts they replace.
	KeysNear, CountNear, EntriesNear    string
	KeysEarly, CountEarly, EntriesEarly string
	// EntryAtAny, when set, is EntryAt for many labels in one statement:
	// each label's newest row with sequence_number <= bound, none for a
	// label without one. Parameters: labels (an array), bound.
	EntryAtAny string
	// HeadSpan counts the head rows (live or not) with from <= label <
	// until and label > after, stopping at limit: whether a key range is
	// narrow enough that a seek per key (KeysAt) costs less than reading
	// every row up to an early point (KeysEarly). Set with KeysEarly.
	// Parameters: from, until, after, limit.
	HeadSpan string

	// Log reads entries with after < sequence_number <= until in sequence
	// order, at most limit. Parameters: after, until, limit.
	Log string
	// SequenceAt reads MAX(sequence_number) of rows with created <= t.
	SequenceAt string
	// HorizonCreated reads (horizon, horizon_created) from the meta row;
	// horizon_created is NULL when unknown. SequenceAt reads it when the
	// newest row with created <= t lies behind the horizon.
	HorizonCreated string
	// SetHorizonCreated writes horizon_created (NULL when unknown) in the
	// write transaction that moved the horizon. Parameters: created.
	SetHorizonCreated string
	// CreatedAt reads the created of the row with sequence_number = seq, so
	// that a transaction can record it before removing the row. Parameters:
	// seq.
	CreatedAt string
	// Insert is the head of a multi-row INSERT; the core appends one
	// "(?,?,?,?,?,?,?,?)" group per row in InsertColumns order.
	Insert string
	// PruneKey deletes a label's rows with sequence_number < before.
	// Parameters: label, before.
	PruneKey string

	// Compaction (sqldict's PruneBatch) runs the next three inside a write
	// transaction. It relies on the journal invariant that a label's rows
	// carry consecutive versions, and it only ever removes a prefix of a
	// label's history (every row below a version), so a cut is one version.

	// PrunePlan examines at most limit distinct labels greater than after,
	// in bytewise order, and returns one row per label: (label, lo, hi, vt,
	// last_seq, last_deleted), where lo and hi are the label's lowest and
	// highest version, vt the version of its newest row with
	// sequence_number <= through (NULL when it has none), and last_seq and
	// last_deleted the sequence_number and is_deleted of its newest row.
	// hi, last_seq and last_deleted come from the head table; lo is NULL
	// for a key compaction dropped, whose head row outlives its rows. Fewer than
	// limit rows means the scan reached the last label. Each label must
	// cost a few index seeks, never a scan of its history. Parameters:
	// after, through, limit.
	PrunePlan string
	// PruneEdge reads (version, sequence_number, is_deleted) of a label's
	// rows with lo <= version <= hi, in version order: the rows on either
	// side of a cut. Parameters: label, lo, hi.
	PruneEdge string
	// PruneRows deletes a label's rows with version < cut. Parameters:
	// label, cut.
	PruneRows string

	// PauseCheckpoints, run on the writer connection inside a compaction
	// batch, keeps that batch's COMMIT from checkpointing the write-ahead
	// log while the core still holds its in-process writer lock;
	// ResumeCheckpoints restores the connection's default afterwards, and
	// CheckpointStep, run on another connection between batches, does the
	// checkpointing without blocking writers. Empty on engines without the
	// problem. SQLite: PRAGMA wal_autocheckpoint = 0, PRAGMA
	// wal_autocheckpoint = 1000 (SQLite's default) and PRAGMA
	// wal_checkpoint(PASSIVE). No parameters.
	PauseCheckpoints, ResumeCheckpoints, CheckpointStep string

	// Space reclamation after compaction (sqldict's Reclaim). Each is
	// optional: an empty text means the engine needs no such step.

	// Checkpoint folds the write-ahead log back into the database file and
	// truncates it; result rows, if any, are ignored. No parameters.
	// SQLite: PRAGMA wal_checkpoint(TRUNCATE).
	Checkpoint string
	// FreePages returns one integer: how many free pages Shrink could give
	// back to the file system now; 0 when the file is not configured for
	// incremental shrinking. No parameters. SQLite: the freelist count when
	// auto_vacuum = INCREMENTAL, else 0.
	FreePages string
	// Shrink gives a bounded number of free pages back to the file system,
	// short enough to run inside a write transaction without stalling
	// writers. No parameters. SQLite: PRAGMA incremental_vacuum(N).
	Shrink string
	// Vacuum rebuilds the table or file to its minimal size, outside any
	// transaction; it may block writers for as long as it runs. No
	// parameters. SQLite: VACUUM.
	Vacuum string
}

var journalColumns = "j." + strings.ReplaceAll(EntryColumns, ", ", ", j.")

// EntryColumns is the column list, in order, of every query that returns
// entries.
const EntryColumns = "sequence_number, label, item, is_deleted, created, version, author, comment"

// Error classes a Dialect's Classify wraps native errors in.
var (
	// ErrRetry marks a transaction the engine rolled back to break a
	// serialisation conflict (deadlock, lock wait timeout, serialisation
	// failure, SQLITE_BUSY): the whole transaction may be run again.
	ErrRetry = errors.New("transaction conflict, retry")
	// ErrDuplicate marks a unique-constraint violation.
	ErrDuplicate = errors.New("duplicate key")
	// ErrConnection marks a connection lost or refused; whether a COMMIT in
	// flight took effect is unknown.
	ErrConnection = errors.New("connection lost")
	// ErrNoTable marks a statement naming a table that does not exist:
	// how a read-only open tells a journal never created from one it
	// cannot read, without creating anything.
	ErrNoTable = errors.New("no such table")
	// ErrStorageFull marks a write the engine refused for want of disk
	// space or quota; the statement (and its transaction) took no effect.
	ErrStorageFull = errors.New("storage full")
)

// Classified wraps a native error in a class while keeping both reachable.
type Classified struct {
	Class error
	Err   error
}

func (e *Classified) Error() string   { return e.Err.Error() }
func (e *Classified) Unwrap() []error { return []error{e.Class, e.Err} }

// Renderer replaces {T} with table, {M} with its meta table, {H} with its
// head table, {COLS} with EntryColumns and {JCOLS} with EntryColumns
// qualified by the alias j in query texts.
func Renderer(table string) *strings.Replacer {
	return strings.NewReplacer("{T}", table, "{M}", MetaTable(table), "{H}", HeadTable(table),
		"{COLS}", EntryColumns, "{JCOLS}", journalColumns)
}

// HeadTable is the name of the head table of the journal named table: one
// row per key ever written (label, sequence_number, version, is_deleted)
// pointing at the key's newest journal row.
func HeadTable(table string) string { return table + "_head" }

// MetaTable is the name of the meta table of the journal named table.
func MetaTable(table string) string { return table + "_meta" }

// IsNetworkError reports the failures every server driver shares when the
// connection is gone or cannot be made: database/sql's bad or done
// connection, EOF mid-packet, refused, reset or broken sockets, and net
// errors (timeouts included). Dialects add their drivers' own.
func IsNetworkError(err error) bool {
	var ne net.Error
	return errors.Is(err, driver.ErrBadConn) ||
		errors.Is(err, sql.ErrConnDone) ||
		errors.Is(err, io.EOF) ||
		errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) ||
		errors.As(err, &ne)
}

// BeginSchema runs begin on conn (BEGIN, BEGIN IMMEDIATE) and returns the
// LockSchema unlock function that ends that transaction: COMMIT when ok,
// ROLLBACK otherwise, even after ctx is cancelled. For engines whose DDL is
// transactional.
func BeginSchema(ctx context.Context, conn *sql.Conn, begin string) (unlock func(ok bool) error, err error) {
	if _, err := conn.ExecContext(ctx, begin); err != nil {
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
