package integration_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/sqldict/sqldict/sqldict"
	"github.com/sqldict/sqldict/sqldict/sqldicttest"
)

// TestCluster_Galera runs sqldict's guarantees on a real 3-node MariaDB
// Galera cluster: writers on every node, CAS across nodes, snapshots and a
// watch read on other nodes than the writes, a Dict reading node 2 as its
// replica, and kill -9 of node 3 mid-run.
//
// Reads on another node than the write: Galera applies write-sets on the
// other nodes asynchronously (certification is synchronous, apply is not),
// so a read on node 2 right after a commit on node 1 may not see it unless
// the session sets wsrep_sync_wait. sqldict does not set it: the tests wait
// for the node's meta row to reach the sequence they need, which is the
// rule Options.Replica applies (read-your-writes by sequence) and costs
// nothing when the node is current. A write never needs it: a writer whose
// node had not applied the newest meta row fails certification and retries.
func TestCluster_Galera(t *testing.T) {
	g := startGalera(t)
	t.Run("first-open", func(t *testing.T) { testGaleraFirstOpen(t, g) })
	t.Run("writers", func(t *testing.T) { testGaleraWriters(t, g) })
	t.Run("cas", func(t *testing.T) { testGaleraCAS(t, g) })
	t.Run("watch", func(t *testing.T) { testGaleraWatch(t, g) })
	t.Run("replica", func(t *testing.T) { testGaleraReplica(t, g) })
	t.Run("kill-node3", func(t *testing.T) { testGaleraKill(t, g) })
}

// galeraDicts opens table on every node, one Dict (and pool) per node.
func galeraDicts(t *testing.T, g *galera, table string, events *eventCounter) []*sqldict.Dict {
	t.Helper()
	var ds []*sqldict.Dict
	for i := range g.nodes {
		opts := sqldict.Options{Table: table, MaxRetries: 50}
		if events != nil {
			opts.Logger = slog.New(events)
		}
		d, err := sqldict.OpenURL(context.Background(), g.URL(i), opts)
		if err != nil {
			t.Fatalf("%s: open %s: %v", g.nodes[i].name, table, err)
		}
		t.Cleanup(func() { d.Close() })
		ds = append(ds, d)
	}
	return ds
}

// waitAt waits until d's node has applied sequence seq.
func waitAt(t *testing.T, name string, d *sqldict.Dict, seq int64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := waitFor(ctx, name+": reach sequence "+strconv.FormatInt(seq, 10), func(ctx context.Context) error {
		st, err := d.Stat(ctx)
		if err == nil && st.Sequence < seq {
			err = fmt.Errorf("at %d", st.Sequence)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

// view reads the whole state at seq: every live entry in key order.
func view(t *testing.T, d *sqldict.Dict, seq int64) []sqldict.Entry {
	t.Helper()
	ctx := context.Background()
	s, err := d.Snapshot(ctx, seq)
	if err != nil {
		t.Fatalf("snapshot %d: %v", seq, err)
	}
	var out []sqldict.Entry
	for e, err := range s.All(ctx) {
		if err != nil {
			t.Fatalf("snapshot %d: %v", seq, err)
		}
		out = append(out, e)
	}
	return out
}

// sameViews checks that every node shows the same state at each of seqs.
func sameViews(t *testing.T, g *galera, ds []*sqldict.Dict, seqs ...int64) {
	t.Helper()
	for _, seq := range seqs {
		want := view(t, ds[0], seq)
		for i := 1; i < len(ds); i++ {
			if got := view(t, ds[i], seq); !reflect.DeepEqual(got, want) {
				t.Errorf("%s: snapshot at %d differs from galera/node1's: %d entries vs %d", g.nodes[i].name, seq, len(got), len(want))
			}
		}
		t.Logf("snapshot at %d: %d entries, identical on %d nodes", seq, len(want), len(ds))
	}
}

// testGaleraFirstOpen opens new journals on node 1 and at once on nodes 2
// and 3, whose apply of node 1's migration may lag: the migration state
// they read under the schema lock waits for it (wsrep_sync_wait), so they
// never see a half-migrated (dirty) journal.
func testGaleraFirstOpen(t *testing.T, g *galera) {
	for i := range 10 {
		galeraDicts(t, g, fmt.Sprintf("gopen%d", i), nil)
	}
	t.Logf("10 new journals, each opened on galera/node1 and then at once on node2 and node3")
}

type ack struct {
	key, value string
	seq        int64
	start, end time.Time
}

func testGaleraWriters(t *testing.T, g *galera) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	events := &eventCounter{}
	ds := galeraDicts(t, g, "gwriters", events)
	certBefore := g.certFailures(ctx)
	const writers, each = 8, 25
	acks := make([][]ack, writers)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := ds[w%3]
			for i := range each {
				k, v := fmt.Sprintf("w%d/%03d", w, i), fmt.Sprintf("node%d", w%3+1)
				start := time.Now()
				es, err := d.Commit(ctx, sqldict.Write{Key: k, Value: []byte(v)}, sqldict.Write{Key: "hot", Value: []byte(k)})
				if err != nil {
					t.Errorf("%s: writer %d: commit %s: %v", g.nodes[w%3].name, w, k, err)
					return
				}
				acks[w] = append(acks[w], ack{k, v, es[0].Sequence, start, time.Now()})
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	var all []ack
	for _, as := range acks {
		all = append(all, as...)
	}
	last := int64(2 * len(all))
	// Gap-free: the commits took the sequences 1..2N, two each.
	seen := map[int64]bool{}
	for _, a := range all {
		if a.seq%2 != 1 || a.seq > last || seen[a.seq] {
			t.Errorf("%s acknowledged at sequence %d: not one of 1, 3, … %d, or taken twice", a.key, a.seq, last-1)
		}
		seen[a.seq] = true
	}
	// Commit order: a commit that returned before another began has the
	// smaller sequence, whichever nodes they ran on.
	for _, a := range all {
		for _, b := range all {
			if a.end.Before(b.start) && a.seq > b.seq {
				t.Errorf("%s (sequence %d) returned before %s (sequence %d) began", a.key, a.seq, b.key, b.seq)
			}
		}
	}
	for i, d := range ds {
		waitAt(t, g.nodes[i].name, d, last)
		sqldicttest.CheckInvariants(t, d)
		for _, a := range all {
			e, err := d.Entry(ctx, a.key)
			if err != nil || e.Sequence != a.seq || string(e.Value) != a.value {
				t.Errorf("%s: %s = %+v, %v; acknowledged %q at %d", g.nodes[i].name, a.key, e, err, a.value, a.seq)
			}
		}
	}
	sameViews(t, g, ds, 1, last/4|1, last/2, last)
	cert := g.certFailures(ctx) - certBefore
	t.Logf("%d commits by %d writers on 3 nodes: sequence 1..%d gap-free and in commit order on every node; %d certification failures (wsrep_local_cert_failures), %d retries %v",
		len(all), writers, last, cert, events.counts()["sqldict: retrying write"], events.counts())
	if cert == 0 {
		t.Errorf("no certification conflicts: the test did not exercise their retry")
	}
}

// certFailures sums wsrep_local_cert_failures and wsrep_local_bf_aborts
// over the nodes: write-sets that lost certification, and local
// transactions aborted by an applied write-set.
func (g *galera) certFailures(ctx context.Context) int64 {
	var n int64
	for i := range g.nodes {
		for _, v := range []string{"wsrep_local_cert_failures", "wsrep_local_bf_aborts"} {
			c, _ := strconv.ParseInt(g.status(ctx, i, v), 10, 64)
			n += c
		}
	}
	return n
}

func testGaleraCAS(t *testing.T, g *galera) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ds := galeraDicts(t, g, "gcas", nil)
	es, err := ds[0].Commit(ctx, sqldict.Write{Key: "cas", Value: []byte("start")})
	if err != nil {
		t.Fatal(err)
	}
	seq := es[0].Sequence
	for round := range 5 {
		version := int64(round + 1)
		for i, d := range ds {
			waitAt(t, g.nodes[i].name, d, seq)
		}
		const racers = 9
		errs := make([]error, racers)
		var wg sync.WaitGroup
		startGun := make(chan struct{})
		for r := range racers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-startGun
				es, err := ds[r%3].Commit(ctx, sqldict.Write{Key: "cas", Value: []byte(fmt.Sprintf("racer%d", r)), IfVersion: sqldict.Expect(version)})
				errs[r] = err
				if err == nil {
					seq = es[0].Sequence
				}
			}()
		}
		close(startGun)
		wg.Wait()
		winners := 0
		winner := ""
		for r, err := range errs {
			switch {
			case err == nil:
				winners++
				winner = fmt.Sprintf("racer%d", r)
			case !errors.Is(err, sqldict.ErrConflict):
				t.Errorf("round %d: racer %d on %s: %v, want nil or ErrConflict", round, r, g.nodes[r%3].name, err)
			}
		}
		if winners != 1 {
			t.Fatalf("round %d: %d winners of 9 racers on 3 nodes, want exactly 1", round, winners)
		}
		for i, d := range ds {
			waitAt(t, g.nodes[i].name, d, seq)
			e, err := d.Entry(ctx, "cas")
			if err != nil || string(e.Value) != winner || e.Version != version+1 {
				t.Errorf("round %d: %s reads %q version %d (%v), want %s at %d", round, g.nodes[i].name, e.Value, e.Version, err, winner, version+1)
			}
		}
	}
	for _, d := range ds {
		sqldicttest.CheckInvariants(t, d)
	}
	t.Logf("5 rounds of 9 CAS racers over 3 nodes: exactly one winner each")
}

func testGaleraWatch(t *testing.T, g *galera) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ds := galeraDicts(t, g, "gwatch", nil)
	for i := range 10 {
		if err := ds[0].Set(ctx, fmt.Sprintf("before/%d", i), []byte("x")); err != nil {
			t.Fatal(err)
		}
	}
	const n = 100
	watchMatchesLog(t, ctx, "galera/node2", ds[1], "galera/node1", ds[0], 10, n, func(i int) error {
		w := []sqldict.Write{{Key: fmt.Sprintf("k/%d", i%17), Value: []byte(strconv.Itoa(i))}}
		if i%5 == 4 {
			w = []sqldict.Write{{Key: fmt.Sprintf("k/%d", (i-1)%17), Delete: true}}
		}
		_, err := ds[0].Commit(ctx, w...)
		return err
	})
	t.Logf("galera/node2's watch delivered galera/node1's %d commits exactly, sequence for sequence", n)
}

func testGaleraReplica(t *testing.T, g *galera) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ds := galeraDicts(t, g, "greplica", nil)
	d, err := sqldict.OpenDB(ctx, ds[0].DB(), ds[0].Dialect(), sqldict.Options{Table: "greplica", Replica: ds[1].DB()})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for i := range 50 {
		v := []byte(strconv.Itoa(i))
		if err := d.Set(ctx, "k", v); err != nil {
			t.Fatal(err)
		}
		got, err := d.Get(ctx, "k")
		if err != nil || string(got) != string(v) {
			t.Fatalf("write %d on galera/node1, read through replica galera/node2: %q, %v", i, got, err)
		}
		s, err := d.Snapshot(ctx, int64(i+1))
		if err != nil {
			t.Fatal(err)
		}
		if got, err := s.Get(ctx, "k"); err != nil || string(got) != string(v) {
			t.Fatalf("snapshot %d: %q, %v", i+1, got, err)
		}
	}
	st, err := d.ReplicaStat(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Reads == 0 {
		t.Errorf("no read went to the replica: %+v", st)
	}
	t.Logf("50 writes on galera/node1 each read back exactly through galera/node2 as replica: %+v", st)
}

func testGaleraKill(t *testing.T, g *galera) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	ds := galeraDicts(t, g, "gkill", nil)
	const writers = 6
	stop := sqldicttest.StartWriters(ctx, writers, func(w int) *sqldict.Dict { return ds[w%3] }, 5*time.Second,
		func(_ int, a sqldicttest.Attempt) bool {
			if a.Err != nil {
				time.Sleep(50 * time.Millisecond)
			}
			return true
		})
	time.Sleep(1500 * time.Millisecond)
	g.nodes[2].kill()
	t.Logf("galera/node3: killed (SIGKILL) while 6 writers commit, 2 of them on it")
	time.Sleep(2 * time.Second)
	attempts := stop()
	st, err := ds[0].Stat(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		waitAt(t, g.nodes[i].name, ds[i], st.Sequence)
		ok, failed := sqldicttest.CheckAttempts(t, ds[i], attempts)
		sqldicttest.CheckInvariants(t, ds[i])
		t.Logf("%s: %d acknowledged writes all there, %d failed writes %v left nothing (or landed whole, for ErrOutcomeUnknown)", g.nodes[i].name, ok, failed, failureKinds(attempts))
	}
	if t.Failed() {
		return
	}
	// Writing continues on the two survivors (2 of 3: still a quorum).
	if err := ds[1].Set(ctx, "after/kill", []byte("x")); err != nil {
		t.Fatalf("galera/node2: write after the kill: %v", err)
	}
	start := time.Now()
	if err := g.restart(ctx, 2); err != nil {
		t.Fatalf("%v\n%s", err, g.nodes[2].tail())
	}
	t.Logf("galera/node3: rejoined and Synced in %v (wsrep_last_committed %s)", time.Since(start).Round(time.Millisecond), g.status(ctx, 2, "wsrep_last_committed"))
	st, err = ds[0].Stat(ctx)
	if err != nil {
		t.Fatal(err)
	}
	waitAt(t, g.nodes[2].name, ds[2], st.Sequence)
	sqldicttest.CheckInvariants(t, ds[2])
	sameViews(t, g, ds, st.Sequence/2, st.Sequence)
	if err := ds[2].Set(ctx, "after/rejoin", []byte("x")); err != nil {
		t.Fatalf("galera/node3: write after rejoining: %v", err)
	}
}

// watchMatchesLog watches watcher after sequence after while write(0..n-1)
// commits through writer, and checks that the watch delivered exactly the
// writer's log, sequence for sequence.
func watchMatchesLog(t *testing.T, ctx context.Context, wname string, watcher *sqldict.Dict, lname string, writer *sqldict.Dict, after int64, n int, write func(i int) error) {
	t.Helper()
	var got []sqldict.Entry
	done := make(chan error, 1)
	go func() {
		for e, err := range watcher.Watch(ctx, after, sqldict.Range{Limit: n}) {
			if err != nil {
				done <- err
				return
			}
			got = append(got, e)
		}
		done <- nil
	}()
	for i := range n {
		if err := write(i); err != nil {
			t.Fatal(err)
		}
	}
	if err := <-done; err != nil {
		t.Fatalf("%s: watch: %v", wname, err)
	}
	var want []sqldict.Entry
	for e, err := range writer.Log(ctx, after, after+int64(n)) {
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, e)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s's watch delivered %d entries, %s's log has %d, and they differ", wname, len(got), lname, len(want))
	}
}
