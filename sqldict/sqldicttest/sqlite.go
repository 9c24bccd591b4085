package sqldicttest

import (
	"context"
	"database/sql"
	"net/url"
	"path/filepath"
	"sync"
	"testing"

	"github.com/mattn/go-sqlite3"

	"github.com/sqldict/sqldict/dialects/sqlite"
	"github.com/sqldict/sqldict/sqldict"
)

var sqliteFiles sync.Map // *testing.T → database file of that test

// OpenSQLite is the Opener for SQLite files: every journal a test opens lives
// in one file of that test's, so a test opening the same journal twice finds
// it.
func OpenSQLite(t *testing.T, opts sqldict.Options) *sqldict.Dict {
	t.Helper()
	path, _ := sqliteFiles.LoadOrStore(t, filepath.Join(t.TempDir(), "test.db"))
	d, err := sqldict.OpenURL(context.Background(), "sqlite:"+path.(string), opts)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

var memoryDBs sync.Map // *testing.T → first *sqldict.Dict of that test

// OpenSQLiteMemory is the Opener for in-memory SQLite: one database per
// test; a test opening a second journal or handle shares the first Dict's
// pool, where the database lives.
func OpenSQLiteMemory(t *testing.T, opts sqldict.Options) *sqldict.Dict {
	t.Helper()
	ctx := context.Background()
	var d *sqldict.Dict
	var err error
	if first, ok := memoryDBs.Load(t); ok {
		f := first.(*sqldict.Dict)
		d, err = sqldict.OpenDB(ctx, f.DB(), f.Dialect(), opts)
	} else {
		d, err = sqldict.OpenURL(ctx, "sqlite::memory:", opts)
		if err == nil {
			memoryDBs.Store(t, d)
			t.Cleanup(func() { memoryDBs.Delete(t) })
		}
	}
	if err != nil {
		t.Fatalf("open in-memory %s: %v", opts.Table, err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// fullDriver opens SQLite connections whose database may not grow beyond
// its size when opened: PRAGMA max_page_count, a disk that is full.
const fullDriver = "sqlite3-sqldicttest-full"

var registerFull sync.Once

// OpenFullSQLite returns journal table in a fresh SQLite file that cannot
// grow: a write needing a new page fails with SQLITE_FULL, as on a full
// disk. values are committed first, while there is room.
func OpenFullSQLite(t testing.TB, table string, values ...sqldict.Write) *sqldict.Dict {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "full.db")
	d, err := sqldict.OpenURL(ctx, "sqlite:"+path, sqldict.Options{Table: table})
	if err != nil {
		t.Fatal(err)
	}
	if len(values) > 0 {
		_, err = d.Commit(ctx, values...)
	}
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	registerFull.Do(func() {
		sql.Register(fullDriver, &sqlite3.SQLiteDriver{ConnectHook: func(c *sqlite3.SQLiteConn) error {
			// Never below the current size: the database stays as it is.
			_, err := c.Exec("PRAGMA max_page_count = 1", nil)
			return err
		}})
	})
	db, err := sql.Open(fullDriver, "file:"+url.PathEscape(path)+"?_busy_timeout=10000&_journal_mode=WAL&_synchronous=FULL")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	d, err = sqldict.OpenDB(ctx, db, &sqlite.Dialect{}, sqldict.Options{Table: table})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}
