package snapshottest

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/sqldict/sqldict/snapshot"
	"github.com/sqldict/sqldict/sqldict"
	"github.com/sqldict/sqldict/sqldict/sqldicttest"
)

// testViews walks the View API over a short, hand-written history.
func testViews(t *testing.T, open sqldicttest.StoreOpener) {
	d := open(t)
	_, r1 := commit(t, d, sqldict.Write{Key: "a", Value: []byte("a1")})
	_, r2 := commit(t, d, sqldict.Write{Key: "b", Value: []byte("b1")})
	_, r3 := commit(t, d, sqldict.Write{Key: "a", Value: []byte("a2"), Author: "ana", Comment: "bump"})
	_, r4 := commit(t, d, sqldict.Write{Key: "b", Delete: true, Author: "bo"})
	_, r5 := commit(t, d, sqldict.Write{Key: "c", Value: []byte{}}, sqldict.Write{Key: "ca", Value: []byte{0, 1}})
	all := []string{"a", "b", "c", "ca", "zz"}
	states := map[int64]map[string]string{
		0: {},
		1: {"a": "a1"},
		2: {"a": "a1", "b": "b1"},
		3: {"a": "a2", "b": "b1"},
		4: {"a": "a2"},
		5: {"a": "a2", "c": ""},
		6: {"a": "a2", "c": "", "ca": "\x00\x01"},
	}
	views := map[int64]*snapshot.View{}
	for seq, state := range states {
		v, err := snapshot.At(bg, d, seq)
		must(t, err)
		if v.Sequence() != seq {
			t.Fatalf("At(%d).Sequence() = %d", seq, v.Sequence())
		}
		checkState(t, v, state, all)
		views[seq] = v
	}
	for seq, want := range map[int64]time.Time{0: {}, 1: r1.Created, 2: r2.Created, 3: r3.Created, 4: r4.Created, 6: r5.Created} {
		if got := views[seq].Time(); !got.Equal(want) || (!got.IsZero() && got.Location() != time.UTC) {
			t.Fatalf("At(%d).Time() = %v, want %v in UTC", seq, got, want)
		}
	}

	// Entry and History stop at the view's point.
	e, err := views[2].Entry(bg, "a")
	must(t, err)
	if !sameEntry(e, sqldict.Entry{Key: "a", Value: []byte("a1"), Sequence: 1, Version: 1, Created: r1.Created}) {
		t.Fatalf("Entry(a) at 2 = %+v", e)
	}
	e, err = views[4].Entry(bg, "b")
	must(t, err)
	if !e.Deleted || e.Version != 2 || e.Author != "bo" || e.Value != nil {
		t.Fatalf("Entry(b) at 4 = %+v, want the tombstone", e)
	}
	_, err = views[4].Entry(bg, "c")
	wantErr(t, err, sqldict.ErrNotFound)
	h, err := views[3].History(bg, "a")
	must(t, err)
	if len(h) != 2 || string(h[1].Value) != "a2" || h[1].Author != "ana" || h[1].Comment != "bump" {
		t.Fatalf("History(a) at 3 = %+v", h)
	}
	h, err = views[2].History(bg, "a")
	must(t, err)
	if len(h) != 1 || h[0].Sequence != 1 {
		t.Fatalf("History(a) at 2 = %+v", h)
	}
	_, err = views[3].History(bg, "c")
	wantErr(t, err, sqldict.ErrNotFound)

	// Ranges and paging.
	v := views[6]
	keys, err := v.KeysIn(bg, sqldict.Range{Prefix: "c"})
	must(t, err)
	if !slices.Equal(keys, []string{"c", "ca"}) {
		t.Fatalf("KeysIn(prefix c) = %q", keys)
	}
	keys, err = v.KeysIn(bg, sqldict.Range{After: "a", Limit: 1})
	must(t, err)
	if !slices.Equal(keys, []string{"c"}) {
		t.Fatalf("KeysIn(after a, limit 1) = %q", keys)
	}
	n, err := v.LenIn(bg, sqldict.Range{From: "b", To: "ca"})
	must(t, err)
	if n != 1 {
		t.Fatalf("LenIn([b, ca)) = %d, want 1", n)
	}
	var got []string
	for e, err := range v.AllIn(bg, sqldict.Range{Prefix: "c", Limit: 1}) {
		must(t, err)
		got = append(got, e.Key)
	}
	if !slices.Equal(got, []string{"c"}) {
		t.Fatalf("AllIn(prefix c, limit 1) = %q", got)
	}

	// Head is pinned: later writes, rewrites and deletions of keys the
	// views list change none of them (the Python ancestor lost keys whose
	// newest row came after the snapshot).
	head, err := snapshot.Head(bg, d)
	must(t, err)
	if head.Sequence() != 6 || !head.Time().Equal(r5.Created) {
		t.Fatalf("Head = %d at %v, want 6 at %v", head.Sequence(), head.Time(), r5.Created)
	}
	commit(t, d, sqldict.Write{Key: "a", Value: []byte("a3")}, sqldict.Write{Key: "b", Value: []byte("b2")},
		sqldict.Write{Key: "c", Delete: true}, sqldict.Write{Key: "zz", Value: []byte("new")})
	for seq, state := range states {
		checkState(t, views[seq], state, all)
	}
	checkState(t, head, states[6], all)

	_, err = snapshot.At(bg, d, seqOf(t, d)+1)
	wantErr(t, err, sqldict.ErrFuture)
	_, err = snapshot.At(bg, d, -1)
	wantErr(t, err, sqldict.ErrInvalidArgument)
	_, err = snapshot.At(bg, nil, 0)
	wantErr(t, err, sqldict.ErrInvalidArgument)

	// Read-only by construction.
	for _, m := range []string{"Set", "Delete", "Commit"} {
		if _, ok := reflect.TypeOf(v).MethodByName(m); ok {
			t.Fatalf("View has a %s method", m)
		}
	}
}

// testEmpty covers views of a journal with no commit yet.
func testEmpty(t *testing.T, open sqldicttest.StoreOpener) {
	d := open(t)
	for name, mk := range map[string]func() (*snapshot.View, error){
		"Head":  func() (*snapshot.View, error) { return snapshot.Head(bg, d) },
		"At(0)": func() (*snapshot.View, error) { return snapshot.At(bg, d, 0) },
		"AsOf":  func() (*snapshot.View, error) { return snapshot.AsOf(bg, d, time.Now().Add(-time.Minute)) },
	} {
		v, err := mk()
		if err != nil {
			t.Fatalf("%s on an empty journal: %v", name, err)
		}
		if v.Sequence() != 0 || !v.Time().IsZero() {
			t.Fatalf("%s on an empty journal: sequence %d, time %v", name, v.Sequence(), v.Time())
		}
		checkState(t, v, nil, []string{"k"})
	}
	_, err := snapshot.At(bg, d, 1)
	wantErr(t, err, sqldict.ErrFuture)
	_, err = snapshot.AsOf(bg, d, time.Now().Add(time.Hour))
	wantErr(t, err, sqldict.ErrFuture)
}

// testClosed checks views fail with ErrClosed once their Dict is closed.
func testClosed(t *testing.T, open sqldicttest.Opener) {
	d := sqldicttest.NewDict(t, open, sqldict.Options{})
	must(t, d.Set(bg, "k", []byte("v")))
	v, err := snapshot.Head(bg, d)
	must(t, err)
	// A second handle on the journal, closed, so the invariants check at
	// the end still reads through the first.
	d2 := open(t, sqldict.Options{Table: d.Table()})
	v2, err := snapshot.At(bg, d2, v.Sequence())
	must(t, err)
	must(t, d2.Close())
	_, err = v2.Get(bg, "k")
	wantErr(t, err, sqldict.ErrClosed)
	_, err = v2.Keys(bg)
	wantErr(t, err, sqldict.ErrClosed)
	_, err = snapshot.Head(bg, d2)
	wantErr(t, err, sqldict.ErrClosed)
	_, err = snapshot.Diff(bg, v2, v2)
	wantErr(t, err, sqldict.ErrClosed)
	checkState(t, v, map[string]string{"k": "v"}, []string{"k"})
}
