package sqldict_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"

	"github.com/sqldict/sqldict/sqldict"
	"github.com/sqldict/sqldict/sqldict/sqldicttest"
)

var testFiles sync.Map // *testing.T → database file of that test

// openSQLite opens every journal of a test in one database file, so that a
// test opening the same journal twice finds it.
func openSQLite(t *testing.T, opts sqldict.Options) *sqldict.Dict {
	t.Helper()
	path, _ := testFiles.LoadOrStore(t, filepath.Join(t.TempDir(), "test.db"))
	d, err := sqldict.OpenURL(context.Background(), "sqlite:"+path.(string), opts)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func TestSQLite_Conformance(t *testing.T) {
	sqldicttest.Run(t, openSQLite)
}

func TestSQLite_Memory_Conformance(t *testing.T) {
	var mu sync.Mutex
	dbs := map[*testing.T]*sqldict.Dict{}
	sqldicttest.Run(t, func(t *testing.T, opts sqldict.Options) *sqldict.Dict {
		// One in-memory database per test: reopening a journal shares the
		// first Dict's pool.
		mu.Lock()
		first, ok := dbs[t]
		mu.Unlock()
		var d *sqldict.Dict
		var err error
		if ok {
			d, err = sqldict.OpenDB(context.Background(), first.DB(), first.Dialect(), opts)
		} else {
			d, err = sqldict.OpenURL(context.Background(), "sqlite::memory:", opts)
			mu.Lock()
			dbs[t] = d
			mu.Unlock()
		}
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		return d
	})
}
