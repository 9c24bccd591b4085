package sqldict_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/sqldict/sqldict/sqldict"
)

// A SQLite file stands for the replica: a second journal the test feeds
// with the primary's writes itself, so the replica's lag is exactly what
// the test makes it.
func openReplicaPair(t *testing.T) (primary, feeder *sqldict.Dict, d *sqldict.Dict) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	var err error
	primary, err = sqldict.OpenURL(ctx, "sqlite:"+filepath.Join(dir, "primary.db"), sqldict.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { primary.Close() })
	feeder, err = sqldict.OpenURL(ctx, "sqlite:"+filepath.Join(dir, "replica.db"), sqldict.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { feeder.Close() })
	d, err = sqldict.OpenDB(ctx, primary.DB(), primary.Dialect(), sqldict.Options{Replica: feeder.DB(), ReplicaWait: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return primary, feeder, d
}

func set(t *testing.T, d *sqldict.Dict, key, value string) int64 {
	t.Helper()
	es, err := d.Commit(context.Background(), sqldict.Write{Key: key, Value: []byte(value)})
	if err != nil {
		t.Fatal(err)
	}
	return es[0].Sequence
}

func wantValue(t *testing.T, r sqldict.Reader, key, want string) {
	t.Helper()
	got, err := r.Get(context.Background(), key)
	if err != nil || string(got) != want {
		t.Fatalf("Get(%s) = %q, %v; want %q", key, got, err, want)
	}
}

func replicaStat(t *testing.T, d *sqldict.Dict) sqldict.ReplicaStats {
	t.Helper()
	st, err := d.ReplicaStat(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestReplica_ReadYourWrites(t *testing.T) {
	ctx := context.Background()
	primary, feeder, d := openReplicaPair(t)
	set(t, primary, "k", "v1")
	set(t, feeder, "k", "v1") // replicated: both at sequence 1

	// A Dict that has not written reads the replica as it is.
	set(t, primary, "k", "v2") // not replicated yet
	wantValue(t, d, "k", "v1")
	if st := replicaStat(t, d); st.Reads != 1 || st.Fallbacks != 0 || st.Primary != 2 || st.Replica != 1 || st.Lag != 1 {
		t.Fatalf("after a replica read: %+v", st)
	}

	// After its own write at 3 the replica (at 1) may not answer: the read
	// waits ReplicaWait, then the primary answers.
	if err := d.Set(ctx, "k", []byte("v3")); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	wantValue(t, d, "k", "v3")
	if waited := time.Since(start); waited < 50*time.Millisecond {
		t.Fatalf("the read fell back after %v, before ReplicaWait", waited)
	}
	if n, err := d.Len(ctx); err != nil || n != 1 {
		t.Fatalf("Len = %d, %v", n, err)
	}
	st := replicaStat(t, d)
	if st.Fallbacks != 2 || st.Lag != 2 || st.LagTime < 0 {
		t.Fatalf("after two fallbacks: %+v", st)
	}

	// A snapshot the replica has not reached comes from the primary, exact.
	v, err := d.Snapshot(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	wantValue(t, v, "k", "v2")
	if _, err := d.Snapshot(ctx, 4); !errors.Is(err, sqldict.ErrFuture) {
		t.Fatalf("Snapshot(4) = %v, want ErrFuture", err)
	}

	// Replicated: the replica answers again, head and snapshots.
	set(t, feeder, "k", "v2")
	set(t, feeder, "k", "v3")
	before := replicaStat(t, d)
	if before.Lag != 0 || before.LagTime != 0 {
		t.Fatalf("caught up, yet %+v", before)
	}
	wantValue(t, d, "k", "v3")
	v, err = d.Snapshot(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	wantValue(t, v, "k", "v2")
	keys, err := v.Keys(ctx)
	if err != nil || len(keys) != 1 {
		t.Fatalf("snapshot keys = %v, %v", keys, err)
	}
	after := replicaStat(t, d)
	if after.Fallbacks != before.Fallbacks || after.Reads < before.Reads+2 {
		t.Fatalf("caught-up reads were not served by the replica: before %+v, after %+v", before, after)
	}
}

func TestReplica_WatchReadsReplica(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, feeder, d := openReplicaPair(t)
	// Written on the "replica" only: a watch that sees them reads the
	// replica, not the primary.
	set(t, feeder, "a", "1")
	got := 0
	done := make(chan error, 1)
	go func() {
		for e, err := range d.Watch(ctx, 0, sqldict.Range{Limit: 2}) {
			if err != nil {
				done <- err
				return
			}
			got++
			if e.Sequence != int64(got) {
				done <- errors.New("watch out of sequence")
				return
			}
		}
		done <- nil
	}()
	time.Sleep(50 * time.Millisecond)
	set(t, feeder, "b", "2")
	if err := <-done; err != nil || got != 2 {
		t.Fatalf("watch on the replica: %d entries, %v", got, err)
	}
}

func TestReplica_Options(t *testing.T) {
	ctx := context.Background()
	primary, feeder, _ := openReplicaPair(t)
	if _, err := sqldict.OpenDB(ctx, primary.DB(), primary.Dialect(), sqldict.Options{Replica: feeder.DB(), ReplicaWait: -time.Second}); !errors.Is(err, sqldict.ErrInvalidArgument) {
		t.Fatalf("negative ReplicaWait: %v, want ErrInvalidArgument", err)
	}
	if _, err := primary.ReplicaStat(ctx); !errors.Is(err, sqldict.ErrNoReplica) {
		t.Fatalf("ReplicaStat without a replica: %v, want ErrNoReplica", err)
	}
	// A replica without the journal (it never replicated) fails Open
	// after 10×ReplicaWait, saying so.
	empty, err := sqldict.OpenURL(ctx, "sqlite:"+filepath.Join(t.TempDir(), "empty.db"), sqldict.Options{Table: "other"})
	if err != nil {
		t.Fatal(err)
	}
	defer empty.Close()
	start := time.Now()
	_, err = sqldict.OpenDB(ctx, primary.DB(), primary.Dialect(), sqldict.Options{Replica: empty.DB(), ReplicaWait: 10 * time.Millisecond})
	if !errors.Is(err, sqldict.ErrNoJournal) || time.Since(start) < 100*time.Millisecond {
		t.Fatalf("Open with a replica lacking the journal: %v after %v, want ErrNoJournal after 100ms", err, time.Since(start))
	}
}
