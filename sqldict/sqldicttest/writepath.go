package sqldicttest

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sqldict/sqldict/sqldict"
)

// hangLimit bounds what must return promptly; far above what a loaded CI
// machine needs, far below a hang (a lock wait timeout is 50 s on MariaDB).
const hangLimit = 20 * time.Second

// within runs fn and fails t when it has not returned after hangLimit.
func within(t *testing.T, what string, fn func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn()
	}()
	select {
	case <-done:
	case <-time.After(hangLimit):
		t.Fatalf("%s still running after %v", what, hangLimit)
	}
}

// testCloseDuringWrites closes a Dict while 6 goroutines write through it
// (issue 17): Close returns, every write returns nil or ErrClosed, every nil
// is in the journal, and no lock outlives the Dict: another handle writes.
func testCloseDuringWrites(t *testing.T, open Opener) {
	// The other handle comes first: an opener may share the first Dict's
	// pool with later ones, and closing that Dict would close the pool.
	d2 := NewDict(t, open, sqldict.Options{})
	d := open(t, sqldict.Options{Table: d2.Table()})
	const writers = 6
	var committed atomic.Int64
	started := make(chan struct{}, writers)
	errs := make([]error, writers)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			signalled := false
			signal := func() {
				if !signalled {
					signalled = true
					started <- struct{}{}
				}
			}
			defer signal()
			for i := 0; ; i++ {
				err := d.Set(bg, "w"+strconv.Itoa(w), []byte(strconv.Itoa(i)))
				if err != nil {
					errs[w] = err
					return
				}
				committed.Add(1)
				if i == 3 {
					signal()
				}
			}
		})
	}
	for range writers {
		<-started // writers are in full swing
	}
	within(t, "Close during writes", func() { must(t, d.Close()) })
	within(t, "writers after Close", wg.Wait)
	for w, err := range errs {
		if !errors.Is(err, sqldict.ErrClosed) {
			t.Errorf("writer %d ended with %v, want ErrClosed", w, err)
		}
	}
	within(t, "a write through another handle", func() { must(t, d2.Set(bg, "after", []byte("x"))) })
	if got, want := seqOf(t, d2), committed.Load()+1; got != want {
		t.Fatalf("journal holds %d rows, want the %d writes that returned nil and one more", got, want-1)
	}
}

// testSequenceAtStable asks SequenceAt for times just behind the clock while
// 6 writers commit (issue 17): an answer once given must still be the
// journal's answer when all commits have landed, so a commit must not be
// dated before a time already answered.
func testSequenceAtStable(t *testing.T, d Journal) {
	const writers, readers, commits = 6, 2, 40
	type answer struct {
		t   time.Time
		seq int64
	}
	var mu sync.Mutex
	var answers []answer
	stop := make(chan struct{})
	var rg, wg sync.WaitGroup
	for r := range readers {
		rg.Go(func() {
			rnd := rand.New(rand.NewPCG(uint64(r), 7))
			for {
				select {
				case <-stop:
					return
				default:
				}
				at := time.Now().Add(-time.Duration(rnd.IntN(3000)) * time.Microsecond)
				seq, err := d.SequenceAt(bg, at)
				if errors.Is(err, sqldict.ErrFuture) {
					continue // the database's clock is behind ours
				}
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				answers = append(answers, answer{at, seq})
				mu.Unlock()
			}
		})
	}
	for w := range writers {
		wg.Go(func() {
			for i := range commits {
				if err := d.Set(bg, "w"+strconv.Itoa(w), []byte(strconv.Itoa(i))); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(stop)
	rg.Wait()
	var log []sqldict.Entry
	for e, err := range d.Log(bg, 0, math.MaxInt64) {
		must(t, err)
		log = append(log, e)
	}
	bad := 0
	for _, a := range answers {
		var want int64
		for _, e := range log {
			if !e.Created.After(a.t) {
				want = e.Sequence
			}
		}
		if a.seq != want {
			if bad++; bad <= 5 {
				t.Errorf("SequenceAt(%s) answered %d; the journal now says %d", a.t.UTC().Format(time.RFC3339Nano), a.seq, want)
			}
		}
	}
	if bad > 0 {
		t.Fatalf("%d of %d answers changed", bad, len(answers))
	}
}

// testSequenceAtReadOnly resolves a time at the newest commit through a
// ReadOnly Dict while the journal's write lock is held elsewhere: a read
// replica cannot take the lock, so the answer must not need it.
func testSequenceAtReadOnly(t *testing.T, open Opener) {
	d := NewDict(t, open, sqldict.Options{})
	must(t, d.Set(bg, "a", []byte("1")))
	es, err := d.Commit(bg, sqldict.Write{Key: "b", Value: []byte("2")})
	must(t, err)
	ro := open(t, sqldict.Options{Table: d.Table(), ReadOnly: true})

	// Hold the journal's write lock: a blind update of its meta row. (Not
	// where both handles share one pool, as in-memory SQLite does: a shared
	// cache locks readers of a table being written out too.)
	if ro.DB() != d.DB() {
		tx, err := d.DB().BeginTx(bg, nil)
		must(t, err)
		defer tx.Rollback() //nolint:errcheck // ends the lock; nothing to report
		_, err = tx.ExecContext(bg, "UPDATE "+d.Table()+"_meta SET horizon = horizon WHERE id = 1")
		must(t, err)
	}

	ctx, cancel := context.WithTimeout(bg, hangLimit)
	defer cancel()
	for _, at := range []time.Time{es[0].Created, es[0].Created.Add(time.Microsecond)} {
		seq, err := ro.SequenceAt(ctx, at)
		must(t, err)
		if seq != es[0].Sequence {
			t.Fatalf("ReadOnly SequenceAt(%s) = %d, want %d", at.Format(time.RFC3339Nano), seq, es[0].Sequence)
		}
	}
	_, err = ro.SequenceAt(ctx, time.Now().Add(time.Hour))
	wantErr(t, err, sqldict.ErrFuture)
}

// lockWaiters are queries counting the statements waiting for the row lock
// of a meta table, by dialect; %s is the table's name.
var lockWaiters = map[string]string{
	// The lock statement names the meta table; a one-call commit, the
	// journal's commit function.
	"postgres": `SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND (query LIKE '%%%[1]s_meta%%' OR query LIKE '%%%[1]s_commit(%%')`,
	// InnoDB does not always list a locking read waiting in the optimizer
	// (a const-table read) among its lock waits; but while the test holds
	// the lock, a lock statement running on the meta table is waiting. The
	// journal's commit procedure ends its lock statement alike, and MariaDB
	// lists a procedure's running statement; a server that lists the CALL
	// instead is matched by the CALL.
	"mysql": `SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE id <> CONNECTION_ID() AND ` +
		`(info LIKE '%%%[1]s_meta WHERE id = 1 FOR UPDATE' OR info LIKE 'CALL %[1]s_commit(%%')`,
}

// testCommitDatedAfterLockWait holds the journal's write lock while a commit
// waits for it, and releases it only after a moment T the commit's wait
// spans: the commit must be dated at or after T (issue 17), else a
// SequenceAt(T) answered while it waited would change when it lands.
func testCommitDatedAfterLockWait(t *testing.T, open Opener) {
	d := NewDict(t, open, sqldict.Options{})
	waiters, ok := lockWaiters[d.Dialect().Name()]
	if !ok {
		t.Skipf("%s writers wait in process, after which the commit reads the clock", d.Dialect().Name())
	}
	must(t, d.Set(bg, "a", []byte("1")))
	tx, err := d.DB().BeginTx(bg, nil)
	must(t, err)
	defer tx.Rollback() //nolint:errcheck // ends the lock; nothing to report
	_, err = tx.ExecContext(bg, "UPDATE "+d.Table()+"_meta SET horizon = horizon WHERE id = 1")
	must(t, err)

	type result struct {
		es  []sqldict.Entry
		err error
	}
	done := make(chan result, 1)
	go func() {
		es, err := d.Commit(bg, sqldict.Write{Key: "b", Value: []byte("2")})
		done <- result{es, err}
	}()
	q := fmt.Sprintf(waiters, d.Table())
	for deadline := time.Now().Add(hangLimit); ; {
		var n int
		must(t, d.DB().QueryRowContext(bg, q).Scan(&n))
		if n > 0 {
			break
		}
		select {
		case r := <-done:
			t.Fatalf("the commit returned (%v) without waiting for the lock", r.err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("the commit never waited for the lock")
		}
		time.Sleep(time.Millisecond)
	}
	mid := time.Now().UTC().Truncate(time.Microsecond)
	time.Sleep(time.Millisecond) // the wait spans mid, whatever the clocks' grain
	must(t, tx.Rollback())
	r := <-done
	must(t, r.err)
	if r.es[0].Created.Before(mid) {
		t.Fatalf("a commit that waited for the lock past %s is dated %s", mid.Format(time.RFC3339Nano), r.es[0].Created.Format(time.RFC3339Nano))
	}
}

// testStaleHeads writes through two handles on one journal, so that each
// handle's idea of a key's head is out of date when it writes next (a
// one-call commit plans from that idea, call.go): every check must still be
// decided on the journal's actual head. Each step fails with a check made
// on the stale idea alone: the expectation 1 passes, version 3 conflicts,
// the delete finds the key live, the Put creates the key at version 1.
func testStaleHeads(t *testing.T, open Opener) {
	a := NewDict(t, open, sqldict.Options{})
	b := open(t, sqldict.Options{Table: a.Table()})
	must(t, a.Set(bg, "k", []byte("a1")))
	must(t, a.Set(bg, "gone", []byte("a1")))
	must(t, b.Set(bg, "k", []byte("b2")))
	must(t, b.Delete(bg, "gone"))
	must(t, b.Set(bg, "new", []byte("b1")))

	_, err := a.Commit(bg, sqldict.Write{Key: "k", Value: []byte("a-stale"), IfVersion: sqldict.Expect(1)})
	var ce *sqldict.ConflictError
	if !errors.As(err, &ce) || ce.Actual != 2 {
		t.Fatalf("commit expecting version 1 of a key at version 2: %v, want a conflict with actual 2", err)
	}
	es, err := a.Commit(bg, sqldict.Write{Key: "k", Value: []byte("a3"), IfVersion: sqldict.Expect(2)})
	must(t, err)
	if es[0].Version != 3 {
		t.Fatalf("commit expecting the actual version 2: version %d, want 3", es[0].Version)
	}
	if err := a.Delete(bg, "gone"); !errors.Is(err, sqldict.ErrNotFound) {
		t.Fatalf("delete of a key another handle deleted: %v, want ErrNotFound", err)
	}
	e, created, err := a.Put(bg, sqldict.Write{Key: "new", Value: []byte("a2")})
	must(t, err)
	if created || e.Version != 2 {
		t.Fatalf("Put of a key another handle created: created=%v version %d, want false, 2", created, e.Version)
	}
	// What the commits returned is what the journal holds.
	for _, want := range []sqldict.Entry{es[0], e} {
		got, err := b.Entry(bg, want.Key)
		must(t, err)
		if got.Sequence != want.Sequence || got.Version != want.Version || !got.Created.Equal(want.Created) {
			t.Fatalf("%s: commit returned sequence %d version %d at %v, journal holds %d, %d, %v",
				want.Key, want.Sequence, want.Version, want.Created, got.Sequence, got.Version, got.Created)
		}
	}
	// And b, whose idea of "k" is now stale too, conflicts rightly.
	if _, err := b.Commit(bg, sqldict.Write{Key: "k", Value: []byte("b-stale"), IfVersion: sqldict.Expect(2)}); !errors.As(err, &ce) || ce.Actual != 3 {
		t.Fatalf("second handle expecting version 2 of a key at 3: %v, want a conflict with actual 3", err)
	}
}
