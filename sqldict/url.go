package sqldict

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/sqldict/sqldict/dialects"
)

// OpenURL opens a database by URL and the journal in it; Close closes both.
//
//	sqlite:PATH                 a file, created when missing (WAL mode)
//	sqlite:PATH?_synchronous=NORMAL  go-sqlite3 DSN parameters pass through
//	sqlite::memory:             a private in-memory database
//	mysql://user:pw@host:3306/db[?param=value]
//	postgres://user:pw@host:5432/db[?sslmode=disable]
//
// Each scheme is served by a dialect package the program imports, which
// registers it (and links its driver) when initialised:
//
//	import _ "github.com/sqldict/sqldict/dialects/postgres" // postgres://, postgresql://
//	import _ "github.com/sqldict/sqldict/dialects/mysql"    // mysql://
//	import _ "github.com/sqldict/sqldict/dialects/sqlite"   // sqlite: (needs cgo)
//
// A scheme no imported package registered fails with ErrUnknownScheme
// (which is also ErrInvalidArgument), naming the import to add; a malformed
// URL with ErrInvalidArgument. SQLite files open with journal_mode=WAL,
// busy_timeout=10s and synchronous=FULL: a commit that returned is on disk
// (go-sqlite3 alone would set NORMAL; a *gorm.DB given to Open keeps its own
// DSN's setting). With Options.ReadOnly a missing SQLite file fails with
// ErrNoJournal and is not created.
func OpenURL(ctx context.Context, rawURL string, opts Options) (*Dict, error) {
	scheme, _, ok := strings.Cut(rawURL, ":")
	if !ok {
		return nil, fmt.Errorf("%w: database URL %q has no scheme", ErrInvalidArgument, rawURL)
	}
	drv, err := lookupDriver(scheme, fmt.Sprintf("database URL scheme %q", scheme))
	if err != nil {
		return nil, err
	}
	db, err := drv.Open(ctx, rawURL, opts.ReadOnly)
	switch {
	case errors.Is(err, dialects.ErrInvalidURL):
		return nil, fmt.Errorf("%w: %w", ErrInvalidArgument, err)
	case errors.Is(err, dialects.ErrNoDatabase):
		return nil, fmt.Errorf("%w: %w", ErrNoJournal, err)
	case err != nil:
		return nil, fmt.Errorf("open %s database: %w", scheme, err)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s database: %w", scheme, unavailable(drv.Dialect.Classify(err)))
	}
	// database/sql keeps 2 idle connections by default: concurrent writers
	// would dial a new server connection for almost every commit.
	db.SetMaxIdleConns(DefaultMaxIdleConns)
	d, err := OpenDB(ctx, db, drv.Dialect, opts)
	if err != nil {
		db.Close()
		return nil, err
	}
	d.owned = true
	return d, nil
}

// DefaultMaxIdleConns is how many idle connections a pool opened by OpenURL
// keeps.
const DefaultMaxIdleConns = 16

// lookupDriver returns the driver registered for scheme, or an error about
// what (the URL's scheme, a gorm dialector) that says which import registers
// it: the dialect packages register their schemes when imported, and the
// core imports none of them.
func lookupDriver(scheme, what string) (dialects.Driver, error) {
	if drv, ok := dialects.Lookup(scheme); ok {
		return drv, nil
	}
	have := "none"
	if s := dialects.Schemes(); len(s) > 0 {
		have = strings.Join(s, ", ")
	}
	hint := "import the dialect package that registers it"
	if path := dialects.ImportFor(scheme); path != "" {
		hint = fmt.Sprintf("forgotten import? add import _ %q", path)
	}
	return dialects.Driver{}, fmt.Errorf("%w: %s: %w (registered: %s); %s",
		ErrInvalidArgument, what, ErrUnknownScheme, have, hint)
}
