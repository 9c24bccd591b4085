package benchsuite

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/sqldict/sqldict/sqldict"

	_ "github.com/sqldict/sqldict/dialects/all" // the URL names the engine
)

// Engine is one database the suite runs on.
type Engine struct {
	// Name is the engine dimension of benchmark names: sqlite, mariadb,
	// postgres.
	Name string
	// Open opens the journal named table, creating it when missing; the
	// suite closes it. Fixtures open persistent tables with it.
	Open func(tb testing.TB, table string, opts sqldict.Options) *sqldict.Dict
	// Drop removes a journal's tables (journal, head, meta, migrations, and
	// the plain table beside it).
	Drop func(tb testing.TB, table string)
	// URL is the sqldict URL of the engine's database (for SQLite, of the
	// journal table's file): what a worker process opens (Processes).
	URL func(tb testing.TB, table string) string

	mu       sync.Mutex
	fixtures map[string]*sqldict.Dict // fixtures opened in this process
	fresh    int
}

// SQLite is the engine of SQLite files, one file per journal, in dir ("" for
// SQLDICT_BENCH_DIR or a sqldict-bench folder of the temporary directory).
// Files open with sqldict's defaults: WAL, synchronous=FULL.
func SQLite(dir string) *Engine { return sqliteEngine(dir, "sqlite", "") }

// SQLiteNormal is SQLite at synchronous=NORMAL (engine=sqlite-normal): the
// durability a raw baseline often runs at, so that Set's ratio to it is
// measured at both settings, both sides equal.
func SQLiteNormal(dir string) *Engine {
	return sqliteEngine(dir, "sqlite-normal", "?_synchronous=NORMAL")
}

func sqliteEngine(dir, name, params string) *Engine {
	if dir == "" {
		dir = os.Getenv("SQLDICT_BENCH_DIR")
	}
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "sqldict-bench")
	}
	file := func(table string) string { return filepath.Join(dir, table+".db") }
	url := func(_ testing.TB, table string) string { return "sqlite:" + file(table) + params }
	return &Engine{
		Name: name,
		URL:  url,
		Open: func(tb testing.TB, table string, opts sqldict.Options) *sqldict.Dict {
			tb.Helper()
			if err := os.MkdirAll(dir, 0o755); err != nil {
				tb.Fatal(err)
			}
			opts.Table = table
			d, err := sqldict.OpenURL(context.Background(), url(tb, table), opts)
			if err != nil {
				tb.Fatalf("open %s: %v", file(table), err)
			}
			return d
		},
		Drop: func(tb testing.TB, table string) {
			for _, suffix := range []string{"", "-wal", "-shm"} {
				if err := os.Remove(file(table) + suffix); err != nil && !os.IsNotExist(err) {
					tb.Error(err)
				}
			}
		},
	}
}

// FreshDict opens a new, empty journal, dropped when tb ends.
func (e *Engine) FreshDict(tb testing.TB) *sqldict.Dict {
	tb.Helper()
	e.mu.Lock()
	e.fresh++
	table := fmt.Sprintf("bench_fresh_%d_%d", os.Getpid(), e.fresh)
	e.mu.Unlock()
	e.Drop(tb, table)
	tb.Cleanup(func() { e.Drop(tb, table) })
	d := e.Open(tb, table, sqldict.Options{})
	tb.Cleanup(func() { d.Close() }) // runs before the drop
	return d
}
