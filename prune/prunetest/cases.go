package prunetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sqldict/sqldict/prune"
	"github.com/sqldict/sqldict/sqldict"
	"github.com/sqldict/sqldict/sqldict/sqldicttest"
)

func set(t testing.TB, d *sqldict.Dict, m *sqldicttest.Model, key, value string) {
	t.Helper()
	ws := []sqldict.Write{{Key: key, Value: []byte(value)}}
	must(t, m.Apply(ws))
	_, err := d.Commit(bg, ws...)
	must(t, err)
}

func del(t testing.TB, d *sqldict.Dict, m *sqldicttest.Model, key string) {
	t.Helper()
	ws := []sqldict.Write{{Key: key, Delete: true}}
	must(t, m.Apply(ws))
	_, err := d.Commit(bg, ws...)
	must(t, err)
}

func compact(t testing.TB, d *sqldict.Dict, p prune.Policy) prune.Result {
	t.Helper()
	res, err := prune.Compact(bg, d, p)
	if err != nil {
		t.Fatalf("Compact(%+v): %v", p, err)
	}
	return res
}

func wantHorizon(t testing.TB, d *sqldict.Dict, want int64) {
	t.Helper()
	st, err := d.Stat(bg)
	must(t, err)
	if st.Horizon != want {
		t.Fatalf("horizon = %d, want %d", st.Horizon, want)
	}
}

// testHorizonRule walks the rule through a small history by hand.
func testHorizonRule(t *testing.T, open sqldicttest.Opener) {
	d := sqldicttest.NewDict(t, open, sqldict.Options{})
	m := &sqldicttest.Model{}
	set(t, d, m, "a", "1") // 1
	set(t, d, m, "b", "1") // 2
	set(t, d, m, "a", "2") // 3
	del(t, d, m, "b")      // 4
	set(t, d, m, "c", "1") // 5
	set(t, d, m, "b", "2") // 6: b recreated
	set(t, d, m, "c", "2") // 7
	del(t, d, m, "c")      // 8

	if res := compact(t, d, prune.Policy{}); res.Removed != 0 || res.Horizon != 0 {
		t.Fatalf("zero policy: %+v", res)
	}
	// Through 2 supersedes nothing.
	if res := compact(t, d, prune.Policy{Through: 2}); res.Removed != 0 {
		t.Fatalf("Through 2: %+v", res)
	}
	wantHorizon(t, d, 0)
	// Through 4: a@1 (replaced at 3) and b@2 (replaced by the tombstone at
	// 4) go; points 0..3 needed them.
	if res := compact(t, d, prune.Policy{Through: 4}); res.Removed != 2 || res.Horizon != 4 {
		t.Fatalf("Through 4: %+v", res)
	}
	CheckHorizon(t, d, m)
	// Through 6: b's tombstone at 4 goes; the key reads absent at 4 and 5
	// either way, so the horizon stays at 4.
	if res := compact(t, d, prune.Policy{Through: 6}); res.Removed != 1 || res.Horizon != 4 {
		t.Fatalf("Through 6: %+v", res)
	}
	CheckHorizon(t, d, m)
	CheckViews(t, d, m, 4, KeySpace(0))
	for _, k := range []string{"a", "b", "c"} {
		s, err := d.Snapshot(bg, 5)
		must(t, err)
		CheckView(t, s, m.State(5), []string{k})
	}
	// DropDeleted alone: c's tombstone at 8 is not behind the horizon.
	if res := compact(t, d, prune.Policy{DropDeleted: true}); res.Removed != 0 {
		t.Fatalf("DropDeleted behind horizon 4: %+v", res)
	}
	// A bound just before it: c is not dropped, only c@5 (replaced at 7)
	// goes, and the point at 7 still reads c.
	if res := compact(t, d, prune.Policy{DropDeleted: true, Through: 7}); res.Removed != 1 || res.Horizon != 7 {
		t.Fatalf("DropDeleted through 7: %+v", res)
	}
	CheckHorizon(t, d, m)
	CheckViews(t, d, m, 7, []string{"a", "b", "c"})
	// With a bound past it, c goes entirely: c@7, replaced by the
	// tombstone at 8, forces 8.
	res := compact(t, d, prune.Policy{DropDeleted: true, Through: 8})
	if res.Removed != 2 || res.Horizon != 8 {
		t.Fatalf("DropDeleted through 8: %+v", res)
	}
	CheckHorizon(t, d, m)
	CheckViews(t, d, m, 8, []string{"a", "b", "c"})
	hist, err := d.History(bg, "c")
	wantErr(t, err, sqldict.ErrNotFound)
	if hist != nil {
		t.Fatalf("History(c) after drop = %+v", hist)
	}
	// A dropped key continues after its tombstone's version (3).
	must(t, d.Set(bg, "c", []byte("new")))
	e, err := d.Entry(bg, "c")
	must(t, err)
	if e.Version != 4 {
		t.Fatalf("recreated dropped key at version %d, want 4", e.Version)
	}
}

// testKeepVersions keeps the newest N rows of each key, tombstones counted.
func testKeepVersions(t *testing.T, open sqldicttest.Opener) {
	d := sqldicttest.NewDict(t, open, sqldict.Options{})
	m := &sqldicttest.Model{}
	for i := range 5 {
		set(t, d, m, "a", fmt.Sprint(i))
		set(t, d, m, "b", fmt.Sprint(i))
	}
	del(t, d, m, "b")
	res := compact(t, d, prune.Policy{KeepVersions: 2, BatchSize: 3})
	if res.Removed != 3+4 || res.Batches < 3 {
		t.Fatalf("KeepVersions 2: %+v", res)
	}
	for key, want := range map[string]int{"a": 2, "b": 2} {
		hist, err := d.History(bg, key)
		must(t, err)
		if len(hist) != want {
			t.Fatalf("History(%q) has %d rows, want %d", key, len(hist), want)
		}
	}
	_, err := d.Version(bg, "a", 1)
	wantErr(t, err, sqldict.ErrPruned)
	h, _ := CheckHorizon(t, d, m)
	CheckViews(t, d, m, h, []string{"a", "b"})
	// Combined with KeepFor: nothing is old enough.
	set(t, d, m, "a", "x")
	if res := compact(t, d, prune.Policy{KeepVersions: 1, KeepFor: time.Hour}); res.Removed != 0 {
		t.Fatalf("KeepVersions 1 within KeepFor: %+v", res)
	}
	// Old enough: KeepFor shorter than the time since the last commit.
	time.Sleep(20 * time.Millisecond)
	res = compact(t, d, prune.Policy{KeepVersions: 1, KeepFor: 10 * time.Millisecond, DropDeleted: true})
	if res.Removed != 2+2 {
		t.Fatalf("KeepVersions 1, KeepFor 10ms, DropDeleted: %+v", res)
	}
	CheckHorizon(t, d, m)
}

// testErrors: bad policies, read-only and closed dicts.
func testErrors(t *testing.T, open sqldicttest.Opener) {
	d := sqldicttest.NewDict(t, open, sqldict.Options{})
	must(t, d.Set(bg, "a", []byte("1")))
	must(t, d.Set(bg, "a", []byte("2")))
	for _, p := range []prune.Policy{{KeepVersions: -1}, {Through: -1}, {KeepFor: -1}, {BatchSize: -1}, {Reclaim: 9}} {
		_, err := prune.Compact(bg, d, p)
		wantErr(t, err, sqldict.ErrInvalidArgument)
	}
	_, err := d.PruneBatch(bg, sqldict.PruneRule{Through: 2, After: "\xff"})
	wantErr(t, err, sqldict.ErrInvalidArgument)
	ro := open(t, sqldict.Options{Table: d.Table(), ReadOnly: true})
	_, err = prune.Compact(bg, ro, prune.Policy{Through: 2})
	wantErr(t, err, sqldict.ErrReadOnly)
	err = prune.Run(bg, ro, prune.Policy{Through: 2}, time.Millisecond, nil)
	wantErr(t, err, sqldict.ErrReadOnly)
	ctx, cancel := context.WithCancel(bg)
	cancel()
	_, err = prune.Compact(ctx, d, prune.Policy{Through: 2})
	wantErr(t, err, context.Canceled)
	other := open(t, sqldict.Options{Table: d.Table()})
	must(t, other.Close())
	_, err = prune.Compact(bg, other, prune.Policy{Through: 2})
	wantErr(t, err, sqldict.ErrClosed)
	if res := compact(t, d, prune.Policy{Through: 2}); res.Removed != 1 {
		t.Fatalf("Compact after the errors: %+v", res)
	}
}

// testConcurrent compacts while 4 writers commit, from Dicts of their own
// (as separate processes would): nothing that should survive is lost, no
// one deadlocks, and the writers keep committing while compaction runs.
//
// Writers and compactor go in rounds, so that the interleaving does not
// depend on scheduling luck (on SQLite, Dicts of separate pools take the
// file's lock by polling, and one writer could lose to the others for
// seconds): in each round every writer makes one commit while the
// compactor runs a batch, and the compactor's next batch waits for all of
// them.
func testConcurrent(t *testing.T, open sqldicttest.Opener) {
	d := sqldicttest.NewDict(t, open, sqldict.Options{})
	compactor := open(t, sqldict.Options{Table: d.Table()})
	ctx, cancel := context.WithTimeout(bg, 2*time.Minute)
	defer cancel()

	const writers, keysPerWriter = 4, 20
	var (
		mu        sync.Mutex
		committed []sqldict.Entry // every row the writers committed
		values    = map[int64][]byte{}
		during    [writers]atomic.Int64 // commits while a compaction ran
		compactng atomic.Bool
		turn      [writers]chan struct{} // a writer's go for one commit
		ack       = make(chan int, writers)
		stop      = make(chan struct{})
	)
	var wg sync.WaitGroup
	for w := range writers {
		turn[w] = make(chan struct{}, 1)
		wd := open(t, sqldict.Options{Table: d.Table(), PruneOnWrite: w == 3})
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), 7))
			for i := 0; ; i++ {
				select {
				case <-turn[w]:
				case <-stop:
					return
				}
				for { // one commit; a delete of an absent key is not one
					key := fmt.Sprintf("w%d/k%d", w, r.IntN(keysPerWriter))
					wr := sqldict.Write{Key: key, Value: fmt.Appendf(nil, "%d-%d", w, i)}
					if r.IntN(6) == 0 {
						wr = sqldict.Write{Key: key, Delete: true}
					}
					entries, err := wd.Commit(ctx, wr)
					if errors.Is(err, sqldict.ErrNotFound) && wr.Delete {
						continue
					}
					if err != nil {
						t.Errorf("writer %d: %v", w, err)
						ack <- -1
						return
					}
					if compactng.Load() {
						during[w].Add(1)
					}
					mu.Lock()
					committed = append(committed, entries...)
					values[entries[0].Sequence] = wr.Value
					mu.Unlock()
					break
				}
				ack <- w
			}
		}()
	}
	// round waits for the commits of the round under way, then starts the
	// next one; false when a writer failed.
	round := func() bool {
		for range writers {
			select {
			case w := <-ack:
				if w < 0 {
					return false
				}
			case <-ctx.Done():
				t.Errorf("writers did not commit while compaction ran: %v", ctx.Err())
				return false
			}
		}
		for w := range writers {
			turn[w] <- struct{}{}
		}
		return true
	}
	for w := range writers {
		turn[w] <- struct{}{}
	}
	for range 20 { // history to compact
		if !round() {
			break
		}
	}
	const passes = 9
	compactng.Store(true)
	for pass := 0; pass < passes && !t.Failed(); pass++ {
		st, err := compactor.Stat(ctx)
		must(t, err)
		p := prune.Policy{KeepVersions: 1 + pass%3, Through: max(1, st.Sequence-int64(pass%7)), BatchSize: 16,
			DropDeleted: pass%2 == 0, Pause: -1, Progress: func(prune.Result) { round() }}
		if _, err := prune.Compact(ctx, compactor, p); err != nil {
			t.Fatalf("Compact while writing: %v", err)
		}
	}
	round() // the last round's commits are in
	close(stop)
	wg.Wait()
	for w := range writers {
		if during[w].Load() == 0 && !t.Failed() {
			t.Errorf("writer %d committed nothing while compaction ran", w)
		}
	}
	if t.Failed() {
		return
	}
	// The writers' commits, in sequence order, are gap-free and make the
	// model; keep-1 compaction then leaves exactly each key's newest row,
	// with drops only where the key ended deleted.
	m := &sqldicttest.Model{Rows: make([]sqldict.Entry, len(committed))}
	for _, e := range committed {
		if e.Sequence < 1 || e.Sequence > int64(len(committed)) || m.Rows[e.Sequence-1].Sequence != 0 {
			t.Fatalf("writers' sequences are not 1..%d: %d", len(committed), e.Sequence)
		}
		e.Value = values[e.Sequence]
		if !e.Deleted && e.Value == nil {
			e.Value = []byte{}
		}
		m.Rows[e.Sequence-1] = e
	}
	h, present := CheckHorizon(t, compactor, m)
	for _, r := range m.Rows {
		if head, _ := m.Head(r.Key, int64(len(m.Rows))); head.Sequence == r.Sequence && !r.Deleted {
			if _, ok := present[r.Sequence]; !ok {
				t.Fatalf("live head %+v of %q was removed", r, r.Key)
			}
		}
	}
	var keys []string
	for w := range writers {
		for k := range keysPerWriter {
			keys = append(keys, fmt.Sprintf("w%d/k%d", w, k))
		}
	}
	for seq := h; seq <= int64(len(m.Rows)); seq += 1 + int64(len(m.Rows))/50 {
		s, err := compactor.Snapshot(bg, seq)
		must(t, err)
		CheckView(t, s, m.State(seq), keys)
	}
	t.Logf("%d commits, %d compaction passes, horizon %d, %d rows left", len(committed), passes, h, len(present))
}

// testPruner runs the background pruner: it compacts, logs, stops with
// Stop, and stops by itself when the Dict is closed.
func testPruner(t *testing.T, open sqldicttest.Opener) {
	d := sqldicttest.NewDict(t, open, sqldict.Options{})
	var buf syncBuffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	p := prune.Start(bg, d, prune.Policy{KeepVersions: 1}, 5*time.Millisecond, logger)
	for i := range 20 {
		must(t, d.Set(bg, "k", fmt.Appendf(nil, "%d", i)))
	}
	waitFor(t, func() bool {
		hist, err := d.History(bg, "k")
		must(t, err)
		return len(hist) == 1 && bytes.Contains(buf.Bytes(), []byte("compacted"))
	})
	must(t, p.Stop())
	must(t, p.Stop())

	// Close stops it: the next round finds ErrClosed.
	other := open(t, sqldict.Options{Table: d.Table()})
	p = prune.Start(bg, other, prune.Policy{KeepVersions: 1}, 5*time.Millisecond, nil)
	must(t, other.Close())
	select {
	case <-p.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("pruner still running 10s after Close")
	}
	must(t, p.Stop())

	// So does its context, even mid-wait with a long interval.
	ctx, cancel := context.WithCancel(bg)
	done := make(chan error, 1)
	go func() { done <- prune.Run(ctx, d, prune.Policy{KeepVersions: 1}, time.Hour, nil) }()
	time.Sleep(20 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		must(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("Run still running 10s after its context ended")
	}
}

func waitFor(t testing.TB, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 10s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) Bytes() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return bytes.Clone(s.b.Bytes())
}
