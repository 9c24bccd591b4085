package sqldicttest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sqldict/sqldict/dialects"
	"github.com/sqldict/sqldict/sqldict"
)

// EndKey is the key suffix that tells a test watcher to stop: WatchWriters
// ends its work with one commit writing Prefix+EndKey for every prefix.
const EndKey = "~end"

// WatchPrefixes are the key prefixes the watch tests write and watch.
var WatchPrefixes = []string{"a/", "b/", "c/"}

// WatchRanges are the four watchers' ranges: one per prefix and one
// watching everything.
var WatchRanges = []sqldict.Range{{Prefix: "a/"}, {Prefix: "b/"}, {From: "b/", To: "c/"}, {}}

// WatchWriter commits n random commits of one to three writes (deletes
// included) on keys under WatchPrefixes, named by writer so that writers
// never conflict.
func WatchWriter(ctx context.Context, d sqldict.Store, writer string, n int, seed uint64) error {
	r := rand.New(rand.NewPCG(seed, uint64(len(writer))))
	live := map[string]bool{}
	for i := range n {
		var ws []sqldict.Write
		used := map[string]bool{}
		for range 1 + r.IntN(3) {
			k := fmt.Sprintf("%s%s-%d", WatchPrefixes[r.IntN(len(WatchPrefixes))], writer, r.IntN(20))
			if used[k] {
				continue
			}
			used[k] = true
			if live[k] && r.IntN(4) == 0 {
				ws = append(ws, sqldict.Write{Key: k, Delete: true})
				live[k] = false
				continue
			}
			ws = append(ws, sqldict.Write{Key: k, Value: fmt.Appendf(nil, "%s %d", writer, i)})
			live[k] = true
		}
		if _, err := d.Commit(ctx, ws...); err != nil {
			return fmt.Errorf("writer %s commit %d: %w", writer, i, err)
		}
	}
	return nil
}

// WriteEnd commits the sentinel that stops every test watcher.
func WriteEnd(ctx context.Context, d sqldict.Store) error {
	var ws []sqldict.Write
	for _, p := range WatchPrefixes {
		ws = append(ws, sqldict.Write{Key: p + EndKey, Value: []byte("end")})
	}
	_, err := d.Commit(ctx, ws...)
	return err
}

// Collect watches d after after in r until it sees a key ending in EndKey,
// and returns what it saw.
func Collect(ctx context.Context, d sqldict.Store, after int64, r sqldict.Range) ([]sqldict.Entry, error) {
	var got []sqldict.Entry
	for e, err := range d.Watch(ctx, after, r) {
		if err != nil {
			return got, err
		}
		got = append(got, e)
		if strings.HasSuffix(e.Key, EndKey) {
			return got, nil
		}
	}
	return got, errors.New("watch ended without an error before the end key")
}

// CheckStream fails t unless got is exactly the journal's Log after after,
// filtered by r, up to got's last entry: nothing skipped, nothing repeated,
// nothing reordered.
func CheckStream(t testing.TB, d Journal, after int64, r sqldict.Range, got []sqldict.Entry) {
	t.Helper()
	if len(got) == 0 {
		t.Fatalf("watch %+v after %d delivered nothing", r, after)
	}
	last := got[len(got)-1].Sequence
	var want []sqldict.Entry
	for e, err := range d.Log(bg, after, last) {
		must(t, err)
		if r.Contains(e.Key) {
			want = append(want, e)
		}
	}
	if len(got) != len(want) {
		t.Fatalf("watch %+v after %d: %d entries up to sequence %d, Log has %d", r, after, len(got), last, len(want))
	}
	for i := range want {
		if !sameEntry(got[i], want[i]) {
			t.Fatalf("watch %+v entry %d = %+v, Log has %+v", r, i, got[i], want[i])
		}
	}
}

func sameEntry(a, b sqldict.Entry) bool {
	return a.Key == b.Key && string(a.Value) == string(b.Value) && a.Deleted == b.Deleted &&
		a.Sequence == b.Sequence && a.Version == b.Version && a.Created.Equal(b.Created) &&
		a.Author == b.Author && a.Comment == b.Comment
}

// watchCtx bounds a watch test: long enough never to fire on a loaded
// machine unless a watcher really hangs.
func watchCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// testWatch: three writers on two handles, four watchers on three handles
// (the writers' pools, and one nobody writes through), started at different
// points; every stream equals the Log filtered by its range.
func testWatch(t *testing.T, open Opener) {
	ctx := watchCtx(t)
	d := NewDict(t, open, sqldict.Options{WatchPoll: 20 * time.Millisecond})
	other := open(t, sqldict.Options{Table: d.Table(), WatchPoll: 20 * time.Millisecond})
	// Nothing is written through third: its watchers learn of every commit
	// from the poller and the engine's signal alone (on openers that give
	// each Dict its own pool).
	third := open(t, sqldict.Options{Table: d.Table(), WatchPoll: 20 * time.Millisecond})
	seed := Seed(t)
	must(t, WatchWriter(ctx, d, "pre", 30, seed))
	start := seqOf(t, d)

	var wg sync.WaitGroup
	got := make([][]sqldict.Entry, len(WatchRanges))
	errs := make([]error, len(WatchRanges))
	afters := make([]int64, len(WatchRanges))
	for i, r := range WatchRanges {
		h := []*sqldict.Dict{d, other, third, third}[i]
		afters[i] = []int64{0, start}[i%2]
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i], errs[i] = Collect(ctx, h, afters[i], r)
		}()
	}
	var wwg sync.WaitGroup
	werrs := make([]error, 3)
	for i := range werrs {
		h := []*sqldict.Dict{d, other}[i%2]
		wwg.Add(1)
		go func() {
			defer wwg.Done()
			werrs[i] = WatchWriter(ctx, h, fmt.Sprintf("w%d", i), 40, seed+uint64(i))
		}()
	}
	wwg.Wait()
	for _, err := range werrs {
		must(t, err)
	}
	must(t, WriteEnd(ctx, other))
	wg.Wait()
	for i, r := range WatchRanges {
		must(t, errs[i])
		CheckStream(t, d, afters[i], r, got[i])
	}
}

// testWatchResume: a watcher that stops after every few entries and starts
// again after the last one it handled sees the same stream as one that
// never stopped.
func testWatchResume(t *testing.T, d Journal) {
	ctx := watchCtx(t)
	must(t, WatchWriter(ctx, d, "w", 60, Seed(t)))
	must(t, WriteEnd(ctx, d))
	r := sqldict.Range{Prefix: "a/"}
	var got []sqldict.Entry
	var last int64
	for done := false; !done; {
		n := 0
		for e, err := range d.Watch(ctx, last, r) {
			must(t, err)
			got = append(got, e)
			last = e.Sequence
			if strings.HasSuffix(e.Key, EndKey) {
				done = true
			}
			if n++; done || n == 3 {
				break
			}
		}
	}
	CheckStream(t, d, 0, r, got)
}

// testWatchPruned: a compaction that removes entries a slow watcher has not
// read ends it with ErrPruned, after delivering only what it read before;
// a watch starting behind the horizon fails at once; one at the horizon
// delivers everything after it.
func testWatchPruned(t *testing.T, open Opener) {
	ctx := watchCtx(t)
	d := NewDict(t, open, sqldict.Options{})
	var ws []sqldict.Write
	for i := range 1500 {
		ws = append(ws, sqldict.Write{Key: fmt.Sprintf("k%02d", i%10), Value: fmt.Appendf(nil, "%d", i)})
	}
	_, err := d.Commit(ctx, ws...)
	must(t, err)
	var before []sqldict.Entry
	for e, err := range d.Log(ctx, 0, 1500) {
		must(t, err)
		before = append(before, e)
	}

	var got []sqldict.Entry
	var end error
	for e, err := range d.Watch(ctx, 0, sqldict.Range{}) {
		if err != nil {
			end = err
			break
		}
		if len(got) == 0 {
			// The watcher is slow: a full compaction runs before it reads on.
			pruneAll(t, d, sqldict.PruneRule{Through: 1500})
		}
		got = append(got, e)
	}
	wantErr(t, end, sqldict.ErrPruned)
	if len(got) == 0 || len(got) >= len(before) {
		t.Fatalf("slow watcher delivered %d of %d entries before ErrPruned", len(got), len(before))
	}
	for i := range got {
		if !sameEntry(got[i], before[i]) {
			t.Fatalf("slow watcher entry %d = %+v, journal had %+v", i, got[i], before[i])
		}
	}

	st, err := d.Stat(ctx)
	must(t, err)
	for e, err := range d.Watch(ctx, st.Horizon-1, sqldict.Range{}) {
		wantErr(t, err, sqldict.ErrPruned)
		if e.Sequence != 0 {
			t.Fatalf("watch behind the horizon yielded %+v", e)
		}
		break
	}
	must(t, WriteEnd(ctx, d))
	tail, err := Collect(ctx, d, st.Horizon, sqldict.Range{})
	must(t, err)
	CheckStream(t, d, st.Horizon, sqldict.Range{}, tail)
}

// testWatchPrunedFullPage: a compaction leaves a hole after the slow
// watcher's position with more than a page of entries behind it, so the
// next page is full-length but starts past the hole; the watcher must see
// the jump in sequence numbers and end with ErrPruned, not skip the hole.
func testWatchPrunedFullPage(t *testing.T, open Opener) {
	ctx := watchCtx(t)
	d := NewDict(t, open, sqldict.Options{})
	var ws []sqldict.Write
	for i := range 1500 {
		ws = append(ws, sqldict.Write{Key: fmt.Sprintf("k%02d", i%10), Value: fmt.Appendf(nil, "%d", i)})
	}
	for i := range 700 { // never superseded: they survive the compaction
		ws = append(ws, sqldict.Write{Key: fmt.Sprintf("u%04d", i), Value: []byte("u")})
	}
	_, err := d.Commit(ctx, ws...)
	must(t, err)

	last, end := watchPruning(ctx, t, d, sqldict.PruneRule{Through: 1500})
	wantErr(t, end, sqldict.ErrPruned)
	if last >= 1490 {
		t.Fatalf("watch delivered up to %d, past the pruned entries", last)
	}
}

// testWatchPrunedTail: the hole is at the end of the journal (a deleted
// key dropped with its tombstone, the newest commit), so no later entry
// shows the jump; the watcher must still end with ErrPruned once it has
// read what remains, not wait for the dropped commits forever.
func testWatchPrunedTail(t *testing.T, open Opener) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	d := NewDict(t, open, sqldict.Options{})
	var ws []sqldict.Write
	for i := range 600 {
		ws = append(ws, sqldict.Write{Key: fmt.Sprintf("u%04d", i), Value: []byte("u")})
	}
	_, err := d.Commit(ctx, ws...)
	must(t, err)
	must(t, d.Set(ctx, "gone", []byte("x"))) // 601
	must(t, d.Delete(ctx, "gone"))           // 602, the newest commit
	last, end := watchPruning(ctx, t, d, sqldict.PruneRule{Through: 602, DropThrough: 602})
	wantErr(t, end, sqldict.ErrPruned)
	if last < 512 || last > 600 {
		t.Fatalf("watch delivered up to %d before ErrPruned, want its first page (512) up to 600", last)
	}
}

// watchPruning watches d from the start, compacts it with rule once the
// first entry arrives (the watcher has read its first page, no more), and
// returns the last sequence delivered and the error that ended the watch.
// It fails t when the watch delivers sequences out of order or skips one.
func watchPruning(ctx context.Context, t *testing.T, d *sqldict.Dict, rule sqldict.PruneRule) (int64, error) {
	t.Helper()
	var last int64
	for e, err := range d.Watch(ctx, 0, sqldict.Range{}) {
		if err != nil {
			return last, err
		}
		if e.Sequence != last+1 {
			t.Fatalf("watch jumped from sequence %d to %d: entries %d..%d skipped", last, e.Sequence, last+1, e.Sequence-1)
		}
		if last == 0 {
			pruneAll(t, d, rule)
		}
		last = e.Sequence
	}
	return last, nil
}

// pruneAll runs rule over every key of d.
func pruneAll(t *testing.T, d *sqldict.Dict, rule sqldict.PruneRule) {
	t.Helper()
	for {
		res, err := d.PruneBatch(bg, rule)
		must(t, err)
		if res.Done {
			return
		}
		rule.After = res.Next
	}
}

// testWatchEnds: bad arguments, a cancelled context and Close end a watch
// with the matching error.
func testWatchEnds(t *testing.T, open Opener) {
	d := NewDict(t, open, sqldict.Options{})
	for _, c := range []struct {
		after int64
		r     sqldict.Range
	}{{-1, sqldict.Range{}}, {0, sqldict.Range{Prefix: "bad\x00"}}, {0, sqldict.Range{Limit: -1}}} {
		for _, err := range d.Watch(bg, c.after, c.r) {
			if err == nil {
				t.Fatalf("Watch(%d, %+v) yielded an entry, want an error", c.after, c.r)
			}
			if !errors.Is(err, sqldict.ErrInvalidArgument) && !errors.Is(err, sqldict.ErrInvalidKey) {
				t.Fatalf("Watch(%d, %+v): %v, want ErrInvalidArgument or ErrInvalidKey", c.after, c.r, err)
			}
		}
	}

	must(t, d.Set(bg, "x", []byte("1")))
	ctx, cancel := context.WithCancel(bg)
	defer cancel()
	var seen []int64
	for e, err := range d.Watch(ctx, 0, sqldict.Range{}) {
		if err != nil {
			wantErr(t, err, context.Canceled)
			break
		}
		seen = append(seen, e.Sequence)
		cancel() // the watch is now waiting for a commit that never comes
	}
	if len(seen) != 1 {
		t.Fatalf("watch saw %v before its context ended, want [1]", seen)
	}

	// Limit ends the watch after that many entries.
	must(t, d.Set(bg, "y", []byte("2")))
	n := 0
	for _, err := range d.Watch(bg, 0, sqldict.Range{Limit: 2}) {
		must(t, err)
		n++
	}
	if n != 2 {
		t.Fatalf("watch with Limit 2 yielded %d entries", n)
	}

	// Close ends a watch waiting for commits (or one not yet started:
	// Close races it).
	closing := open(t, sqldict.Options{Table: d.Table()})
	done := make(chan error, 1)
	go func() {
		for _, err := range closing.Watch(bg, 2, sqldict.Range{}) {
			done <- err
			return
		}
		done <- errors.New("watch ended without an error")
	}()
	must(t, closing.Close())
	wantErr(t, <-done, sqldict.ErrClosed)
}

// testWatchSignal: on an engine that signals commits (dialects.Listener), a
// watcher on a pool of its own whose poll will not come within the test
// hears of each commit, whichever write path made it.
func testWatchSignal(t *testing.T, open Opener) {
	ctx := watchCtx(t)
	d := NewDict(t, open, sqldict.Options{})
	if _, ok := d.Dialect().(dialects.Listener); !ok {
		t.Skipf("%s sends no commit signal: watchers of other pools poll", d.Dialect().Name())
	}
	pow := open(t, sqldict.Options{Table: d.Table(), PruneOnWrite: true}) // the locked write path
	w := open(t, sqldict.Options{Table: d.Table(), WatchPoll: time.Hour})
	must(t, d.Set(ctx, "a", []byte("1")))
	got := make(chan sqldict.Entry)
	go func() {
		for e, err := range w.Watch(ctx, 0, sqldict.Range{}) {
			if err != nil {
				return
			}
			got <- e
		}
	}()
	next := func(want string) {
		t.Helper()
		select {
		case e := <-got:
			if e.Key != want {
				t.Fatalf("watcher got %q, want %q", e.Key, want)
			}
		case <-time.After(hangLimit):
			t.Fatalf("a watcher on another pool never heard of the commit of %q: no signal", want)
		}
	}
	next("a")
	time.Sleep(100 * time.Millisecond) // the watcher waits for a signal now
	must(t, d.Set(ctx, "b", []byte("2")))
	next("b")
	time.Sleep(100 * time.Millisecond)
	must(t, pow.Set(ctx, "c", []byte("3")))
	next("c")
}
