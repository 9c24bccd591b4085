package sqldicttest

import (
	"context"
	"path/filepath"
	"sync"
	"testing"

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
