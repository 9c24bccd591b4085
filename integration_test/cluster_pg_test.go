package integration_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/sqldict/sqldict/sqldict"
	"github.com/sqldict/sqldict/sqldict/sqldicttest"
)

// TestCluster_PGReplica runs Options.Replica on a real PostgreSQL hot
// standby fed by asynchronous streaming replication.
func TestCluster_PGReplica(t *testing.T) {
	p := startPGPair(t, 25432, false)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	events := &eventCounter{}
	writer, err := sqldict.OpenURL(ctx, p.URL(p.primary), sqldict.Options{Table: "pgrep"})
	if err != nil {
		t.Fatalf("pg/primary: %v", err)
	}
	defer writer.Close()
	rdb, err := sql.Open("pgx", p.URL(p.replica))
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	const wait = 300 * time.Millisecond
	d, err := sqldict.OpenURL(ctx, p.URL(p.primary), sqldict.Options{Table: "pgrep", Replica: rdb, ReplicaWait: wait, Logger: slog.New(events)})
	if err != nil {
		t.Fatalf("pg/primary with pg/replica: %v", err)
	}
	defer d.Close()
	stat := func(t *testing.T) sqldict.ReplicaStats {
		t.Helper()
		st, err := d.ReplicaStat(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}

	t.Run("read-your-writes", func(t *testing.T) {
		for i := range 200 {
			v := fmt.Sprint(i)
			if err := d.Set(ctx, "k", []byte(v)); err != nil {
				t.Fatal(err)
			}
			got, err := d.Get(ctx, "k")
			if err != nil || string(got) != v {
				t.Fatalf("write %d then read: %q, %v", i, got, err)
			}
		}
		st := stat(t)
		if st.Reads < 150 {
			t.Errorf("pg/replica answered only %d of 200 reads: %+v", st.Reads, st)
		}
		t.Logf("200 writes on pg/primary each read back exactly, pg/replica answering %d, the primary %d (replica behind beyond %v)", st.Reads, st.Fallbacks, wait)
	})

	t.Run("paused-replay", func(t *testing.T) {
		if err := writer.Set(ctx, "p", []byte("v1")); err != nil {
			t.Fatal(err)
		}
		st0, _ := writer.Stat(ctx)
		waitAt(t, "pg/replica", replicaView(t, d), st0.Sequence)
		if _, err := p.radmin.ExecContext(ctx, "SELECT pg_wal_replay_pause()"); err != nil {
			t.Fatal(err)
		}
		defer p.radmin.ExecContext(context.WithoutCancel(ctx), "SELECT pg_wal_replay_resume()")
		if err := writer.Set(ctx, "p", []byte("v2")); err != nil {
			t.Fatal(err)
		}
		// d did not write since: it reads the replica as it is.
		before := stat(t)
		if got, err := d.Get(ctx, "p"); err != nil || string(got) != "v1" {
			t.Fatalf("Get from the paused pg/replica: %q, %v; want the stale v1, which shows the replica answered", got, err)
		}
		es, err := d.Commit(ctx, sqldict.Write{Key: "p", Value: []byte("v3")})
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		if got, err := d.Get(ctx, "p"); err != nil || string(got) != "v3" {
			t.Fatalf("read after own write with pg/replica paused: %q, %v", got, err)
		}
		if w := time.Since(start); w < wait {
			t.Errorf("the primary answered after %v, before ReplicaWait %v", w, wait)
		}
		s, err := d.Snapshot(ctx, es[0].Sequence-1)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := s.Get(ctx, "p"); err != nil || string(got) != "v2" {
			t.Fatalf("snapshot at %d, which pg/replica lacks: %q, %v; want v2", es[0].Sequence-1, got, err)
		}
		if _, err := d.Snapshot(ctx, es[0].Sequence+1); !errors.Is(err, sqldict.ErrFuture) {
			t.Fatalf("snapshot after the newest commit: %v, want ErrFuture", err)
		}
		st := stat(t)
		if st.Lag < 2 || st.LagTime <= 0 || st.Fallbacks < before.Fallbacks+2 {
			t.Errorf("paused replica: %+v (before %+v): want lag ≥ 2 and two more fallbacks", st, before)
		}
		t.Logf("pg/replica paused: stale reads for a Dict that did not write, exact answers from the primary after its own write (%+v)", st)
		if _, err := p.radmin.ExecContext(ctx, "SELECT pg_wal_replay_resume()"); err != nil {
			t.Fatal(err)
		}
		waitAt(t, "pg/replica", replicaView(t, d), es[0].Sequence)
		before = stat(t)
		if got, err := d.Get(ctx, "p"); err != nil || string(got) != "v3" {
			t.Fatalf("after resume: %q, %v", got, err)
		}
		if st := stat(t); st.Lag != 0 || st.Reads != before.Reads+1 || st.Fallbacks != before.Fallbacks {
			t.Errorf("caught up, yet %+v (before the read %+v)", st, before)
		}
	})

	t.Run("watch", func(t *testing.T) {
		st0, err := writer.Stat(ctx)
		if err != nil {
			t.Fatal(err)
		}
		const n = 60
		watchMatchesLog(t, ctx, "pg/replica", d, "pg/primary", writer, st0.Sequence, n, func(i int) error {
			return writer.Set(ctx, fmt.Sprintf("w/%d", i%7), []byte(fmt.Sprint(i)))
		})
		if c := events.counts()["sqldict: watch listener failed, reconnecting"]; c != 0 {
			t.Errorf("the watch tried LISTEN on the hot standby %d times", c)
		}
		t.Logf("watch on pg/replica (polling its meta row) delivered pg/primary's %d commits exactly", n)
	})

	t.Run("replica-down", func(t *testing.T) {
		p.replica.kill()
		t.Logf("pg/replica: killed (SIGKILL)")
		if _, err := d.ReplicaStat(ctx); err == nil {
			t.Errorf("ReplicaStat with pg/replica down: no error")
		}
		if err := d.Set(ctx, "down", []byte("x")); err != nil {
			t.Fatal(err)
		}
		if got, err := d.Get(ctx, "down"); err != nil || string(got) != "x" {
			t.Fatalf("read with pg/replica down: %q, %v", got, err)
		}
		if got, err := d.Get(ctx, "p"); err != nil || string(got) != "v3" {
			t.Fatalf("read with pg/replica down: %q, %v", got, err)
		}
		sqldicttest.CheckInvariants(t, d)
		t.Logf("pg/replica down: reads answered by pg/primary")
	})
}

// replicaView opens the Dict's table read-only on the replica pool, to
// watch the replica's own sequence.
func replicaView(t *testing.T, d *sqldict.Dict) *sqldict.Dict {
	t.Helper()
	r, err := sqldict.OpenDB(context.Background(), d.Options().Replica, d.Dialect(), sqldict.Options{Table: d.Table(), ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// TestCluster_PGFailover kills the primary of a synchronous pair
// (synchronous_commit = remote_apply) while writers commit, promotes the
// replica and checks that no acknowledged write was lost.
func TestCluster_PGFailover(t *testing.T) {
	p := startPGPair(t, 25434, true)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	d, err := sqldict.OpenURL(ctx, p.URL(p.primary), sqldict.Options{Table: "pgfail"})
	if err != nil {
		t.Fatalf("pg/primary: %v", err)
	}
	defer d.Close()
	const writers = 4
	stop := sqldicttest.StartWriters(ctx, writers, func(int) *sqldict.Dict { return d }, 5*time.Second,
		func(_ int, a sqldicttest.Attempt) bool { return a.Err == nil }) // an error: the primary is gone
	time.Sleep(1500 * time.Millisecond)
	p.primary.kill()
	t.Logf("pg/primary: killed (SIGKILL) while %d writers commit", writers)
	attempts := stop()
	if err := p.promote(ctx); err != nil {
		t.Fatal(err)
	}
	t.Logf("pg/replica: promoted")
	nd, err := sqldict.OpenURL(ctx, p.URL(p.replica), sqldict.Options{Table: "pgfail"})
	if err != nil {
		t.Fatalf("pg/replica, promoted: %v", err)
	}
	defer nd.Close()
	ok, failed := sqldicttest.CheckAttempts(t, nd, attempts)
	sqldicttest.CheckInvariants(t, nd)
	st, err := nd.Stat(ctx)
	if err != nil {
		t.Fatal(err)
	}
	es, err := nd.Commit(ctx, sqldict.Write{Key: "after/failover", Value: []byte("x")})
	if err != nil {
		t.Fatalf("write on the promoted pg/replica: %v", err)
	}
	if es[0].Sequence != st.Sequence+1 {
		t.Errorf("first write after failover at sequence %d, want %d", es[0].Sequence, st.Sequence+1)
	}
	sqldicttest.CheckInvariants(t, nd)
	if ok == 0 {
		t.Errorf("no write succeeded before the kill: the test proved nothing")
	}
	t.Logf("failover with remote_apply: %d acknowledged writes all on the promoted replica, %d failed writes %v left nothing (or landed whole, for ErrOutcomeUnknown); writing goes on at %d", ok, failed, failureKinds(attempts), es[0].Sequence)
}
