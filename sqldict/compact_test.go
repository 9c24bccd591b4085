package sqldict_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/sqldict/sqldict/sqldict"
	"github.com/sqldict/sqldict/sqldict/sqldicttest"
)

// TestDict_PruneBatch_Limits walks a pass batch by batch: no batch removes
// more than its limit, a key with more rows than the limit is finished by
// the next batches, and the pass ends with Done.
func TestDict_PruneBatch_Limits(t *testing.T) {
	ctx := context.Background()
	d := sqldicttest.NewDict(t, sqldicttest.OpenSQLite, sqldict.Options{})
	for i := range 10 {
		must(t, d.Set(ctx, "big", fmt.Appendf(nil, "%d", i))) // 1..10
	}
	for _, k := range []string{"a", "b", "c"} {
		must(t, d.Set(ctx, k, []byte("1")))
		must(t, d.Set(ctx, k, []byte("2")))
	}
	rule := sqldict.PruneRule{Through: 1 << 40, Limit: 3}
	var total int64
	var batches int
	for {
		res, err := d.PruneBatch(ctx, rule)
		must(t, err)
		batches++
		if res.Removed > 3 {
			t.Fatalf("batch removed %d rows, limit 3", res.Removed)
		}
		total += res.Removed
		if res.Done {
			break
		}
		rule.After = res.Next
	}
	if total != 9+3 || batches < 4 {
		t.Fatalf("removed %d rows in %d batches, want 12 in at least 4", total, batches)
	}
	st, err := d.Stat(ctx)
	must(t, err)
	// c@15 was replaced at 16, the newest removed row's successor.
	if st.Horizon != 16 {
		t.Fatalf("horizon %d, want 16", st.Horizon)
	}
	// Already pruned is success and changes nothing.
	res, err := d.PruneBatch(ctx, sqldict.PruneRule{Through: 1 << 40})
	must(t, err)
	if res.Removed != 0 || !res.Done || res.Horizon != 16 {
		t.Fatalf("second pass: %+v", res)
	}
}

func TestDict_PruneBatch_Errors(t *testing.T) {
	ctx := context.Background()
	d := sqldicttest.NewDict(t, sqldicttest.OpenSQLite, sqldict.Options{})
	must(t, d.Set(ctx, "a", []byte("1")))
	for _, r := range []sqldict.PruneRule{{Through: -1}, {DropThrough: -1}, {KeepVersions: -1}, {Limit: -1}} {
		if _, err := d.PruneBatch(ctx, r); !errors.Is(err, sqldict.ErrInvalidArgument) {
			t.Fatalf("PruneBatch(%+v) = %v, want ErrInvalidArgument", r, err)
		}
	}
	ro := sqldicttest.OpenSQLite(t, sqldict.Options{Table: d.Table(), ReadOnly: true})
	if _, err := ro.PruneBatch(ctx, sqldict.PruneRule{Through: 1}); !errors.Is(err, sqldict.ErrReadOnly) {
		t.Fatalf("read-only PruneBatch = %v", err)
	}
	if err := ro.Reclaim(ctx, false); !errors.Is(err, sqldict.ErrReadOnly) {
		t.Fatalf("read-only Reclaim = %v", err)
	}
	must(t, d.Reclaim(ctx, false))
	must(t, d.Reclaim(ctx, true))
}

// TestDict_Reclaim_Incremental: with auto_vacuum=INCREMENTAL, Reclaim gives
// the pages compaction freed back to the file system.
func TestDict_Reclaim_Incremental(t *testing.T) {
	ctx := context.Background()
	path := t.TempDir() + "/inc.db"
	d, err := sqldict.OpenURL(ctx, "sqlite:"+path+"?_auto_vacuum=incremental", sqldict.Options{})
	must(t, err)
	defer d.Close()
	big := make([]byte, 64<<10)
	for i := range 64 {
		must(t, d.Set(ctx, "k", append(big, byte(i))))
	}
	pages := func() (n, free int64) {
		must(t, d.DB().QueryRowContext(ctx, "SELECT page_count FROM pragma_page_count").Scan(&n))
		must(t, d.DB().QueryRowContext(ctx, "SELECT freelist_count FROM pragma_freelist_count").Scan(&free))
		return n, free
	}
	before, _ := pages()
	res, err := d.PruneBatch(ctx, sqldict.PruneRule{Through: 64})
	must(t, err)
	if res.Removed != 63 {
		t.Fatalf("removed %d rows", res.Removed)
	}
	_, free := pages()
	if free == 0 {
		t.Fatal("no free pages after removing 63 rows of 64 KiB")
	}
	must(t, d.Reclaim(ctx, false))
	after, free := pages()
	if free != 0 || after >= before/4 {
		t.Fatalf("after Reclaim: %d pages (%d free), %d before", after, free, before)
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
