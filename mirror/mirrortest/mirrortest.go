// Package mirrortest is package mirror's conformance suite, run on every
// engine: on SQLite by mirror's tests, on MariaDB and PostgreSQL by
// integration_test.
package mirrortest

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/sqldict/sqldict/mirror"
	"github.com/sqldict/sqldict/sqldict"
	"github.com/sqldict/sqldict/sqldict/sqldicttest"
)

// Run runs the suite with open.
func Run(t *testing.T, open sqldicttest.Opener) {
	for _, tc := range []struct {
		name string
		fn   func(*testing.T, sqldicttest.Opener)
	}{
		{"ConcurrentWrites", testConcurrent},
		{"ReloadAfterPrune", testReload},
		{"CloseAndArguments", testClose},
		{"ResumeExactlyOnce", testResume},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, open)
		})
	}
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// content returns the mirror's entries and sequence at one point.
func content(m *mirror.Mirror) (int64, map[string]string) {
	var seq int64
	out := map[string]string{}
	m.Read(func(s int64, entries map[string]*sqldict.Entry) {
		seq = s
		for k, e := range entries {
			out[k] = string(e.Value)
		}
	})
	return seq, out
}

// checkAt fails t unless state is what a snapshot of d at seq holds in r.
func checkAt(t testing.TB, d *sqldict.Dict, seq int64, r sqldict.Range, state map[string]string) {
	t.Helper()
	snap, err := d.Snapshot(context.Background(), seq)
	sqldicttest.Must(t, err)
	want := map[string]string{}
	for e, err := range snap.AllIn(context.Background(), r) {
		sqldicttest.Must(t, err)
		want[e.Key] = string(e.Value)
	}
	if !maps.Equal(state, want) {
		t.Fatalf("mirror at sequence %d holds %d keys %v, snapshot has %d %v", seq, len(state), state, len(want), want)
	}
}

// testConcurrent: writers on two pools while a mirror of one prefix
// follows; at every tenth event and after each writer's WaitFor, the mirror
// equals a snapshot at its sequence.
func testConcurrent(t *testing.T, open sqldicttest.Opener) {
	ctx := testCtx(t)
	d := sqldicttest.NewDict(t, open, sqldict.Options{WatchPoll: 20 * time.Millisecond})
	other := open(t, sqldict.Options{Table: d.Table(), WatchPoll: 20 * time.Millisecond})
	seed := sqldicttest.Seed(t)
	sqldicttest.Must(t, sqldicttest.WatchWriter(ctx, d, "pre", 20, seed))
	r := sqldict.Range{Prefix: "a/"}

	var mu sync.Mutex
	var checkErr error
	events := 0
	var m *mirror.Mirror
	started := make(chan struct{})
	m, err := mirror.StartWith(ctx, other, r, mirror.Options{OnChange: func(ev mirror.Event) {
		<-started
		mu.Lock()
		events++
		n := events
		mu.Unlock()
		if n%10 != 0 {
			return
		}
		// The mirror waits for OnChange, so it holds still here.
		seq, state := content(m)
		if seq != ev.Sequence {
			mu.Lock()
			checkErr = fmt.Errorf("event at %d, mirror at %d", ev.Sequence, seq)
			mu.Unlock()
		}
		ct := &collectT{}
		checkAt(ct, d, seq, r, state)
		if ct.err != nil {
			mu.Lock()
			checkErr = ct.err
			mu.Unlock()
		}
	}})
	sqldicttest.Must(t, err)
	close(started)
	defer m.Close()
	seq0, state0 := content(m)
	checkAt(t, d, seq0, r, state0)

	var wg sync.WaitGroup
	for i, h := range []*sqldict.Dict{d, other} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := fmt.Sprintf("w%d", i)
			for round := range 5 {
				if err := sqldicttest.WatchWriter(ctx, h, w, 8, seed+uint64(10*i+round)); err != nil {
					t.Error(err)
					return
				}
				key := "a/" + w + "-last"
				es, err := h.Commit(ctx, sqldict.Write{Key: key, Value: fmt.Appendf(nil, "%d", round)})
				if err != nil {
					t.Error(err)
					return
				}
				// Read-your-writes: once WaitFor returns, the mirror has it.
				if err := m.WaitFor(ctx, es[0].Sequence); err != nil {
					t.Error(err)
					return
				}
				if v, ok := m.Get(key); !ok || string(v) != fmt.Sprint(round) {
					t.Errorf("after WaitFor(%d) mirror has %s = %q, %v; want %d", es[0].Sequence, key, v, ok, round)
				}
			}
		}()
	}
	wg.Wait()
	st, err := d.Stat(ctx)
	sqldicttest.Must(t, err)
	sqldicttest.Must(t, m.WaitFor(ctx, st.Sequence))
	seq, state := content(m)
	checkAt(t, d, seq, r, state)
	keys, err := d.KeysIn(ctx, r)
	sqldicttest.Must(t, err)
	if got := m.Keys(); fmt.Sprint(got) != fmt.Sprint(keys) || m.Len() != len(keys) {
		t.Fatalf("mirror Keys %q (Len %d), dict %q", got, m.Len(), keys)
	}
	mu.Lock()
	defer mu.Unlock()
	if checkErr != nil {
		t.Fatal(checkErr)
	}
	if events < 10 {
		t.Fatalf("only %d events", events)
	}
}

// collectT records a check's failure instead of failing from the mirror's
// goroutine.
type collectT struct {
	testing.TB
	err error
}

func (c *collectT) Helper()                   {}
func (c *collectT) Fatal(args ...any)         { c.err = fmt.Errorf("%s", fmt.Sprint(args...)) }
func (c *collectT) Fatalf(f string, a ...any) { c.err = fmt.Errorf(f, a...) }

// testReload: a compaction removes entries a stalled mirror has not read;
// the mirror reloads, says so, and is exact again.
func testReload(t *testing.T, open sqldicttest.Opener) {
	ctx := testCtx(t)
	d := sqldicttest.NewDict(t, open, sqldict.Options{})
	stall, release := make(chan struct{}), make(chan struct{})
	events := make(chan mirror.Event, 100)
	m, err := mirror.StartWith(ctx, d, sqldict.Range{}, mirror.Options{OnChange: func(ev mirror.Event) {
		if ev.Sequence == 1 {
			close(stall)
			<-release
		}
		events <- ev
	}})
	sqldicttest.Must(t, err)
	defer m.Close()
	sqldicttest.Must(t, d.Set(ctx, "first", []byte("1")))
	<-stall // the mirror has applied sequence 1 and waits in OnChange

	var ws []sqldict.Write
	for i := range 1500 {
		ws = append(ws, sqldict.Write{Key: fmt.Sprintf("k%02d", i%10), Value: fmt.Appendf(nil, "%d", i)})
	}
	_, err = d.Commit(ctx, ws...)
	sqldicttest.Must(t, err)
	for rule := (sqldict.PruneRule{Through: 1501}); ; {
		res, err := d.PruneBatch(ctx, rule)
		sqldicttest.Must(t, err)
		if res.Done {
			break
		}
		rule.After = res.Next
	}
	close(release)

	if ev := <-events; ev.Sequence != 1 || ev.Entry.Key != "first" {
		t.Fatalf("first event %+v", ev)
	}
	ev := <-events
	if !ev.Reloaded || ev.Sequence != 1501 {
		t.Fatalf("after the compaction the mirror sent %+v, want a reload at 1501", ev)
	}
	seq, state := content(m)
	if seq != 1501 || len(state) != 11 {
		t.Fatalf("reloaded mirror at %d holds %d keys", seq, len(state))
	}
	checkAt(t, d, seq, sqldict.Range{}, state)
	// It follows again after the reload.
	es, err := d.Commit(ctx, sqldict.Write{Key: "after", Value: []byte("x")})
	sqldicttest.Must(t, err)
	sqldicttest.Must(t, m.WaitFor(ctx, es[0].Sequence))
	if v, ok := m.Get("after"); !ok || string(v) != "x" {
		t.Fatalf("after reload: Get(after) = %q, %v", v, ok)
	}
}

// testClose: Close stops the mirror (Err, WaitFor report ErrClosed) and
// keeps its content readable; a Limit is refused.
func testClose(t *testing.T, open sqldicttest.Opener) {
	ctx := testCtx(t)
	d := sqldicttest.NewDict(t, open, sqldict.Options{})
	_, err := mirror.Start(ctx, d, sqldict.Range{Limit: 3})
	sqldicttest.WantErr(t, err, sqldict.ErrInvalidArgument)

	sqldicttest.Must(t, d.Set(ctx, "k", []byte("v")))
	m, err := mirror.Start(ctx, d, sqldict.Range{})
	sqldicttest.Must(t, err)
	if v, ok := m.Get("k"); !ok || string(v) != "v" || !m.Has("k") || m.Has("nope") {
		t.Fatalf("Get(k) = %q, %v", v, ok)
	}
	if _, ok := m.Get("nope"); ok {
		t.Fatal("Get(nope) found a value")
	}
	sqldicttest.Must(t, m.Close())
	sqldicttest.Must(t, m.Close())
	sqldicttest.WantErr(t, m.Err(), sqldict.ErrClosed)
	sqldicttest.WantErr(t, m.WaitFor(ctx, m.Sequence()+1), sqldict.ErrClosed)
	if v, ok := m.Get("k"); !ok || string(v) != "v" {
		t.Fatalf("after Close: Get(k) = %q, %v", v, ok)
	}

	// Closing the Dict stops the mirror too.
	h := open(t, sqldict.Options{Table: d.Table()})
	m2, err := mirror.Start(ctx, h, sqldict.Range{})
	sqldicttest.Must(t, err)
	defer m2.Close()
	sqldicttest.Must(t, h.Close())
	sqldicttest.WantErr(t, m2.WaitFor(ctx, 1<<40), sqldict.ErrClosed)
}

// breakingStore ends every watch with a transient error after a few
// entries, so that the mirror resumes again and again.
type breakingStore struct {
	sqldict.Store
	every int
}

var errBroken = errors.New("mirrortest: watch broken on purpose")

func (b breakingStore) Watch(ctx context.Context, after int64, r sqldict.Range) iter.Seq2[sqldict.Entry, error] {
	return func(yield func(sqldict.Entry, error) bool) {
		n := 0
		for e, err := range b.Store.Watch(ctx, after, r) {
			if !yield(e, err) || err != nil {
				return
			}
			if n++; n == b.every {
				yield(sqldict.Entry{}, errBroken)
				return
			}
		}
	}
}

// testResume: a mirror whose watch breaks every few entries resumes where
// it stopped; OnChange sees every sequence after the start exactly once, in
// order, and the mirror ends equal to the journal.
func testResume(t *testing.T, open sqldicttest.Opener) {
	ctx := testCtx(t)
	d := sqldicttest.NewDict(t, open, sqldict.Options{})
	for i := range 5 {
		sqldicttest.Must(t, d.Set(ctx, fmt.Sprintf("pre%d", i), []byte("p")))
	}
	var mu sync.Mutex
	var seen []int64
	m, err := mirror.StartWith(ctx, breakingStore{Store: d, every: 3}, sqldict.Range{},
		mirror.Options{Retry: time.Millisecond, Logger: slog.New(slog.DiscardHandler), OnChange: func(ev mirror.Event) {
			mu.Lock()
			seen = append(seen, ev.Sequence)
			mu.Unlock()
		}})
	sqldicttest.Must(t, err)
	defer m.Close()
	var last int64
	for i := range 20 {
		k := fmt.Sprintf("k%d", i%4)
		var err error
		if i%5 == 4 {
			err = d.Delete(ctx, k)
		} else {
			err = d.Set(ctx, k, fmt.Appendf(nil, "%d", i))
		}
		sqldicttest.Must(t, err)
		last = int64(6 + i)
	}
	sqldicttest.Must(t, m.WaitFor(ctx, last))
	// OnChange runs after the mirror advanced: wait for the last event.
	var got []int64
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(time.Millisecond) {
		mu.Lock()
		got = slices.Clone(seen)
		mu.Unlock()
		if slices.Contains(got, last) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("OnChange never saw sequence %d; saw %v", last, got)
		}
	}
	want := make([]int64, 0, 20)
	for s := int64(6); s <= last; s++ {
		want = append(want, s)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("OnChange saw sequences %v, want each of 6..%d once, in order", got, last)
	}
	seq, state := content(m)
	checkAt(t, d, seq, sqldict.Range{}, state)
}
