package prune_test

import (
	"context"
	"sync"
	"testing"

	"github.com/sqldict/sqldict/prune/prunetest"
	"github.com/sqldict/sqldict/sqldict"
	"github.com/sqldict/sqldict/sqldict/sqldicttest"
)

func TestSQLite_Prune(t *testing.T) {
	prunetest.Run(t, sqldicttest.OpenSQLite)
}

func TestSQLite_Memory_Prune(t *testing.T) {
	var mu sync.Mutex
	dbs := map[*testing.T]*sqldict.Dict{}
	prunetest.Run(t, func(t *testing.T, opts sqldict.Options) *sqldict.Dict {
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
