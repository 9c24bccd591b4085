package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/sqldict/sqldict/dialects"
)

// ErrNoCgo is returned when opening an sqlite: URL in a binary built with
// CGO_ENABLED=0. It wraps errors.ErrUnsupported.
var ErrNoCgo = fmt.Errorf("sqlite: this binary was built without cgo (CGO_ENABLED=0) and go-sqlite3 needs it: "+
	"rebuild with CGO_ENABLED=1 and a C compiler, or use a mysql:// or postgres:// database: %w", errors.ErrUnsupported)

func init() {
	dialects.Register("sqlite", dialects.Driver{Dialect: &Dialect{}, Open: open})
}

// CacheKiB is the page cache of each SQLite connection a URL opens, in
// KiB, unless the URL sets _cache_size.
const CacheKiB = 8 << 10

var memoryDBs atomic.Int64

// open opens sqlite:PATH[?params] (go-sqlite3 DSN parameters pass through)
// and sqlite::memory:. Files open with journal_mode=WAL, busy_timeout=10s
// and synchronous=FULL unless the URL sets them: a commit that returned is
// on disk (go-sqlite3 alone would set NORMAL). With readOnly a missing file
// fails with dialects.ErrNoDatabase instead of being created.
func open(_ context.Context, rawURL string, readOnly bool) (*sql.DB, error) {
	dsn, path, err := parseURL(rawURL)
	if err != nil {
		return nil, err
	}
	if readOnly && path != "" {
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("%w: sqlite database %s: %w", dialects.ErrNoDatabase, path, err)
		}
	}
	return openPool(dsn)
}

// parseURL turns an sqlite: URL into a go-sqlite3 "file:PATH?PARAMS" DSN,
// and returns the file's path ("" for an in-memory database).
func parseURL(rawURL string) (dsn, path string, err error) {
	_, rest, _ := strings.Cut(rawURL, ":")
	rest = strings.TrimPrefix(rest, "//")
	if rest == "" {
		return "", "", fmt.Errorf("%w: %q names no file", dialects.ErrInvalidURL, rawURL)
	}
	path, query, _ := strings.Cut(rest, "?")
	params, err := url.ParseQuery(query)
	if err != nil {
		return "", "", fmt.Errorf("%w: %q: %v", dialects.ErrInvalidURL, rawURL, err)
	}
	setDefault := func(k, v string) {
		if params.Get(k) == "" {
			params.Set(k, v)
		}
	}
	setDefault("_busy_timeout", "10000")
	// SQLite's page cache is per connection and kept while it idles: 8
	// MiB each (BenchmarkSQLiteCache: no measurable gain from 64 MiB, the
	// OS caches the file; 64 MiB on each of 128 idle connections was 8 GiB
	// at worst). Set _cache_size in the URL for more.
	setDefault("_cache_size", "-"+strconv.Itoa(CacheKiB))
	file := path
	if path == ":memory:" {
		// Every connection of the pool must see the same database: a named
		// memdb (no shared cache, so readers and the writer lock normally).
		path, file = "", fmt.Sprintf("/sqldict-memory-%d", memoryDBs.Add(1))
		params.Set("vfs", "memdb")
	} else {
		setDefault("_journal_mode", "WAL")
		// go-sqlite3 sets synchronous=NORMAL unless told otherwise (and
		// builds SQLite with WAL's default at NORMAL): a commit could be
		// lost to a power failure after it returned. FULL syncs the WAL at
		// every commit.
		setDefault("_synchronous", "FULL")
	}
	if params.Get("vfs") == "memdb" {
		path = ""
	}
	u := url.URL{Scheme: "file", Opaque: (&url.URL{Path: file}).EscapedPath(), RawQuery: params.Encode()}
	return u.String(), path, nil
}
