package sqldict_test

import (
	"context"
	"errors"
	"iter"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/sqldict/sqldict/sqldict"
	"github.com/sqldict/sqldict/sqldict/sqldicttest"
)

func mustKeys(t *testing.T, d *sqldict.Dict) []string {
	t.Helper()
	keys, err := d.Keys(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return keys
}

func openTemp(t *testing.T, name string) *sqldict.Dict {
	t.Helper()
	d, err := sqldict.OpenURL(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), name), sqldict.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func journal(t *testing.T, d *sqldict.Dict) (sqldict.Stats, []sqldict.Entry) {
	t.Helper()
	ctx := context.Background()
	st, err := d.Stat(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var out []sqldict.Entry
	for e, err := range d.Log(ctx, 0, st.Sequence) {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return st, out
}

func seqOf(entries []sqldict.Entry) iter.Seq2[sqldict.Entry, error] {
	return func(yield func(sqldict.Entry, error) bool) {
		for _, e := range entries {
			if !yield(e, nil) {
				return
			}
		}
	}
}

func TestDict_Import_RoundTrip(t *testing.T) {
	ctx := context.Background()
	src := openTemp(t, "src.db")
	steps := [][]sqldict.Write{
		{{Key: "a", Value: []byte("one"), Author: "ana", Comment: "first"}},
		{{Key: "b", Value: []byte{0, 0xff, 0xfe, 0}}, {Key: "c", Value: []byte{}}},
		{{Key: "a", Value: []byte("two")}, {Key: "a", Delete: true, Comment: "gone"}},
		{{Key: "a", Value: []byte("back")}, {Key: "b", Delete: true}},
	}
	for _, ws := range steps {
		if _, err := src.Commit(ctx, ws...); err != nil {
			t.Fatal(err)
		}
	}
	head, rows := journal(t, src)

	dst := openTemp(t, "dst.db")
	n, err := dst.Import(ctx, head, seqOf(rows))
	if err != nil {
		t.Fatal(err)
	}
	if n != int64(len(rows)) {
		t.Fatalf("imported %d rows, want %d", n, len(rows))
	}
	sqldicttest.CheckInvariants(t, dst)
	if ka, kb := mustKeys(t, src), mustKeys(t, dst); !slices.Equal(ka, kb) {
		t.Errorf("keys at the head %q, want %q", kb, ka)
	}
	gotHead, gotRows := journal(t, dst)
	if !reflect.DeepEqual(gotHead, head) {
		t.Errorf("head %+v, want %+v", gotHead, head)
	}
	if !reflect.DeepEqual(gotRows, rows) {
		t.Errorf("rows differ:\n got %+v\nwant %+v", gotRows, rows)
	}
	for seq := int64(0); seq <= head.Sequence; seq++ {
		a, err := src.Snapshot(ctx, seq)
		if err != nil {
			t.Fatal(err)
		}
		b, err := dst.Snapshot(ctx, seq)
		if err != nil {
			t.Fatal(err)
		}
		ka, _ := a.Keys(ctx)
		kb, _ := b.Keys(ctx)
		if !slices.Equal(ka, kb) {
			t.Fatalf("seq %d: keys %q, want %q", seq, kb, ka)
		}
		if !a.Time().Equal(b.Time()) {
			t.Errorf("seq %d: time %v, want %v", seq, b.Time(), a.Time())
		}
	}
	// The copy keeps working: the next commit continues the sequence.
	es, err := dst.Commit(ctx, sqldict.Write{Key: "a", Value: []byte("next"), IfVersion: sqldict.Expect(4)})
	if err != nil {
		t.Fatal(err)
	}
	if es[0].Sequence != head.Sequence+1 || es[0].Version != 5 || es[0].Created.Before(head.Created) {
		t.Errorf("next commit %+v after head %+v", es[0], head)
	}
}

func TestDict_Import_Refused(t *testing.T) {
	ctx := context.Background()
	src := openTemp(t, "src.db")
	for _, k := range []string{"a", "b", "a"} {
		if err := src.Set(ctx, k, []byte(k)); err != nil {
			t.Fatal(err)
		}
	}
	head, rows := journal(t, src)
	mod := func(f func(rs []sqldict.Entry) []sqldict.Entry) []sqldict.Entry {
		return f(slices.Clone(rows))
	}
	cases := map[string]struct {
		head sqldict.Stats
		rows []sqldict.Entry
	}{
		"gap":          {head, mod(func(rs []sqldict.Entry) []sqldict.Entry { return slices.Delete(rs, 1, 2) })},
		"short":        {head, rows[:2]},
		"version skip": {head, mod(func(rs []sqldict.Entry) []sqldict.Entry { rs[2].Version = 3; return rs })},
		"bad key":      {head, mod(func(rs []sqldict.Entry) []sqldict.Entry { rs[1].Key = "x\x00"; return rs })},
		"delete nothing": {head, mod(func(rs []sqldict.Entry) []sqldict.Entry {
			rs[0].Deleted, rs[0].Value = true, nil
			return rs
		})},
		"time backwards": {head, mod(func(rs []sqldict.Entry) []sqldict.Entry {
			rs[2].Created = rs[0].Created.Add(-1)
			return rs
		})},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			dst := openTemp(t, "dst.db")
			_, err := dst.Import(ctx, c.head, seqOf(c.rows))
			if !errors.Is(err, sqldict.ErrInvalidArgument) && !errors.Is(err, sqldict.ErrInvalidKey) {
				t.Fatalf("err %v, want ErrInvalidArgument", err)
			}
			if st, _ := journal(t, dst); st.Sequence != 0 {
				t.Fatalf("journal at %d after a refused import", st.Sequence)
			}
		})
	}
	t.Run("not empty", func(t *testing.T) {
		if _, err := src.Import(ctx, head, seqOf(rows)); !errors.Is(err, sqldict.ErrInvalidArgument) {
			t.Fatalf("err %v, want ErrInvalidArgument", err)
		}
	})
	t.Run("stream error", func(t *testing.T) {
		dst := openTemp(t, "dst.db")
		boom := errors.New("boom")
		_, err := dst.Import(ctx, head, func(yield func(sqldict.Entry, error) bool) {
			if yield(rows[0], nil) {
				yield(sqldict.Entry{}, boom)
			}
		})
		if !errors.Is(err, boom) {
			t.Fatalf("err %v, want boom", err)
		}
		if st, _ := journal(t, dst); st.Sequence != 0 {
			t.Fatalf("journal at %d after a failed import", st.Sequence)
		}
	})
}

// A key compaction dropped and that was written again continues after its
// tombstone's version: its first row in an export is above version 1 and
// above the horizon, and the import takes it, with the live count.
func TestDict_Import_DroppedKeyWrittenAgain(t *testing.T) {
	ctx := context.Background()
	src := openTemp(t, "src.db")
	sqldicttest.Must(t, src.Set(ctx, "k", []byte("one")))
	sqldicttest.Must(t, src.Set(ctx, "other", []byte("x")))
	sqldicttest.Must(t, src.Delete(ctx, "k"))
	st, err := src.Stat(ctx)
	sqldicttest.Must(t, err)
	if _, err := src.PruneBatch(ctx, sqldict.PruneRule{DropThrough: st.Sequence}); err != nil {
		t.Fatal(err)
	}
	sqldicttest.Must(t, src.Set(ctx, "k", []byte("two")))
	head, rows := journal(t, src)

	dst := openTemp(t, "dst.db")
	if _, err := dst.Import(ctx, head, seqOf(rows)); err != nil {
		t.Fatalf("import of a journal with a dropped key written again: %v", err)
	}
	sqldicttest.CheckInvariants(t, dst)
	e, err := dst.Entry(ctx, "k")
	sqldicttest.Must(t, err)
	if e.Version != 3 {
		t.Fatalf("imported k at version %d, want 3", e.Version)
	}
	if n, err := dst.Len(ctx); err != nil || n != 2 {
		t.Fatalf("Len after import = %d, %v, want 2", n, err)
	}
}
