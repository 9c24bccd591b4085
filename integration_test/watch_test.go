package integration_test

import (
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
