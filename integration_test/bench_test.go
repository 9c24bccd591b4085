package integration_test

// The performance report's benchmarks (issue 7) on the server engines: the
// bodies in internal/benchsuite that package sqldict runs on SQLite, here
// on MariaDB and PostgreSQL, reached as the conformance suite reaches them
// (servers_test.go). make bench runs one engine at a time:
//
//	go test -run '^$' -bench './engine=mariadb' -benchmem -count 5 . | tee ../bench/raw-mariadb.txt
//
// Fixture tables (bench_k*_d*) stay in the database between runs, so only
// the first run pays for building them; SQLDICT_BENCH_SCAN_KEYS shrinks the
// 1M-entry scan fixture.

import (
	"context"
	"testing"
	"time"

	"github.com/sqldict/sqldict/internal/benchsuite"
	"github.com/sqldict/sqldict/sqldict"
)

var benchEngines = []*benchsuite.Engine{benchEngine(mariaDB), benchEngine(postgreSQL)}

// benchEngine adapts a server to the suite: journals opened by name on the
// engine's URL, dropped through its admin connection.
func benchEngine(e *engine) *benchsuite.Engine {
	return &benchsuite.Engine{
		Name: e.name,
		Open: func(tb testing.TB, table string, opts sqldict.Options) *sqldict.Dict {
			tb.Helper()
			opts.Table = table
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			d, err := sqldict.OpenURL(ctx, e.URL(tb), opts)
			if err != nil {
				tb.Fatalf("open %s on %s: %v", table, e.name, err)
			}
			return d
		},
		URL: func(tb testing.TB, _ string) string { return e.URL(tb) },
		Drop: func(tb testing.TB, table string) {
			e.Drop(tb, table)
			if _, err := e.Admin(tb).Exec("DROP TABLE IF EXISTS " + table + "_plain"); err != nil {
				tb.Errorf("drop %s_plain: %v", table, err)
			}
		},
	}
}

func BenchmarkGet(b *testing.B)      { benchsuite.Get(b, benchEngines...) }
func BenchmarkKeys(b *testing.B)     { benchsuite.Keys(b, benchEngines...) }
func BenchmarkLen(b *testing.B)      { benchsuite.Len(b, benchEngines...) }
func BenchmarkViewGet(b *testing.B)  { benchsuite.ViewGet(b, benchEngines...) }
func BenchmarkViewKeys(b *testing.B) { benchsuite.ViewKeys(b, benchEngines...) }
func BenchmarkDiff(b *testing.B)     { benchsuite.Diff(b, benchEngines...) }
func BenchmarkSet(b *testing.B)      { benchsuite.Set(b, benchEngines...) }
func BenchmarkCommit(b *testing.B)   { benchsuite.Commit(b, benchEngines...) }
func BenchmarkWriters(b *testing.B)  { benchsuite.Writers(b, benchEngines...) }
func BenchmarkScan(b *testing.B)     { benchsuite.Scan(b, benchEngines...) }

// sqliteBench is SQLite for the benchmarks that need this module: worker
// processes (TestMain re-executes this binary) and kine.
var sqliteBench = benchsuite.SQLite("")

// BenchmarkProcesses runs on every engine here: SQLite too, so that its
// worker processes are this binary (make bench runs engine=sqlite from this
// module for it and for BenchmarkKine).
func BenchmarkProcesses(b *testing.B) {
	benchsuite.Processes(b, append([]*benchsuite.Engine{sqliteBench}, benchEngines...)...)
}

func BenchmarkScaleList(b *testing.B)   { benchsuite.ScaleList(b, benchEngines...) }
func BenchmarkScaleDiff(b *testing.B)   { benchsuite.ScaleDiff(b, benchEngines...) }
func BenchmarkScaleImport(b *testing.B) { benchsuite.ScaleImport(b, benchEngines...) }
