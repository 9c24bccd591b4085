package dialects

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"sync"
)

// Driver is what a dialect package registers for each URL scheme it opens:
// its Dialect and how to open a pool on a URL. The sqldict core imports no
// database driver; a program links the drivers of the dialect packages it
// imports, as database/sql programs link the drivers they import.
type Driver struct {
	// Dialect is the engine the scheme's URLs reach.
	Dialect Dialect
	// Open returns a pool on rawURL, without necessarily connecting (the
	// core pings it). A malformed URL fails with an error wrapping
	// ErrInvalidURL; with readOnly, a database Open would have to create
	// fails wrapping ErrNoDatabase. Open must not log credentials: an
	// error quotes a redacted URL at most.
	Open func(ctx context.Context, rawURL string, readOnly bool) (*sql.DB, error)
}

// Errors a Driver's Open wraps, which the core translates into its own
// sentinels (sqldict.ErrInvalidArgument, sqldict.ErrNoJournal).
var (
	// ErrInvalidURL marks a database URL the driver cannot parse.
	ErrInvalidURL = errors.New("invalid database URL")
	// ErrNoDatabase marks a read-only open of a database that does not
	// exist (an SQLite file), which the open must not create.
	ErrNoDatabase = errors.New("no such database")
)

var (
	registryMu sync.RWMutex
	registry   = map[string]Driver{}
)

// Register makes a Driver available under a URL scheme (lower case, as in
// "postgres" for postgres://…). Dialect packages call it from init, so that
// importing one, even blank, is what lets sqldict.OpenURL and sqldict.Open
// reach its engine. Register panics when scheme is already registered or
// when d has no Dialect or Open, as sql.Register does for a duplicate: two
// packages claiming one scheme is a build mistake, not a runtime condition.
func Register(scheme string, d Driver) {
	if d.Dialect == nil || d.Open == nil {
		panic("dialects: Register of scheme " + scheme + " with a nil Dialect or Open")
	}
	if scheme == "" || scheme != strings.ToLower(scheme) {
		panic("dialects: Register of scheme " + scheme + ": want a non-empty lower-case scheme")
	}
	registryMu.Lock()
	defer registryMu.Unlock()
	if _, dup := registry[scheme]; dup {
		panic("dialects: Register called twice for scheme " + scheme)
	}
	registry[scheme] = d
}

// Lookup returns the Driver registered for scheme, matched without regard to
// case, and whether there is one.
func Lookup(scheme string) (Driver, bool) {
	registryMu.RLock()
	defer registryMu.RUnlock()
	d, ok := registry[strings.ToLower(scheme)]
	return d, ok
}

// Schemes returns the registered schemes, sorted.
func Schemes() []string {
	registryMu.RLock()
	defer registryMu.RUnlock()
	s := make([]string, 0, len(registry))
	for k := range registry {
		s = append(s, k)
	}
	slices.Sort(s)
	return s
}

// ImportFor returns the import path of this module's dialect package that
// registers scheme ("github.com/sqldict/sqldict/dialects/postgres" for
// "postgresql"), or "" when none of them does: what an error about an
// unregistered scheme tells the user to import.
func ImportFor(scheme string) string {
	switch strings.ToLower(scheme) {
	case "sqlite":
		return modulePath + "/dialects/sqlite"
	case "mysql":
		return modulePath + "/dialects/mysql"
	case "postgres", "postgresql":
		return modulePath + "/dialects/postgres"
	}
	return ""
}

const modulePath = "github.com/sqldict/sqldict"
