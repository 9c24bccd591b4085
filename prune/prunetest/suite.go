package prunetest

import (
	"testing"

	"github.com/sqldict/sqldict/sqldict/sqldicttest"
)

// Run runs the prune conformance suite on the engine open opens.
func Run(t *testing.T, open sqldicttest.Opener) {
	tests := []struct {
		name string
		fn   func(t *testing.T, open sqldicttest.Opener)
	}{
		{"HorizonRule", testHorizonRule},
		{"KeepVersions", testKeepVersions},
		{"PassFixed", testPassFixed},
		{"Errors", testErrors},
		{"Concurrent", testConcurrent},
		{"Pruner", testPruner},
		{"Model", testModel},
		{"PruneOnWrite", testPruneOnWrite},
		{"NoABAAfterDrop", testNoABAAfterDrop},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, open)
		})
	}
}
