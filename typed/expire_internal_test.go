package typed

import (
	"context"
	"testing"

	"github.com/sqldict/sqldict/sqldict"
	"github.com/sqldict/sqldict/sqldict/sqldicttest"
)

// TestBatcher_SkipsChangedKeys: a tombstone whose key changed since the
// sweep looked is left out; the others still commit.
func TestBatcher_SkipsChangedKeys(t *testing.T) {
	ctx := context.Background()
	b := sqldicttest.NewDict(t, sqldicttest.OpenSQLiteMemory, sqldict.Options{})
	d, err := New(b, Options[string]{})
	sqldicttest.Must(t, err)
	for _, k := range []string{"a", "b", "c"} {
		sqldicttest.Must(t, d.Set(ctx, k, "v"))
	}
	sqldicttest.Must(t, d.Set(ctx, "b", "rewritten")) // b is at version 2 now
	sqldicttest.Must(t, d.Delete(ctx, "c"))
	bt := batcher{ctx: ctx, store: b}
	for _, k := range []string{"a", "b", "c"} {
		sqldicttest.Must(t, bt.add(sqldict.Entry{Key: k, Version: 1}, nil))
	}
	sqldicttest.Must(t, bt.flush())
	if bt.n != 1 {
		t.Fatalf("batcher deleted %d, want 1", bt.n)
	}
	if ok, _ := b.Has(ctx, "a"); ok {
		t.Fatal("a survived the sweep")
	}
	if v, err := d.Get(ctx, "b"); err != nil || v != "rewritten" {
		t.Fatalf("b = %q, %v: the sweep deleted a rewritten key", v, err)
	}
}
