package sqldicttest

import (
	"math"
	"testing"
	"time"

	"github.com/sqldict/sqldict/migrations"
	"github.com/sqldict/sqldict/sqldict"
)

// testAsOfRemovedHorizon: when the row at the prune horizon is a tombstone
// that a later write (PruneOnWrite) or compaction (DropThrough) removed,
// SequenceAt at exactly the tombstone's commit time still resolves to the
// horizon, whose snapshot is readable, and a microsecond earlier is refused
// with ErrPruned. The meta row's horizon_created carries that time.
func testAsOfRemovedHorizon(t *testing.T, open Opener) {
	t.Run("PruneOnWrite", func(t *testing.T) {
		d, created, next := tombstoneThenLater(t, open, sqldict.Options{PruneOnWrite: true})
		must(t, d.Set(bg, "a", []byte("2"))) // removes the tombstone at 2
		checkRemovedHorizon(t, d, created, next)
	})
	t.Run("DropThrough", func(t *testing.T) {
		d, created, next := tombstoneThenLater(t, open, sqldict.Options{})
		res, err := d.PruneBatch(bg, sqldict.PruneRule{DropThrough: 2})
		must(t, err)
		if res.Removed != 2 {
			t.Fatalf("PruneBatch dropped %d rows of the deleted key, want 2", res.Removed)
		}
		checkRemovedHorizon(t, d, created, next)
	})
}

// tombstoneThenLater writes a (1), deletes it (2; with PruneOnWrite the
// horizon moves there) and writes another key (3), and returns the created
// of 2 and 3. Commits in one microsecond share a time, and then no time
// resolves to 2 alone: such a journal is set aside and the next one tried.
func tombstoneThenLater(t *testing.T, open Opener, opts sqldict.Options) (d *sqldict.Dict, created, next time.Time) {
	t.Helper()
	for attempt := 0; ; attempt++ {
		d = NewDict(t, open, opts)
		must(t, d.Set(bg, "a", []byte("1")))
		must(t, d.Delete(bg, "a"))
		time.Sleep(time.Millisecond)
		must(t, d.Set(bg, "b", []byte("1")))
		created, next = createdAt(t, d, 2), createdAt(t, d, 3)
		if next.After(created) {
			return d, created, next
		}
		if attempt == 100 {
			t.Fatalf("100 journals had commits 2 and 3 dated alike (%s)", created)
		}
	}
}

func createdAt(t *testing.T, d *sqldict.Dict, seq int64) time.Time {
	t.Helper()
	for e, err := range d.Log(bg, seq-1, seq) {
		must(t, err)
		return e.Created
	}
	t.Fatalf("no row at sequence %d", seq)
	return time.Time{}
}

func checkRemovedHorizon(t *testing.T, d *sqldict.Dict, created, next time.Time) {
	t.Helper()
	st, err := d.Stat(bg)
	must(t, err)
	if st.Horizon != 2 {
		t.Fatalf("horizon = %d, want the removed tombstone's 2", st.Horizon)
	}
	for e, err := range d.Log(bg, 0, math.MaxInt64) {
		must(t, err)
		if e.Sequence <= 2 {
			t.Fatalf("row %d is still there: the case needs the horizon's row removed", e.Sequence)
		}
	}
	// From the next commit's time on, the answer is that commit.
	for at, want := range map[time.Time]int64{created: 2, next.Add(-time.Microsecond): 2, next: 3} {
		seq, err := d.SequenceAt(bg, at)
		if err != nil || seq != want {
			t.Fatalf("SequenceAt(%s) = %d, %v; want %d (horizon 2 at %s, 3 at %s)", at.Format(time.RFC3339Nano), seq, err, want,
				created.Format(time.RFC3339Nano), next.Format(time.RFC3339Nano))
		}
	}
	_, err = d.SequenceAt(bg, created.Add(-time.Microsecond))
	wantErr(t, err, sqldict.ErrPruned)
	s, err := d.Snapshot(bg, 2)
	must(t, err)
	checkView(t, s, map[string]string{})
}

// testUpgradeHorizonFromV2: migration 3 backfills horizon_created from the
// row at the horizon when it is there (CheckInvariants compares them), and
// leaves it unknown when the horizon is a removed tombstone: SequenceAt then
// keeps refusing that time, as schema 2 did, until the horizon moves again.
func testUpgradeHorizonFromV2(t *testing.T, open Opener) {
	redo := func(d *sqldict.Dict) *sqldict.Dict {
		t.Helper()
		j := migrations.Journal{Table: d.Table(), KeyLength: sqldict.DefaultKeyLength}
		Must(t, migrations.To(bg, d.DB(), d.Dialect(), j, 2))
		Must(t, migrations.Up(bg, d.DB(), d.Dialect(), j))
		again := open(t, sqldict.Options{Table: d.Table()})
		t.Cleanup(func() { CheckInvariants(t, again) })
		return again
	}

	d, created, _ := tombstoneThenLater(t, open, sqldict.Options{})
	_, err := d.PruneBatch(bg, sqldict.PruneRule{DropThrough: 2})
	must(t, err)
	d = redo(d)
	_, err = d.SequenceAt(bg, created)
	wantErr(t, err, sqldict.ErrPruned)
	must(t, d.Set(bg, "a", []byte("2")))
	must(t, d.Set(bg, "a", []byte("3")))
	res, err := d.PruneBatch(bg, sqldict.PruneRule{Through: 5})
	must(t, err)
	if seq, err := d.SequenceAt(bg, createdAt(t, d, res.Horizon)); err != nil || seq != res.Horizon {
		t.Fatalf("SequenceAt(time of horizon %d) after a prune moved it = %d, %v", res.Horizon, seq, err)
	}

	live, _, _ := tombstoneThenLater(t, open, sqldict.Options{})
	must(t, live.Set(bg, "b", []byte("2"))) // 4
	res, err = live.PruneBatch(bg, sqldict.PruneRule{Through: 4})
	must(t, err)
	if res.Horizon != 4 {
		t.Fatalf("horizon after pruning b's first row = %d, want 4", res.Horizon)
	}
	redo(live)
}
