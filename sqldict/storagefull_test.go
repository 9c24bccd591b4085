package sqldict_test

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/sqldict/sqldict/sqldict"
	"github.com/sqldict/sqldict/sqldict/sqldicttest"
)

// TestDict_Commit_StorageFull: a write the database has no room for
// returns ErrStorageFull and leaves nothing of itself; reads still work.
func TestDict_Commit_StorageFull(t *testing.T) {
	ctx := context.Background()
	d := sqldicttest.OpenFullSQLite(t, "diskfull", sqldict.Write{Key: "k", Value: []byte("v1")})
	before, err := d.Stat(ctx)
	if err != nil {
		t.Fatal(err)
	}
	big := bytes.Repeat([]byte("x"), 1<<20)
	_, err = d.Commit(ctx, sqldict.Write{Key: "a", Value: []byte("small")}, sqldict.Write{Key: "k", Value: big})
	if !errors.Is(err, sqldict.ErrStorageFull) {
		t.Fatalf("commit on a full database: %v, want ErrStorageFull", err)
	}
	after, err := d.Stat(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if after.Sequence != before.Sequence {
		t.Fatalf("head moved from %d to %d", before.Sequence, after.Sequence)
	}
	if _, err := d.Get(ctx, "a"); !errors.Is(err, sqldict.ErrNotFound) {
		t.Fatalf("part of the failed commit is readable: %v", err)
	}
	if v, err := d.Get(ctx, "k"); err != nil || string(v) != "v1" {
		t.Fatalf("get k: %q %v, want v1", v, err)
	}
	sqldicttest.CheckInvariants(t, d)
}
