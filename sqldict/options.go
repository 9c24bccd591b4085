package sqldict

import (
	"database/sql"
	"fmt"
	"log/slog"
	"time"
)

// Defaults of Options.
const (
	DefaultTable        = "sqldict"
	DefaultKeyLength    = 255
	DefaultMaxValueSize = 8 << 20
	DefaultMaxRetries   = 10
	// DefaultWatchPoll is Options.WatchPoll when it is zero.
	DefaultWatchPoll = 100 * time.Millisecond
	// DefaultReplicaWait is Options.ReplicaWait when it is zero.
	DefaultReplicaWait = time.Second

	// MaxKeyLength bounds Options.KeyLength: the label index must fit the
	// smallest engine's index entry limit (InnoDB's 3072 bytes).
	MaxKeyLength = 2048
	// MaxTextLength bounds a Write's Author and Comment, in bytes: the
	// most MySQL's TEXT column holds. Longer text is refused, never stored
	// cut, whatever the server's SQL mode.
	MaxTextLength = 1<<16 - 1
	// MaxTableLength bounds the table name, leaving room for the suffixes
	// of its meta and migrations tables within PostgreSQL's 63 bytes.
	MaxTableLength = 48
)

// Options configure a Dict. The zero value works: every field's doc says what
// zero means.
type Options struct {
	// Table is the journal table: a lower-case SQL identifier
	// ([a-z_][a-z0-9_]*) of at most MaxTableLength bytes that is no
	// engine's reserved word (see ValidTable). Its head, meta and
	// migrations tables are Table+"_head", Table+"_meta" and
	// Table+"_migrations". Zero: DefaultTable.
	Table string

	// KeyLength is the maximum key length in bytes (UTF-8). It is part of
	// the schema on engines with sized columns: a journal created with one
	// length is refused when reopened with a larger one. Zero: the length
	// the journal was created with, or DefaultKeyLength for a new journal.
	KeyLength int

	// MaxValueSize is the largest value accepted, in bytes. Zero:
	// DefaultMaxValueSize (8 MiB, below MariaDB's default packet limit).
	MaxValueSize int

	// SkipMigrate opens the journal without migrating it; Open then fails
	// with ErrNoJournal when the journal was never created, with
	// ErrSchemaOld when its schema is older than the one this build knows
	// (ErrSchemaTooNew when newer). Such an open changes nothing in the
	// database.
	SkipMigrate bool

	// ReadOnly refuses every write with ErrReadOnly. It implies
	// SkipMigrate, and OpenURL then creates no SQLite file: a missing one
	// fails with ErrNoJournal.
	ReadOnly bool

	// PruneOnWrite makes every write remove the older rows of the keys it
	// writes, in the same transaction. The prune horizon moves with it, by
	// the rule of PruneBatch: to the write that replaced a removed live
	// row, so snapshots before it fail with ErrPruned; a removed tombstone
	// costs only its own sequence. Keys deleted and never written again keep
	// their tombstone; package prune's DropDeleted removes them.
	PruneOnWrite bool

	// MaxRetries bounds how often a write transaction the engine aborted to
	// break a conflict (deadlock, serialisation failure, busy file) is run
	// again before its error is returned. Zero: DefaultMaxRetries; negative:
	// no retries.
	MaxRetries int

	// WatchPoll is how often a process with watchers on the journal reads
	// its meta row to learn of commits made by other processes. On MySQL and
	// MariaDB that poll is how watchers hear of them, so it bounds their
	// delay; PostgreSQL (LISTEN/NOTIFY) and SQLite (PRAGMA data_version)
	// signal commits at once and the poll is only a safety net. Commits of
	// this process wake its watchers at once on every engine. One poll runs
	// per pool and journal however many watchers there are, and none when
	// there are none. Zero: DefaultWatchPoll (100 ms); negative is invalid.
	WatchPoll time.Duration

	// Replica is a read replica of the primary database (the pool Open
	// gets): a PostgreSQL hot standby, another node of a Galera cluster, a
	// MySQL replica. Head reads (Get, Has, Entry, History, Version, KeysIn,
	// LenIn, AllIn), Snapshot and its reads, and Watch go to it; writes,
	// Stat, Log, SequenceAt, compaction and the resolution of ambiguous
	// commits stay on the primary. Reads are never answered from a point
	// the replica has not reached: a read needing sequence S (the newest
	// this Dict committed, or the Snapshot's) waits up to ReplicaWait for
	// the replica to have S, then the primary answers; a read the replica
	// fails with a conflict or a lost connection is run on the primary.
	// Reads of a Dict that has not written see the replica as it is, which
	// may be behind other writers. Watch on a replica learns of commits by
	// polling its meta row every WatchPoll (PostgreSQL's notifications are
	// not replicated). Open needs the journal to exist on the replica and
	// waits up to 10×ReplicaWait for it to replicate there. The replica
	// must replicate the primary's database; the Dict does not close it.
	// Zero: no replica, every read goes to the primary.
	Replica *sql.DB

	// ReplicaWait bounds how long a read waits for the replica to reach
	// the sequence it needs before the primary answers it. Zero:
	// DefaultReplicaWait (1 s); negative is invalid.
	ReplicaWait time.Duration

	// Logger receives retries and other events worth a line. Zero: nothing
	// is logged.
	Logger *slog.Logger
}

func (o Options) withDefaults() (Options, error) {
	if o.Table == "" {
		o.Table = DefaultTable
	}
	if err := ValidTable(o.Table); err != nil {
		return o, err
	}
	if o.KeyLength < 0 || o.KeyLength > MaxKeyLength {
		return o, fmt.Errorf("%w: KeyLength %d: want 1..%d", ErrInvalidArgument, o.KeyLength, MaxKeyLength)
	}
	if o.MaxValueSize < 0 {
		return o, fmt.Errorf("%w: MaxValueSize %d is negative", ErrInvalidArgument, o.MaxValueSize)
	}
	if o.MaxValueSize == 0 {
		o.MaxValueSize = DefaultMaxValueSize
	}
	switch {
	case o.MaxRetries == 0:
		o.MaxRetries = DefaultMaxRetries
	case o.MaxRetries < 0:
		o.MaxRetries = 0
	}
	switch {
	case o.WatchPoll == 0:
		o.WatchPoll = DefaultWatchPoll
	case o.WatchPoll < 0:
		return o, fmt.Errorf("%w: WatchPoll %v is negative", ErrInvalidArgument, o.WatchPoll)
	}
	switch {
	case o.ReplicaWait == 0:
		o.ReplicaWait = DefaultReplicaWait
	case o.ReplicaWait < 0:
		return o, fmt.Errorf("%w: ReplicaWait %v is negative", ErrInvalidArgument, o.ReplicaWait)
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o, nil
}
