package sqldicttest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"iter"
	"strings"
	"testing"
	"time"

	"github.com/sqldict/sqldict/sqldict"
)

// StoreOpener returns a Store on a fresh, empty journal with the default
// Options, and registers its cleanup (and, where it can, CheckInvariants on
// the journal behind it) with t.
type StoreOpener func(t *testing.T) Journal

// Journal is what the Store conformance cases call: a Store with the
// conveniences and point lookups that *sqldict.Dict and *client.Client
// both have.
type Journal interface {
	sqldict.Store
	Keys(ctx context.Context) ([]string, error)
	Len(ctx context.Context) (int, error)
	All(ctx context.Context) iter.Seq2[sqldict.Entry, error]
	Version(ctx context.Context, key string, v int64) (sqldict.Entry, error)
	SequenceAt(ctx context.Context, t time.Time) (int64, error)
	Log(ctx context.Context, after, until int64) iter.Seq2[sqldict.Entry, error]
}

var _ Journal = (*sqldict.Dict)(nil)

// RunStore runs the conformance cases that any Store must pass, through
// the Journal interface alone: Run runs them on a *Dict of every engine,
// and a remote store (package client against "sqldict serve") must pass
// them with the same results and errors. Only the cases that need a Dict's
// own options or its database (pruning, reopening, schema upgrades, query
// plans) are Run's alone.
func RunStore(t *testing.T, open StoreOpener) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s Journal)
	}{
		{"Model", func(t *testing.T, s Journal) { RunModelOn(t, s, 120, 10) }},
		{"GetSetDelete", testGetSetDelete},
		{"EmptyAndBinaryValues", testValues},
		{"KeysOrderAndRanges", testKeys},
		{"Commit", testCommit},
		{"CommitConflicts", testConflicts},
		{"HistoryAndVersion", testHistory},
		{"DictSnapshots", testSnapshots},
		{"SequenceAt", testSequenceAt},
		{"SequenceAtStable", testSequenceAtStable},
		{"AllStreams", testAll},
		{"TextLimits", testTextLimits},
		{"Log", testLog},
		{"WatchResume", testWatchResume},
		{"ValuesAndTombstones", storeValues},
		{"Ranges", storeRanges},
		{"Conflicts", storeConflicts},
		{"InvalidInput", storeInvalidInput},
		{"Snapshots", storeSnapshots},
		{"Watch", storeWatch},
		{"WatchEnds", storeWatchEnds},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open(t)) })
	}
}

func storeValues(t *testing.T, s Journal) {
	Must(t, s.Set(bg, "empty", nil))
	Must(t, s.Set(bg, "bin", []byte{0, 0xff, '\n', 0}))
	Must(t, s.Set(bg, "dir/../x y", []byte("odd key")))
	for k, want := range map[string][]byte{"empty": {}, "bin": {0, 0xff, '\n', 0}, "dir/../x y": []byte("odd key")} {
		v, err := s.Get(bg, k)
		if err != nil || !bytes.Equal(v, want) || v == nil {
			t.Fatalf("Get(%q) = %q, %v; want %q", k, v, err, want)
		}
	}
	Must(t, s.Delete(bg, "bin"))
	WantErr(t, s.Delete(bg, "bin"), sqldict.ErrNotFound)
	_, err := s.Get(bg, "bin")
	WantErr(t, err, sqldict.ErrNotFound)
	if ok, err := s.Has(bg, "bin"); ok || err != nil {
		t.Fatalf("Has(deleted) = %v, %v", ok, err)
	}
	e, err := s.Entry(bg, "bin")
	if err != nil || !e.Deleted || e.Version != 2 || e.Sequence != 4 || e.Created.IsZero() {
		t.Fatalf("Entry(tombstone) = %+v, %v", e, err)
	}
	_, err = s.Entry(bg, "never")
	WantErr(t, err, sqldict.ErrNotFound)
	_, err = s.History(bg, "never")
	WantErr(t, err, sqldict.ErrNotFound)
	st, err := s.Stat(bg)
	if err != nil || st.Sequence != 4 || st.Horizon != 0 || !st.Created.Equal(e.Created) {
		t.Fatalf("Stat = %+v, %v; want sequence 4 created %v", st, err, e.Created)
	}
}

func storeRanges(t *testing.T, s Journal) {
	var ws []sqldict.Write
	for _, k := range []string{"a", "b/1", "b/2", "b/3", "c", "ba"} {
		ws = append(ws, sqldict.Write{Key: k, Value: []byte("v" + k)})
	}
	_, err := s.Commit(bg, ws...)
	Must(t, err)
	for _, c := range []struct {
		r    sqldict.Range
		want string
	}{
		{sqldict.Range{}, "a,b/1,b/2,b/3,ba,c"},
		{sqldict.Range{Prefix: "b/"}, "b/1,b/2,b/3"},
		{sqldict.Range{From: "b/2", To: "c"}, "b/2,b/3,ba"},
		{sqldict.Range{After: "b/3"}, "ba,c"},
		{sqldict.Range{Prefix: "b", Limit: 2}, "b/1,b/2"},
	} {
		keys, err := s.KeysIn(bg, c.r)
		Must(t, err)
		if got := strings.Join(keys, ","); got != c.want {
			t.Fatalf("KeysIn(%+v) = %s, want %s", c.r, got, c.want)
		}
		c.r.Limit = 0
		n, err := s.LenIn(bg, c.r)
		Must(t, err)
		var got []string
		for e, err := range s.AllIn(bg, c.r) {
			Must(t, err)
			if string(e.Value) != "v"+e.Key {
				t.Fatalf("AllIn: %q = %q", e.Key, e.Value)
			}
			got = append(got, e.Key)
		}
		if len(got) != n {
			t.Fatalf("AllIn(%+v) has %d entries, LenIn %d", c.r, len(got), n)
		}
	}
}

func storeConflicts(t *testing.T, s Journal) {
	es, err := s.Commit(bg, sqldict.Write{Key: "k", Value: []byte("1"), IfVersion: sqldict.Expect(0), Author: "ana", Comment: "c"})
	if err != nil || len(es) != 1 || es[0].Version != 1 || es[0].Author != "ana" || es[0].Comment != "c" {
		t.Fatalf("Commit = %+v, %v", es, err)
	}
	_, err = s.Commit(bg, sqldict.Write{Key: "other", Value: []byte("x")}, sqldict.Write{Key: "k", Value: []byte("2"), IfVersion: sqldict.Expect(0)})
	var ce *sqldict.ConflictError
	if !errors.Is(err, sqldict.ErrConflict) || !errors.As(err, &ce) || ce.Key != "k" || ce.Expected != 0 || ce.Actual != 1 {
		t.Fatalf("conflict: %v", err)
	}
	_, err = s.Get(bg, "other")
	WantErr(t, err, sqldict.ErrNotFound) // all or nothing
	_, err = s.Commit(bg, sqldict.Write{Key: "k", Delete: true, IfVersion: sqldict.Expect(1)})
	Must(t, err)
	_, err = s.Commit(bg, sqldict.Write{Key: "k", Value: []byte("3"), IfVersion: sqldict.Expect(2)})
	Must(t, err) // the tombstone's version holds
}

func storeInvalidInput(t *testing.T, s Journal) {
	for _, k := range []string{"", strings.Repeat("k", sqldict.DefaultKeyLength+1), "a\x00b", "\xff"} {
		WantErr(t, s.Set(bg, k, []byte("v")), sqldict.ErrInvalidKey)
	}
	WantErr(t, s.Set(bg, "big", make([]byte, sqldict.DefaultMaxValueSize+1)), sqldict.ErrValueTooLarge)
	_, err := s.Commit(bg, sqldict.Write{Key: "k", Value: []byte("v"), Author: "\xff"})
	WantErr(t, err, sqldict.ErrInvalidArgument)
	_, err = s.Snapshot(bg, -1)
	WantErr(t, err, sqldict.ErrInvalidArgument)
	st, err := s.Stat(bg)
	if err != nil || st.Sequence != 0 {
		t.Fatalf("bad input wrote: %+v, %v", st, err)
	}
}

func storeSnapshots(t *testing.T, s Journal) {
	Must(t, s.Set(bg, "a", []byte("1")))
	Must(t, s.Set(bg, "b", []byte("1")))
	Must(t, s.Set(bg, "a", []byte("2")))
	Must(t, s.Delete(bg, "b"))
	for seq, want := range []string{"", "a=1", "a=1,b=1", "a=2,b=1", "a=2"} {
		v, err := s.Snapshot(bg, int64(seq))
		Must(t, err)
		if v.Sequence() != int64(seq) {
			t.Fatalf("Snapshot(%d).Sequence() = %d", seq, v.Sequence())
		}
		var got []string
		for e, err := range v.AllIn(bg, sqldict.Range{}) {
			Must(t, err)
			got = append(got, e.Key+"="+string(e.Value))
		}
		if strings.Join(got, ",") != want {
			t.Fatalf("at %d: %q, want %s", seq, got, want)
		}
		n, err := v.LenIn(bg, sqldict.Range{})
		Must(t, err)
		if n != len(got) {
			t.Fatalf("at %d: LenIn %d, want %d", seq, n, len(got))
		}
		if seq == 3 {
			if val, err := v.Get(bg, "a"); err != nil || string(val) != "2" {
				t.Fatalf("at 3: Get(a) = %q, %v", val, err)
			}
			if h, err := v.History(bg, "a"); err != nil || len(h) != 2 {
				t.Fatalf("at 3: History(a) = %d rows, %v", len(h), err)
			}
		}
	}
	_, err := s.Snapshot(bg, 5)
	WantErr(t, err, sqldict.ErrFuture)
}

func storeWatch(t *testing.T, s Journal) {
	Must(t, s.Set(bg, "x/1", []byte("a")))
	Must(t, s.Set(bg, "y/1", []byte("b")))
	ctx, cancel := context.WithCancel(bg)
	defer cancel()
	type item struct {
		e   sqldict.Entry
		err error
	}
	items := make(chan item)
	go func() {
		defer close(items)
		for e, err := range s.Watch(ctx, 1, sqldict.Range{Prefix: "x/"}) {
			select {
			case items <- item{e, err}:
			case <-ctx.Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()
	Must(t, s.Set(bg, "x/2", []byte("c")))
	Must(t, s.Delete(bg, "x/1"))
	var got []string
	for len(got) < 2 {
		it, ok := <-items
		if !ok {
			t.Fatalf("watch ended after %q", got)
		}
		Must(t, it.err)
		got = append(got, fmt.Sprintf("%d:%s:%v", it.e.Sequence, it.e.Key, it.e.Deleted))
	}
	if strings.Join(got, " ") != "3:x/2:false 4:x/1:true" {
		t.Fatalf("watch delivered %q", got)
	}
}
