package sqldicttc_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/sqldict/sqldict/prune/prunetest"
	"github.com/sqldict/sqldict/snapshot/snapshottest"
	"github.com/sqldict/sqldict/sqldict"
	"github.com/sqldict/sqldict/sqldict/sqldicttest"
	"github.com/sqldict/sqldict/sqldicttc"
)

func TestMain(m *testing.M) {
	if os.Getenv(leakChildEnv) == "per-test" {
		// Without Run: every call starts a container of its own.
		os.Exit(m.Run())
	}
	os.Exit(sqldicttc.Run(m))
}

// entry is one of the package's entry points.
type entry struct {
	name string
	url  func(testing.TB, ...sqldicttc.Option) string
}

// engines are the package's three entry points.
var engines = []entry{
	{"postgres", sqldicttc.Postgres},
	{"mariadb", sqldicttc.MariaDB},
	{"mysql", sqldicttc.MySQL},
}

// forEngine runs fn as a parallel subtest per engine, on a database of its
// own. MySQL skips (loudly) when its image is the MariaDB one, as on
// machines without a registry: the suites would run twice on one server.
func forEngine(t *testing.T, fn func(t *testing.T, url string)) {
	forEach(t, func(t *testing.T, e entry) {
		if img := os.Getenv("SQLDICT_TC_MYSQL_IMAGE"); e.name == "mysql" && img != "" && img == os.Getenv("SQLDICT_TC_MARIADB_IMAGE") {
			t.Skipf("SKIPPED: MySQL runs from the MariaDB image %s, which the mariadb subtest covers", img)
		}
		fn(t, e.url(t))
	})
}

// forEach runs fn as a parallel subtest per engine.
func forEach(t *testing.T, fn func(t *testing.T, e entry)) {
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			fn(t, e)
		})
	}
}

// opener opens every Dict of a suite on the database at url; the tables go
// with the database when the test ends.
func opener(url string) sqldicttest.Opener {
	return func(t *testing.T, opts sqldict.Options) *sqldict.Dict {
		t.Helper()
		return open(t, url, opts)
	}
}

func open(t testing.TB, url string, opts sqldict.Options) *sqldict.Dict {
	t.Helper()
	if opts.Table == "" {
		opts.Table = sqldicttest.UniqueTable()
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	d, err := sqldict.OpenURL(ctx, url, opts)
	if err != nil {
		t.Fatalf("open %s: %v", opts.Table, err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func TestConformance(t *testing.T) {
	forEngine(t, func(t *testing.T, url string) { sqldicttest.Run(t, opener(url)) })
}

func TestConformance_Snapshot(t *testing.T) {
	forEngine(t, func(t *testing.T, url string) { snapshottest.Run(t, opener(url)) })
}

func TestConformance_Prune(t *testing.T) {
	forEngine(t, func(t *testing.T, url string) { prunetest.Run(t, opener(url)) })
}
