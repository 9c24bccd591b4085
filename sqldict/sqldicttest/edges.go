package sqldicttest

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/sqldict/sqldict/sqldict"
)

// testTextLimits: author and comment of MaxTextLength bytes are stored
// verbatim on every engine; one byte more is refused with
// ErrInvalidArgument and writes nothing. (MySQL's TEXT holds 65 535
// bytes: in strict mode a longer one failed untyped, in a lax sql_mode it
// was stored cut.)
func testTextLimits(t *testing.T, d Journal) {
	ascii := strings.Repeat("a", sqldict.MaxTextLength)
	wide := strings.Repeat("€", sqldict.MaxTextLength/3) // 3 bytes a rune
	for i, text := range []string{ascii, wide} {
		key := fmt.Sprint("k", i)
		_, err := d.Commit(bg, sqldict.Write{Key: key, Value: []byte("v"), Author: text, Comment: text})
		must(t, err)
		e, err := d.Entry(bg, key)
		must(t, err)
		if e.Author != text || e.Comment != text {
			t.Fatalf("author and comment of %d bytes read back as %d and %d bytes", len(text), len(e.Author), len(e.Comment))
		}
	}
	for _, w := range []sqldict.Write{
		{Key: "k", Value: []byte("v"), Author: ascii + "b"},
		{Key: "k", Value: []byte("v"), Comment: ascii + "b"},
		{Key: "k", Value: []byte("v"), Comment: wide + "é"},
	} {
		_, err := d.Commit(bg, w)
		wantErr(t, err, sqldict.ErrInvalidArgument)
	}
	if got := seqOf(t, d); got != 2 {
		t.Fatalf("sequence %d after 2 valid commits among refused ones", got)
	}
}

// testListingBounds: a handle opened with a smaller KeyLength than the
// journal's lists the same keys as any other handle; the upper bound of an
// unbounded listing covers the longest key the journal can hold.
func testListingBounds(t *testing.T, open Opener) {
	d := NewDict(t, open, sqldict.Options{KeyLength: 64})
	top := strings.Repeat("\U0010FFFF", 4) // 16 bytes, the greatest key of its length
	for _, k := range []string{"a", "p/" + top, top, top + top} {
		must(t, d.Set(bg, k, []byte(k)))
	}
	want, err := d.Keys(bg)
	must(t, err)
	if len(want) != 4 {
		t.Fatalf("Keys = %q, want 4 keys", want)
	}
	small := open(t, sqldict.Options{Table: d.Table(), KeyLength: 12})
	st, err := small.Stat(bg)
	must(t, err)
	snap, err := small.Snapshot(bg, st.Sequence)
	must(t, err)
	for what, r := range map[string]sqldict.Range{"all": {}, "prefix": {Prefix: "p/"}, "from": {From: "b"}} {
		wantIn := slices.DeleteFunc(slices.Clone(want), func(k string) bool {
			return !strings.HasPrefix(k, r.Prefix) || k < r.From
		})
		got, err := small.KeysIn(bg, r)
		wantKeys(t, got, err, wantIn...)
		got, err = snap.KeysIn(bg, r)
		wantKeys(t, got, err, wantIn...)
		n, err := small.LenIn(bg, r)
		must(t, err)
		if n != len(wantIn) {
			t.Fatalf("%s: LenIn = %d through KeyLength 12, want %d", what, n, len(wantIn))
		}
		var all []string
		for e, err := range small.AllIn(bg, r) {
			must(t, err)
			all = append(all, e.Key)
		}
		if !slices.Equal(all, wantIn) {
			t.Fatalf("%s: AllIn through KeyLength 12 = %q, want %q", what, all, wantIn)
		}
	}
}

// testAllPruneOnWrite: with PruneOnWrite, every write may move the horizon
// past the sequence a head scan started at. Dict.All reads the head, and
// must not fail for history it never asked for: it goes on with the newest
// state, each key once, in order.
func testAllPruneOnWrite(t *testing.T, open Opener) {
	d := NewDict(t, open, sqldict.Options{PruneOnWrite: true})
	const n = 1300 // more than two pages
	var ws []sqldict.Write
	for i := range n {
		ws = append(ws, sqldict.Write{Key: keyN(i), Value: []byte("old")})
	}
	_, err := d.Commit(bg, ws...)
	must(t, err)
	must(t, d.Set(bg, keyN(0), []byte("old"))) // the horizon moves past the initial state
	var keys []string
	for e, err := range d.All(bg) {
		must(t, err)
		if v := string(e.Value); v != "old" && v != "new" {
			t.Fatalf("All yields %q=%q", e.Key, v)
		}
		keys = append(keys, e.Key)
		if len(keys)%200 == 0 {
			// Rewrites prune the scan's starting state away: one key
			// already yielded, one still ahead.
			_, err := d.Commit(bg, sqldict.Write{Key: keys[0], Value: []byte("new")},
				sqldict.Write{Key: keyN(n - 1), Value: []byte("new")})
			must(t, err)
		}
	}
	want := make([]string, n)
	for i := range want {
		want[i] = keyN(i)
	}
	slices.Sort(want)
	if !slices.Equal(keys, want) {
		t.Fatalf("All under PruneOnWrite yielded %d keys (sorted %v), want the %d keys once each", len(keys), slices.IsSorted(keys), n)
	}
	// A snapshot still refuses what pruning removed.
	s, err := d.Snapshot(bg, 1)
	if err == nil {
		_, err = s.Keys(bg)
	}
	wantErr(t, err, sqldict.ErrPruned)
}
