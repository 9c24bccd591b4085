package prune_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"

	"github.com/sqldict/sqldict/prune/prunetest"
	"github.com/sqldict/sqldict/sqldict"
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

func TestSQLite_Prune(t *testing.T) {
	prunetest.Run(t, openSQLite)
}
