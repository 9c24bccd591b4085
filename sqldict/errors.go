package sqldict

import (
	"errors"
	"fmt"

	"github.com/sqldict/sqldict/migrations"
)

// The errors of this package. Match them with errors.Is: returned errors wrap
// them with the key, the sequence or the native error that explains them.
var (
	// ErrNotFound is returned by Get, Delete and Version when the key has no
	// live value (never written, or deleted), and by History when the key
	// has no rows at all.
	ErrNotFound = errors.New("sqldict: key not found")

	// ErrConflict is returned by Commit when a Write's IfVersion does not
	// match the key's current version. Nothing of the commit is written.
	// The returned error is a *ConflictError.
	ErrConflict = errors.New("sqldict: version conflict")

	// ErrPruned is returned by reads at a point in history (a snapshot, an
	// old version) that pruning has removed rows from. sqldict never answers
	// such a read approximately.
	ErrPruned = errors.New("sqldict: point pruned from history")

	// ErrFuture is returned for a sequence after the newest commit, or a
	// time after the database's current clock.
	ErrFuture = errors.New("sqldict: point after the newest commit")

	// ErrInvalidKey is returned for an empty key, a key longer than
	// Options.KeyLength bytes, a key that is not valid UTF-8 or contains
	// NUL. Keys are never truncated.
	ErrInvalidKey = errors.New("sqldict: invalid key")

	// ErrValueTooLarge is returned for a value longer than
	// Options.MaxValueSize bytes.
	ErrValueTooLarge = errors.New("sqldict: value too large")

	// ErrInvalidArgument is returned for other bad input: a table name that
	// is not a plain identifier or is reserved (see ValidTable), a new
	// journal whose tables would take names in use, an unknown URL scheme, an author or comment
	// that is not valid UTF-8, a negative limit or sequence, bad Options.
	ErrInvalidArgument = errors.New("sqldict: invalid argument")

	// ErrUnknownScheme is returned, with ErrInvalidArgument, by OpenURL for
	// a URL scheme no imported dialect package registered, and by Open for
	// a gorm dialector with no registered dialect; the message names the
	// package to import (see package dialects).
	ErrUnknownScheme = errors.New("no sqldict dialect registered")

	// ErrReadOnly is returned by writes to a Dict opened with
	// Options.ReadOnly.
	ErrReadOnly = errors.New("sqldict: read-only")

	// ErrClosed is returned by every call on a Dict after Close.
	ErrClosed = errors.New("sqldict: closed")

	// ErrUnavailable is returned when the database (or, through package
	// client, the server) cannot be reached: the connection was refused or
	// lost. A write that returns it wrote nothing, unless it returns
	// ErrOutcomeUnknown too. Retrying later may succeed.
	ErrUnavailable = errors.New("sqldict: database unavailable")

	// ErrStorageFull is returned by a write the database refused because
	// its disk (or quota) is full. Nothing of the write is in the journal;
	// reads still work, and writes succeed again once space is freed.
	ErrStorageFull = errors.New("sqldict: storage full")

	// ErrOutcomeUnknown is returned by a write whose COMMIT was sent but
	// whose answer was lost (the connection broke or the caller's context
	// ended while it was in flight), when the Dict could not learn within
	// its resolve timeout (30 s) whether the commit took: the server stayed
	// unreachable, or the row was pruned since. The write is then either
	// wholly in the journal or wholly absent, never in part; read its keys
	// (or the journal after its expected sequence) to tell. The error also
	// wraps the underlying cause (a context or connection error). This is
	// the one exception to "a write that returned an error left nothing
	// behind": no client of any database can do better once COMMIT is on
	// the wire.
	ErrOutcomeUnknown = errors.New("sqldict: commit outcome unknown")

	// ErrNoJournal is returned by Open with Options.SkipMigrate or
	// Options.ReadOnly when the journal table was never created, and by
	// OpenURL with Options.ReadOnly when the SQLite file does not exist.
	// Such an open creates nothing.
	ErrNoJournal = errors.New("sqldict: no such journal")

	// ErrSchemaOld is returned by Open with Options.SkipMigrate or
	// Options.ReadOnly when the journal's schema is older than the one this
	// build knows; an Open without them migrates it.
	ErrSchemaOld = errors.New("sqldict: schema older than this build")

	// ErrSchemaTooNew is returned by Open when the journal was migrated by a
	// newer sqldict than this one.
	ErrSchemaTooNew = migrations.ErrSchemaTooNew
)

// ConflictError describes a failed expectation. It matches ErrConflict.
type ConflictError struct {
	Key      string
	Expected int64 // the version the write named; 0: the key must not exist
	Actual   int64 // the key's current version; 0 when it does not exist
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("sqldict: version conflict on %q: expected version %d, found %d", e.Key, e.Expected, e.Actual)
}

// Is reports whether target is ErrConflict.
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }
