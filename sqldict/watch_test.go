package sqldict_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/sqldict/sqldict/sqldict"
	"github.com/sqldict/sqldict/sqldict/sqldicttest"
)

func TestSQLite_WatchProcesses(t *testing.T) {
	url := "sqlite:" + filepath.Join(t.TempDir(), "watch.db")
	d, err := sqldict.OpenURL(context.Background(), url, sqldict.Options{Table: "watched"})
	sqldicttest.Must(t, err)
	t.Cleanup(func() { d.Close() })
	sqldicttest.RunWatchProcesses(t, url, d)
	sqldicttest.CheckInvariants(t, d)
}

func openWatchBench(b *testing.B) (string, *sqldict.Dict) {
	url := "sqlite:" + filepath.Join(b.TempDir(), "watch.db")
	d, err := sqldict.OpenURL(context.Background(), url, sqldict.Options{Table: "watched"})
	sqldicttest.Must(b, err)
	b.Cleanup(func() { d.Close() })
	return url, d
}

// BenchmarkWatchLatency: go test -run '^$' -bench WatchLatency -benchtime 300x ./sqldict/
func BenchmarkWatchLatency(b *testing.B) {
	url, d := openWatchBench(b)
	sqldicttest.BenchWatchLatency(b, url, d)
}

// BenchmarkIdleWatchers: go test -run '^$' -bench IdleWatchers -benchtime 30x ./sqldict/
func BenchmarkIdleWatchers(b *testing.B) {
	_, d := openWatchBench(b)
	sqldicttest.BenchIdleWatchers(b, d)
}
