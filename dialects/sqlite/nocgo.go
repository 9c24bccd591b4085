//go:build !cgo

package sqlite

import "database/sql"

// openPool fails: go-sqlite3 needs cgo, and this binary was built without
// it. The package still compiles so that a program importing every dialect
// (the sqldict CLI) builds with CGO_ENABLED=0 and serves the other engines.
func openPool(string) (*sql.DB, error) { return nil, ErrNoCgo }

// Classify returns err unchanged: without cgo no go-sqlite3 error can
// reach it.
func (*Dialect) Classify(err error) error { return err }
