package prunetest

import (
	"errors"
	"testing"

	"github.com/sqldict/sqldict/prune"
	"github.com/sqldict/sqldict/sqldict"
	"github.com/sqldict/sqldict/sqldict/sqldicttest"
)

// testNoABAAfterDrop is the compare-and-set trap of issue 10: a writer reads
// k at version 1, k is deleted, a DropDeleted compaction removes every row
// of k, and k is written again. If versions restarted, the new write would
// be version 1 again and the stale Expect(1) would overwrite a value its
// writer never saw. Versions of a key must never repeat.
func testNoABAAfterDrop(t *testing.T, open sqldicttest.Opener) {
	d := sqldicttest.NewDict(t, open, sqldict.Options{})
	must(t, d.Set(bg, "k", []byte("first")))
	must(t, d.Set(bg, "other", []byte("x")))
	stale, err := d.Entry(bg, "k") // the stale writer's read: version 1
	must(t, err)
	if stale.Version != 1 {
		t.Fatalf("first write at version %d", stale.Version)
	}
	must(t, d.Delete(bg, "k"))
	st, err := d.Stat(bg)
	must(t, err)
	res := compact(t, d, prune.Policy{DropDeleted: true, Through: st.Sequence})
	if res.Removed != 2 {
		t.Fatalf("drop removed %d rows, want k's 2", res.Removed)
	}
	if _, err := d.History(bg, "k"); !errors.Is(err, sqldict.ErrNotFound) {
		t.Fatalf("History(k) after drop: %v, want ErrNotFound", err)
	}

	// Dropped, the key is absent: Expect(0) holds, the stale Expect(1)
	// does not.
	if _, err := d.Commit(bg, sqldict.Write{Key: "k", Value: []byte("stale"), IfVersion: sqldict.Expect(1)}); !errors.Is(err, sqldict.ErrConflict) {
		t.Fatalf("stale Expect(1) on the dropped key: %v, want ErrConflict", err)
	}
	if ok, err := d.Has(bg, "k"); err != nil || ok {
		t.Fatalf("Has(k) after drop = %v, %v", ok, err)
	}
	if n, err := d.Len(bg); err != nil || n != 1 {
		t.Fatalf("Len after drop = %d, %v, want 1", n, err)
	}

	// Another writer creates k afresh.
	es, err := d.Commit(bg, sqldict.Write{Key: "k", Value: []byte("second"), IfVersion: sqldict.Expect(0)})
	must(t, err)
	if es[0].Version != 3 {
		t.Fatalf("k written again at version %d, want 3 (after the tombstone's 2)", es[0].Version)
	}
	// The stale writer's Expect(1) must not match the new key.
	_, err = d.Commit(bg, sqldict.Write{Key: "k", Value: []byte("stale"), IfVersion: sqldict.Expect(stale.Version)})
	var ce *sqldict.ConflictError
	if !errors.As(err, &ce) || ce.Actual != 3 {
		t.Fatalf("stale Expect(1) after the drop and a new write: %v, want a conflict with version 3", err)
	}
	if v, err := d.Get(bg, "k"); err != nil || string(v) != "second" {
		t.Fatalf("Get(k) = %q, %v, want the new writer's value", v, err)
	}
	// Version 1 is gone for good, never the new value.
	if _, err := d.Version(bg, "k", 1); !errors.Is(err, sqldict.ErrPruned) {
		t.Fatalf("Version(k, 1) after the drop: %v, want ErrPruned", err)
	}
	if n, err := d.Len(bg); err != nil || n != 2 {
		t.Fatalf("Len = %d, %v, want 2", n, err)
	}

	// The mark survives a second drop, and a reopen of the journal.
	must(t, d.Delete(bg, "k"))
	st, err = d.Stat(bg)
	must(t, err)
	compact(t, d, prune.Policy{DropDeleted: true, Through: st.Sequence})
	d2 := open(t, sqldict.Options{Table: d.Table()})
	es, err = d2.Commit(bg, sqldict.Write{Key: "k", Value: []byte("third")})
	must(t, err)
	if es[0].Version != 5 {
		t.Fatalf("k written after a second drop at version %d, want 5", es[0].Version)
	}
	// Compaction passes over the marks it leaves and finds nothing more.
	st, err = d2.Stat(bg)
	must(t, err)
	if res := compact(t, d2, prune.Policy{DropDeleted: true, Through: st.Sequence}); res.Removed != 0 {
		t.Fatalf("compaction after the drops removed %d rows", res.Removed)
	}
}
