// Package snapshottest is the test suite of package snapshot, written once
// and run on every engine: the snapshot package's own tests run it on SQLite,
// the integration module on MariaDB/MySQL and PostgreSQL with their
// sqldicttest.Opener.
//
// Each test opens its journals through sqldicttest.NewDict, so the journal
// invariants are checked when it ends. Randomized tests print their seed on
// failure; rerun with SQLDICT_SEED to replay one.
package snapshottest

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/sqldict/sqldict/snapshot"
	"github.com/sqldict/sqldict/sqldict"
	"github.com/sqldict/sqldict/sqldict/sqldicttest"
)

// Run runs the suite on Dicts that open opens: the Store cases of
// RunStore, then those that need a Dict's own options (pruning, closing,
// concurrent writers), every test as a parallel subtest of t.
func Run(t *testing.T, open sqldicttest.Opener) {
	runStore(t, func(t *testing.T) sqldicttest.Journal { return sqldicttest.NewDict(t, open, sqldict.Options{}) }, testModel)
	runAll(t, open, []testCase[sqldicttest.Opener]{
		{"Pruned", testPruned},
		{"Closed", testClosed},
		{"Repeatable", testRepeatable},
	})
}

// RunStore runs the cases any sqldict.Store must pass through At, AsOf,
// Head and Diff, on fresh journals that open opens: a client of "sqldict
// serve" must give the answers a Dict gives, since both are checked
// against the journal their commits returned. The random history of its
// Model case is a fifth of Run's.
func RunStore(t *testing.T, open sqldicttest.StoreOpener) { runStore(t, open, testModelSmall) }

func runStore(t *testing.T, open sqldicttest.StoreOpener, model func(*testing.T, sqldicttest.StoreOpener)) {
	runAll(t, open, []testCase[sqldicttest.StoreOpener]{
		{"Views", testViews},
		{"EmptyJournal", testEmpty},
		{"SameMicrosecond", testSameMicrosecond},
		{"TimeEdges", testTimeEdges},
		{"Diff", testDiff},
		{"DiffInvalid", testDiffInvalid},
		{"Model", model},
	})
}

type testCase[O any] struct {
	name string
	fn   func(t *testing.T, open O)
}

// runAll runs every test as a parallel subtest of t.
func runAll[O any](t *testing.T, open O, tests []testCase[O]) {
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, open)
		})
	}
}

var bg = context.Background()

var (
	must    = sqldicttest.Must
	wantErr = sqldicttest.WantErr
)

// checkState compares every whole-view read of v with state: Keys, Len, All,
// and Get and Has of each key in keys (which may name absent keys).
func checkState(t testing.TB, v *snapshot.View, state map[string]string, keys []string) {
	t.Helper()
	want := make([]string, 0, len(state))
	for k := range state {
		want = append(want, k)
	}
	slices.Sort(want)
	got, err := v.Keys(bg)
	must(t, err)
	if !slices.Equal(got, want) {
		t.Fatalf("at %d: Keys = %q, want %q", v.Sequence(), got, want)
	}
	n, err := v.Len(bg)
	must(t, err)
	if n != len(want) {
		t.Fatalf("at %d: Len = %d, want %d", v.Sequence(), n, len(want))
	}
	i := 0
	for e, err := range v.All(bg) {
		must(t, err)
		if i >= len(want) || e.Key != want[i] || string(e.Value) != state[e.Key] || e.Deleted {
			t.Fatalf("at %d: All()[%d] = %q=%q (deleted %v), want %q", v.Sequence(), i, e.Key, e.Value, e.Deleted, want[i:min(i+1, len(want))])
		}
		i++
	}
	if i != len(want) {
		t.Fatalf("at %d: All yielded %d entries, want %d", v.Sequence(), i, len(want))
	}
	for _, k := range keys {
		val, live := state[k]
		got, err := v.Get(bg, k)
		switch {
		case !live && !errors.Is(err, sqldict.ErrNotFound):
			t.Fatalf("at %d: Get(%q) = %q, %v; want ErrNotFound", v.Sequence(), k, got, err)
		case live && (err != nil || !bytes.Equal(got, []byte(val))):
			t.Fatalf("at %d: Get(%q) = %q, %v; want %q", v.Sequence(), k, got, err, val)
		}
		ok, err := v.Has(bg, k)
		must(t, err)
		if ok != live {
			t.Fatalf("at %d: Has(%q) = %v, want %v", v.Sequence(), k, ok, live)
		}
	}
}

// sameEntry reports whether two entries are the same journal row.
func sameEntry(a, b sqldict.Entry) bool {
	return a.Key == b.Key && a.Sequence == b.Sequence && a.Version == b.Version &&
		a.Deleted == b.Deleted && bytes.Equal(a.Value, b.Value) && (a.Value == nil) == (b.Value == nil) &&
		a.Author == b.Author && a.Comment == b.Comment && a.Created.Equal(b.Created)
}

func seqOf(t testing.TB, d sqldict.Store) int64 {
	t.Helper()
	st, err := d.Stat(bg)
	must(t, err)
	return st.Sequence
}

// commit commits ws and returns the sequence and created time of the commit.
func commit(t testing.TB, d sqldict.Store, ws ...sqldict.Write) (int64, sqldict.Entry) {
	t.Helper()
	es, err := d.Commit(bg, ws...)
	must(t, err)
	last := es[len(es)-1]
	return last.Sequence, last
}
