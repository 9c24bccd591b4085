package snapshottest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/sqldict/sqldict/snapshot"
	"github.com/sqldict/sqldict/sqldict"
	"github.com/sqldict/sqldict/sqldict/sqldicttest"
)

// change is a Change as a test expects it: the journal rows of Before and
// After named by sequence, 0 for none.
type change struct {
	key           string
	kind          snapshot.Kind
	before, after int64
}

// checkChanges compares got with want, and each entry with the journal row
// it names.
func checkChanges(t testing.TB, j journal, what string, got []snapshot.Change, want []change) {
	t.Helper()
	format := func(cs []snapshot.Change) string {
		var b strings.Builder
		for _, c := range cs {
			fmt.Fprintf(&b, "{%s %s %s %s} ", c.Key, c.Kind, seqText(c.Before), seqText(c.After))
		}
		return b.String()
	}
	if len(got) != len(want) {
		t.Fatalf("%s: %d changes %s, want %d %+v", what, len(got), format(got), len(want), want)
	}
	for i, w := range want {
		g := got[i]
		if g.Key != w.key || g.Kind != w.kind {
			t.Fatalf("%s: change %d is %s %s, want %s %s (all: %s)", what, i, g.Key, g.Kind, w.key, w.kind, format(got))
		}
		for _, side := range []struct {
			name string
			e    *sqldict.Entry
			seq  int64
		}{{"Before", g.Before, w.before}, {"After", g.After, w.after}} {
			switch {
			case side.seq == 0 && side.e != nil:
				t.Fatalf("%s: %s of %s = %+v, want nil", what, side.name, w.key, *side.e)
			case side.seq != 0 && side.e == nil:
				t.Fatalf("%s: %s of %s is nil, want row %d", what, side.name, w.key, side.seq)
			case side.seq != 0 && !sameEntry(*side.e, j[side.seq-1]):
				t.Fatalf("%s: %s of %s = %+v, want %+v", what, side.name, w.key, *side.e, j[side.seq-1])
			}
		}
	}
}

func seqText(e *sqldict.Entry) string {
	if e == nil {
		return "nil"
	}
	return fmt.Sprint(e.Sequence)
}

// testDiff: every kind of change, the changes Diff leaves out, both
// directions, entries with their metadata, and the streaming form.
func testDiff(t *testing.T, open sqldicttest.StoreOpener) {
	d := open(t)
	set := func(k, v string) sqldict.Write { return sqldict.Write{Key: k, Value: []byte(v)} }
	del := func(k string) sqldict.Write { return sqldict.Write{Key: k, Delete: true} }
	commit(t, d, set("a", "1"), set("b", "1"), set("c", "1"), set("d", "1"), set("h", "1")) // 1..5
	commit(t, d, del("h"))                                                                  // 6
	a, err := snapshot.Head(bg, d)
	must(t, err)
	commit(t, d, sqldict.Write{Key: "a", Value: []byte("2"), Author: "ana", Comment: "raise"}) // 7 changed
	commit(t, d, del("b"))                                                                     // 8 deleted
	commit(t, d, set("e", "1"))                                                                // 9 added
	commit(t, d, set("f", "1"), del("f"))                                                      // 10, 11 set and deleted: none
	commit(t, d, sqldict.Write{Key: "c", Value: []byte("1"), Author: "bo"})                    // 12 same bytes: none
	commit(t, d, set("d", "2"))                                                                // 13
	commit(t, d, set("d", "1"))                                                                // 14 back to the old bytes: none
	commit(t, d, set("g", "1"), set("g", "2"))                                                 // 15, 16 added, newest row
	commit(t, d, set("h", "2"))                                                                // 17 re-added over a tombstone
	b, err := snapshot.Head(bg, d)
	must(t, err)
	commit(t, d, set("z", "after b"))
	j := readJournal(t, d)

	got, err := snapshot.Diff(bg, a, b)
	must(t, err)
	checkChanges(t, j, "Diff(a, b)", got, []change{
		{"a", snapshot.Changed, 1, 7},
		{"b", snapshot.Deleted, 2, 8},
		{"e", snapshot.Added, 0, 9},
		{"g", snapshot.Added, 0, 16},
		{"h", snapshot.Added, 6, 17},
	})
	if got[0].After.Author != "ana" || got[0].After.Comment != "raise" || got[0].After.Version != 2 {
		t.Fatalf("Diff(a, b): a's After = %+v, want version 2 by ana", *got[0].After)
	}
	got, err = snapshot.Diff(bg, b, a)
	must(t, err)
	checkChanges(t, j, "Diff(b, a)", got, []change{
		{"a", snapshot.Changed, 7, 1},
		{"b", snapshot.Added, 8, 2},
		{"e", snapshot.Deleted, 9, 0},
		{"g", snapshot.Deleted, 16, 0},
		{"h", snapshot.Deleted, 17, 6},
	})
	for _, v := range []*snapshot.View{a, b} {
		got, err = snapshot.Diff(bg, v, v)
		must(t, err)
		checkChanges(t, j, "Diff(v, v)", got, nil)
	}
	// From the empty dict: everything live is added.
	empty, err := snapshot.At(bg, d, 0)
	must(t, err)
	got, err = snapshot.Diff(bg, empty, b)
	must(t, err)
	checkChanges(t, j, "Diff(0, b)", got, []change{
		{"a", snapshot.Added, 0, 7},
		{"c", snapshot.Added, 0, 12},
		{"d", snapshot.Added, 0, 14},
		{"e", snapshot.Added, 0, 9},
		{"g", snapshot.Added, 0, 16},
		{"h", snapshot.Added, 0, 17},
	})
	// Changes stops when asked.
	n := 0
	for c, err := range snapshot.Changes(bg, a, b) {
		must(t, err)
		if n++; c.Key != "a" || n > 1 {
			t.Fatalf("Changes yielded %s after a break", c.Key)
		}
		break
	}
	for k, want := range map[snapshot.Kind]string{snapshot.Added: "added", snapshot.Changed: "changed", snapshot.Deleted: "deleted", 0: "Kind(0)"} {
		if k.String() != want {
			t.Fatalf("Kind(%d).String() = %q, want %q", int(k), k.String(), want)
		}
	}
}

// testDiffInvalid: views of different journals, and nil views.
func testDiffInvalid(t *testing.T, open sqldicttest.StoreOpener) {
	d1 := open(t)
	d2 := open(t)
	must(t, d1.Set(bg, "k", []byte("1")))
	v1, err := snapshot.Head(bg, d1)
	must(t, err)
	v2, err := snapshot.Head(bg, d2)
	must(t, err)
	_, err = snapshot.Diff(bg, v1, v2)
	wantErr(t, err, sqldict.ErrInvalidArgument)
	_, err = snapshot.Diff(bg, nil, v2)
	wantErr(t, err, sqldict.ErrInvalidArgument)
	_, err = snapshot.Diff(bg, v1, nil)
	wantErr(t, err, sqldict.ErrInvalidArgument)
}
