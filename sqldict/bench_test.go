package sqldict_test

// The performance report's benchmarks on SQLite; the bodies live in
// internal/benchsuite and run unchanged on MariaDB and PostgreSQL from the
// integration module. Each sqldict figure has its raw database/sql and plain
// upsert-table baselines in the same run:
//
//	go test -run '^$' -bench . -benchmem -count 6 ./sqldict/ | tee new.txt
//	benchstat -col /impl new.txt
//
// make bench runs them with the other engines and writes bench/REPORT.txt.

import (
	"testing"

	"github.com/sqldict/sqldict/internal/benchsuite"
)

var sqlite = benchsuite.SQLite("")

// sqliteNormal is SQLite at synchronous=NORMAL, for Set against its raw
// INSERT at both durabilities (issue 10); the other benchmarks keep FULL.
var sqliteNormal = benchsuite.SQLiteNormal("")

func BenchmarkGet(b *testing.B)         { benchsuite.Get(b, sqlite) }
func BenchmarkKeys(b *testing.B)        { benchsuite.Keys(b, sqlite) }
func BenchmarkLen(b *testing.B)         { benchsuite.Len(b, sqlite) }
func BenchmarkViewGet(b *testing.B)     { benchsuite.ViewGet(b, sqlite) }
func BenchmarkViewKeys(b *testing.B)    { benchsuite.ViewKeys(b, sqlite) }
func BenchmarkDiff(b *testing.B)        { benchsuite.Diff(b, sqlite) }
func BenchmarkSet(b *testing.B)         { benchsuite.Set(b, sqlite, sqliteNormal) }
func BenchmarkCommit(b *testing.B)      { benchsuite.Commit(b, sqlite) }
func BenchmarkWriters(b *testing.B)     { benchsuite.Writers(b, sqlite) }
func BenchmarkScan(b *testing.B)        { benchsuite.Scan(b, sqlite) }
func BenchmarkScaleList(b *testing.B)   { benchsuite.ScaleList(b, sqlite) }
func BenchmarkScaleDiff(b *testing.B)   { benchsuite.ScaleDiff(b, sqlite) }
func BenchmarkScaleImport(b *testing.B) { benchsuite.ScaleImport(b, sqlite) }
