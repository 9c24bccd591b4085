package sqldicttest

import (
	"iter"
	"slices"
	"testing"
	"time"

	"github.com/sqldict/sqldict/sqldict"
)

// testImportFuture: a journal dated after the database's clock is refused
// and nothing is imported: every later commit would be dated after it, and
// reads as of now would not see them.
func testImportFuture(t *testing.T, open Opener) {
	src := NewDict(t, open, sqldict.Options{})
	for _, k := range []string{"a", "b", "a"} {
		must(t, src.Set(bg, k, []byte(k)))
	}
	st, err := src.Stat(bg)
	must(t, err)
	var rows []sqldict.Entry
	for e, err := range src.Log(bg, 0, st.Sequence) {
		must(t, err)
		rows = append(rows, e)
	}
	shift := func(by time.Duration) (sqldict.Stats, []sqldict.Entry) {
		head, out := st, slices.Clone(rows)
		head.Created = head.Created.Add(by)
		for i := range out {
			out[i].Created = out[i].Created.Add(by)
		}
		return head, out
	}
	dst := NewDict(t, open, sqldict.Options{})
	for _, by := range []time.Duration{time.Hour, 64 * 365 * 24 * time.Hour} {
		head, out := shift(by)
		_, err := dst.Import(bg, head, entriesOf(out))
		wantErr(t, err, sqldict.ErrFuture)
		wantErr(t, err, sqldict.ErrInvalidArgument)
		got, err := dst.Stat(bg)
		must(t, err)
		keys, err := dst.Keys(bg)
		must(t, err)
		if got.Sequence != 0 || len(keys) != 0 {
			t.Fatalf("a refused import left sequence %d, keys %q", got.Sequence, keys)
		}
	}
	head, out := shift(-time.Hour)
	n, err := dst.Import(bg, head, entriesOf(out))
	must(t, err)
	if n != int64(len(rows)) {
		t.Fatalf("imported %d entries, want %d", n, len(rows))
	}
	must(t, dst.Set(bg, "b", []byte("now")))
	e, err := dst.Entry(bg, "b")
	must(t, err)
	if !e.Created.After(head.Created) {
		t.Fatalf("a commit after the import is dated %s, not after the import's %s", e.Created, head.Created)
	}
}

func entriesOf(rows []sqldict.Entry) iter.Seq2[sqldict.Entry, error] {
	return func(yield func(sqldict.Entry, error) bool) {
		for _, e := range rows {
			if !yield(e, nil) {
				return
			}
		}
	}
}
