package sqldicttest

import (
	"context"
	"path/filepath"
	"sync"
	"testing"

	"github.com/sqldict/sqldict/sqldict"

	_ "github.com/sqldict/sqldict/dialects/sqlite" // sqlite: URLs
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
