package sqldict

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync/atomic"

	gormsqlite "gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// OpenURL opens a database by URL and the journal in it; Close closes both.
//
//	sqlite:PATH                 a file, created when missing (WAL mode)
//	sqlite:PATH?_synchronous=NORMAL  go-sqlite3 DSN parameters pass through
//	sqlite::memory:             a private in-memory database
//	mysql://user:pw@host:3306/db[?param=value]
//	postgres://user:pw@host:5432/db[?sslmode=disable]
//
// SQLite files open with journal_mode=WAL, busy_timeout=10s and
// synchronous=FULL: a commit that returned is on disk (go-sqlite3 alone
// would set NORMAL; a *gorm.DB given to Open keeps its own DSN's setting).
// An unknown scheme fails with ErrInvalidArgument.
func OpenURL(ctx context.Context, rawURL string, opts Options) (*Dict, error) {
	scheme, rest, ok := strings.Cut(rawURL, ":")
	if !ok {
		return nil, fmt.Errorf("%w: database URL %q has no scheme", ErrInvalidArgument, rawURL)
	}
	opener, ok := urlOpeners[strings.ToLower(scheme)]
	if !ok {
		return nil, fmt.Errorf("%w: database URL scheme %q: want sqlite, mysql or postgres", ErrInvalidArgument, scheme)
	}
	dialector, err := opener(rawURL, rest)
	if err != nil {
		return nil, err
	}
	if opts.ReadOnly {
		if err := mustExist(dialector); err != nil {
			return nil, err
		}
	}
	gdb, err := gorm.Open(dialector, &gorm.Config{Logger: logger.Discard})
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", scheme, unavailable(err))
	}
	db, err := gdb.DB()
	if err != nil {
		return nil, err
	}
	// database/sql keeps 2 idle connections by default: concurrent writers
	// would dial a new server connection for almost every commit.
	db.SetMaxIdleConns(DefaultMaxIdleConns)
	d, err := Open(ctx, gdb, opts)
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

// urlOpeners turn a URL into a gorm dialector, by lower-case scheme. The
// server dialects add theirs.
var urlOpeners = map[string]func(rawURL, rest string) (gorm.Dialector, error){
	"sqlite":     sqliteDialector,
	"mysql":      mysqlDialector,
	"postgres":   postgresDialector,
	"postgresql": postgresDialector,
}

var memoryDBs atomic.Int64

// mustExist refuses to let a read-only open create an SQLite file, which
// go-sqlite3 does for any path it is given.
func mustExist(dialector gorm.Dialector) error {
	sd, ok := dialector.(*gormsqlite.Dialector)
	if !ok {
		return nil
	}
	// The DSN is the "file:PATH?PARAMS" URI sqliteDialector built.
	escaped, query, _ := strings.Cut(strings.TrimPrefix(sd.DSN, "file:"), "?")
	params, err := url.ParseQuery(query)
	if err != nil || params.Get("vfs") == "memdb" {
		return nil
	}
	path, err := url.PathUnescape(escaped)
	if err != nil {
		return nil
	}
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("%w: sqlite database %s: %w", ErrNoJournal, path, err)
	}
	return nil
}

func sqliteDialector(rawURL, rest string) (gorm.Dialector, error) {
	rest = strings.TrimPrefix(rest, "//")
	if rest == "" {
		return nil, fmt.Errorf("%w: %q names no file", ErrInvalidArgument, rawURL)
	}
	path, query, _ := strings.Cut(rest, "?")
	params, err := url.ParseQuery(query)
	if err != nil {
		return nil, fmt.Errorf("%w: %q: %v", ErrInvalidArgument, rawURL, err)
	}
	setDefault := func(k, v string) {
		if params.Get(k) == "" {
			params.Set(k, v)
		}
	}
	setDefault("_busy_timeout", "10000")
	setDefault("_cache_size", "-65536") // 64 MiB of page cache per connection
	if path == ":memory:" {
		// Every connection of the pool must see the same database: a named
		// memdb (no shared cache, so readers and the writer lock normally).
		path = fmt.Sprintf("/sqldict-memory-%d", memoryDBs.Add(1))
		params.Set("vfs", "memdb")
	} else {
		setDefault("_journal_mode", "WAL")
		// go-sqlite3 sets synchronous=NORMAL unless told otherwise (and
		// builds SQLite with WAL's default at NORMAL): a commit could be
		// lost to a power failure after it returned. FULL syncs the WAL at
		// every commit.
		setDefault("_synchronous", "FULL")
	}
	u := url.URL{Scheme: "file", Opaque: (&url.URL{Path: path}).EscapedPath(), RawQuery: params.Encode()}
	return gormsqlite.Open(u.String()), nil
}
