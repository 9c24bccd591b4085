//go:build cgo

package sqlite

import (
	"database/sql"
	"errors"
	"strings"

	"github.com/mattn/go-sqlite3"

	"github.com/sqldict/sqldict/dialects"
)

// openPool opens a go-sqlite3 pool on dsn (sql.Open: nothing is opened
// before the first use).
func openPool(dsn string) (*sql.DB, error) { return sql.Open("sqlite3", dsn) }

// Classify maps SQLITE_BUSY and SQLITE_LOCKED to dialects.ErrRetry, unique
// or primary key violations to dialects.ErrDuplicate, "no such table" to
// dialects.ErrNoTable and SQLITE_FULL to dialects.ErrStorageFull.
func (*Dialect) Classify(err error) error {
	var se sqlite3.Error
	if !errors.As(err, &se) {
		return err
	}
	switch {
	case se.Code == sqlite3.ErrBusy || se.Code == sqlite3.ErrLocked:
		return &dialects.Classified{Class: dialects.ErrRetry, Err: err}
	case se.Code == sqlite3.ErrFull:
		return &dialects.Classified{Class: dialects.ErrStorageFull, Err: err}
	case se.ExtendedCode == sqlite3.ErrConstraintUnique || se.ExtendedCode == sqlite3.ErrConstraintPrimaryKey:
		return &dialects.Classified{Class: dialects.ErrDuplicate, Err: err}
	case se.Code == sqlite3.ErrError && strings.HasPrefix(se.Error(), "no such table"):
		// SQLite gives a missing table no code of its own, only SQLITE_ERROR.
		return &dialects.Classified{Class: dialects.ErrNoTable, Err: err}
	}
	return err
}
