package integration_test

import (
	"context"
	"testing"

	"github.com/sqldict/sqldict/mirror/mirrortest"
	"github.com/sqldict/sqldict/sqldict"
	"github.com/sqldict/sqldict/sqldict/sqldicttest"
)

func TestConformance_Mirror(t *testing.T) {
	forEngine(t, func(t *testing.T, e *engine) {
		mirrortest.Run(t, e.Opener(""))
	})
}

// TestWatchProcesses: writers and watchers in several processes, one
// watcher killed and restarted; every stream equals the Log by range.
func TestWatchProcesses(t *testing.T) {
	forEngine(t, func(t *testing.T, e *engine) {
		d := e.Open(t, "", sqldict.Options{})
		sqldicttest.RunWatchProcesses(t, e.URL(t), d)
		sqldicttest.CheckInvariants(t, d)
	})
}

// BenchmarkWatchLatency: commit-to-delivery p50/p99 per engine, writer in
// this process (baseline) and in another.
//
//	go test -run '^$' -bench WatchLatency -benchtime 300x ./integration_test/
func BenchmarkWatchLatency(b *testing.B) {
	for _, e := range engines {
		b.Run(e.name, func(b *testing.B) {
			d := e.Open(b, "", sqldict.Options{})
			sqldicttest.BenchWatchLatency(b, e.URL(b), d)
		})
	}
}

// BenchmarkIdleWatchers: queries/s and CPU of 0, 1, 10, 100 idle watchers.
//
//	go test -run '^$' -bench IdleWatchers -benchtime 30x ./integration_test/
func BenchmarkIdleWatchers(b *testing.B) {
	for _, e := range engines {
		b.Run(e.name, func(b *testing.B) {
			sqldicttest.BenchIdleWatchers(b, e.Open(b, "", sqldict.Options{}))
		})
	}
}

// restartWatch is a watch of a whole journal running across a server
// restart (TestRestart).
type restartWatch struct {
	got  []sqldict.Entry
	err  error
	done chan struct{}
}

func startWatch(ctx context.Context, d *sqldict.Dict) *restartWatch {
	w := &restartWatch{done: make(chan struct{})}
	go func() {
		defer close(w.done)
		w.got, w.err = sqldicttest.Collect(ctx, d, 0, sqldict.Range{})
	}()
	return w
}

// check ends the watch with the end key and compares its stream with the
// journal: the restart lost nothing and repeated nothing.
func (w *restartWatch) check(t *testing.T, ctx context.Context, d *sqldict.Dict) {
	t.Helper()
	sqldicttest.Must(t, sqldicttest.WriteEnd(ctx, d))
	<-w.done
	sqldicttest.Must(t, w.err)
	sqldicttest.CheckStream(t, d, 0, sqldict.Range{}, w.got)
}
