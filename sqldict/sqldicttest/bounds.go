package sqldicttest

import (
	"math"
	"testing"
	"time"

	"github.com/sqldict/sqldict/migrations"
	"github.com/sqldict/sqldict/sqldict"
)

// testOutOfRange: numbers outside their domain at the API's entry points are
// refused with ErrInvalidArgument and change nothing; none is read as
// "unset" (a negative expectation as a blind write, version 0 as not found).
func testOutOfRange(t *testing.T, open Opener) {
	d := NewDict(t, open, sqldict.Options{})
	must(t, d.Set(bg, "k", []byte("v")))
	for _, v := range []int64{-1, -2, math.MinInt64} {
		_, err := d.Commit(bg, sqldict.Write{Key: "k", Value: []byte("blind"), IfVersion: sqldict.Expect(v)})
		wantErr(t, err, sqldict.ErrInvalidArgument)
	}
	for _, v := range []int64{0, -1} {
		_, err := d.Version(bg, "k", v)
		wantErr(t, err, sqldict.ErrInvalidArgument)
	}
	_, err := d.Snapshot(bg, -1)
	wantErr(t, err, sqldict.ErrInvalidArgument)
	for _, r := range [][2]int64{{-1, 1}, {0, -1}} {
		n := 0
		for _, err := range d.Log(bg, r[0], r[1]) {
			wantErr(t, err, sqldict.ErrInvalidArgument)
			n++
		}
		if n != 1 {
			t.Fatalf("Log(%d, %d) yielded %d items, want one error", r[0], r[1], n)
		}
	}
	// The zero time is a real instant, before every commit: the empty view
	// (snapshottest's TimeEdges), not an error.
	if seq, err := d.SequenceAt(bg, time.Time{}); err != nil || seq != 0 {
		t.Fatalf("SequenceAt(zero time) = %d, %v; want 0, nil", seq, err)
	}
	_, err = d.PruneBatch(bg, sqldict.PruneRule{Through: -1})
	wantErr(t, err, sqldict.ErrInvalidArgument)
	if got := seqOf(t, d); got != 1 {
		t.Fatalf("sequence = %d after refused calls, want 1", got)
	}
	wantGet(t, d, "k", "v")
}

// testNoJournal: opening a journal never created without migrating it (a
// read-only open, or SkipMigrate) fails with ErrNoJournal and creates
// nothing, not even the migrations table.
func testNoJournal(t *testing.T, open Opener) {
	d := NewDict(t, open, sqldict.Options{})
	table := UniqueTable()
	for _, opts := range []sqldict.Options{{Table: table, SkipMigrate: true}, {Table: table, ReadOnly: true}} {
		_, err := sqldict.OpenDB(bg, d.DB(), d.Dialect(), opts)
		wantErr(t, err, sqldict.ErrNoJournal)
	}
	v, dirty, err := migrations.Current(bg, d.DB(), d.Dialect(), migrations.Journal{Table: table})
	if err != nil || v != 0 || dirty {
		t.Fatalf("Current of a journal never created = %d, %v, %v; want 0, false, nil", v, dirty, err)
	}
	for _, name := range []string{migrations.MigrationsTable(table), table} {
		var n int
		if err := d.DB().QueryRowContext(bg, "SELECT COUNT(*) FROM "+name).Scan(&n); err == nil {
			t.Fatalf("table %s exists after opens that must create nothing", name)
		}
	}
	// An existing journal opens read-only.
	ro, err := sqldict.OpenDB(bg, d.DB(), d.Dialect(), sqldict.Options{Table: d.Table(), ReadOnly: true})
	must(t, err)
	must(t, ro.Close())
}
