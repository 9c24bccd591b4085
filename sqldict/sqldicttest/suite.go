// Package sqldicttest is the conformance suite every sqldict dialect must
// pass, and the journal invariant check tests run after each test.
//
// A dialect's test calls Run with an Opener for its engine; the same test
// bodies then run on SQLite, MariaDB/MySQL and PostgreSQL. Adding a dialect
// means making this suite pass.
package sqldicttest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"testing"

	"github.com/sqldict/sqldict/sqldict"
)

// Opener opens a Dict with opts on the engine under test. opts.Table is a
// name the suite made unique; the opener must not change it, and registers
// with t.Cleanup whatever closing and dropping the engine needs.
type Opener func(t *testing.T, opts sqldict.Options) *sqldict.Dict

// NewDict opens a Dict through open on a fresh table and checks the
// journal's invariants when the test ends.
func NewDict(t *testing.T, open Opener, opts sqldict.Options) *sqldict.Dict {
	t.Helper()
	if opts.Table == "" {
		opts.Table = UniqueTable()
	}
	d := open(t, opts)
	t.Cleanup(func() { CheckInvariants(t, d) })
	return d
}

// UniqueTable returns a fresh table name.
func UniqueTable() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return "t_" + hex.EncodeToString(b[:])
}

// Run runs the conformance suite.
func Run(t *testing.T, open Opener) {
	tests := []struct {
		name string
		fn   func(t *testing.T, open Opener)
	}{
		{"InvalidInput", testInvalidInput},
		{"OutOfRange", testOutOfRange},
		{"NoJournal", testNoJournal},
		{"ContextAndClose", testContextAndClose},
		{"AllPruneOnWrite", testAllPruneOnWrite},
		{"ListingBounds", testListingBounds},
		{"ImportFuture", testImportFuture},
		{"TableNames", testTableNames},
		{"Drop", testDrop},
		{"LogHole", testLogHole},
		{"Put", testPut},
		{"PruneOnWrite", testPruneOnWrite},
		{"Reopen", testReopen},
		{"CloseDuringWrites", testCloseDuringWrites},
		{"AsOfRemovedHorizon", testAsOfRemovedHorizon},
		{"UpgradeHorizonFromV2", testUpgradeHorizonFromV2},
		{"SequenceAtReadOnly", testSequenceAtReadOnly},
		{"CommitDatedAfterLockWait", testCommitDatedAfterLockWait},
		{"StaleHeads", testStaleHeads},
		{"Watch", testWatch},
		{"WatchPruned", testWatchPruned},
		{"WatchPrunedFullPage", testWatchPrunedFullPage},
		{"WatchPrunedTail", testWatchPrunedTail},
		{"WatchEnds", testWatchEnds},
		{"WatchSignal", testWatchSignal},
		{"UpgradeFromV1", testUpgradeFromV1},
		{"ListingPlans", testListingPlans},
		{"Model", func(t *testing.T, open Opener) { RunModel(t, open, 1500, 0) }},
		{"ConcurrentModel", testConcurrentModel},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, open)
		})
	}
	t.Run("Store", func(t *testing.T) {
		t.Parallel()
		RunStore(t, func(t *testing.T) Journal { return NewDict(t, open, sqldict.Options{}) })
	})
}

var bg = context.Background()
