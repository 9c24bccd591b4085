package sqldicttest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/sqldict/sqldict/sqldict"
)

// Attempt is one single-key write of a fault test (a server restarted,
// paused, cut off) and what Commit returned for it.
type Attempt struct {
	Key, Value string
	Entries    []sqldict.Entry
	Err        error
}

// CheckAttempts compares writes made while a server failed with the journal
// of d: a write that returned nil is there once (version 1, the value and
// sequence it returned), a write that returned an error left nothing —
// except sqldict.ErrOutcomeUnknown, which may have landed, whole and once —
// and the journal holds no other key. The keys must be distinct and written
// once each. It returns how many writes succeeded and failed.
func CheckAttempts(t testing.TB, d *sqldict.Dict, attempts [][]Attempt) (ok, failed int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), checkTimeout)
	defer cancel()
	landed := 0 // writes that failed with ErrOutcomeUnknown yet took
	for _, as := range attempts {
		for _, a := range as {
			got, err := d.Entry(ctx, a.Key)
			switch {
			case a.Err == nil && err != nil:
				t.Errorf("write of %s returned nil but reading it back says %v", a.Key, err)
			case a.Err == nil && (string(got.Value) != a.Value || got.Sequence != a.Entries[0].Sequence):
				t.Errorf("write of %s returned nil at sequence %d, journal holds %q at %d", a.Key, a.Entries[0].Sequence, got.Value, got.Sequence)
			case a.Err == nil && got.Version != 1:
				t.Errorf("write of %s applied more than once: version %d", a.Key, got.Version)
			case errors.Is(a.Err, sqldict.ErrOutcomeUnknown) && err == nil:
				// Allowed either way, but whole and once.
				if string(got.Value) != a.Value || got.Version != 1 {
					t.Errorf("write of %s with unknown outcome is in the journal as %q, version %d", a.Key, got.Value, got.Version)
				}
				landed++
			case a.Err != nil && err == nil:
				t.Errorf("write of %s returned %v, yet it is in the journal at sequence %d", a.Key, a.Err, got.Sequence)
			case a.Err != nil && !errors.Is(err, sqldict.ErrNotFound):
				t.Errorf("read back %s: %v", a.Key, err)
			}
			if a.Err == nil {
				ok++
			} else {
				failed++
			}
		}
	}
	if n, err := d.Len(ctx); err != nil || n != ok+landed {
		t.Errorf("journal holds %d keys (%v), %d writes succeeded and %d with unknown outcome landed", n, err, ok, landed)
	}
	return ok, failed
}

// StartWriters starts n goroutines, writer w committing fresh keys
// ("w<w>/<i>") one per Commit through dict(w) until the returned stop is
// called, each Commit under timeout (none when 0) besides ctx. After every
// attempt, next(w, a) says whether writer w goes on (nil: it always does,
// pausing 20 ms after a failure so that a server that is away is not
// spun on). stop ends the writers and returns their attempts, one slice per
// writer, for CheckAttempts.
func StartWriters(ctx context.Context, n int, dict func(w int) *sqldict.Dict, timeout time.Duration, next func(w int, a Attempt) bool) (stop func() [][]Attempt) {
	if next == nil {
		next = func(_ int, a Attempt) bool {
			if a.Err != nil {
				time.Sleep(20 * time.Millisecond)
			}
			return true
		}
	}
	attempts := make([][]Attempt, n)
	done := make(chan struct{})
	var wg sync.WaitGroup
	for w := range n {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-done:
					return
				default:
				}
				a := Attempt{Key: fmt.Sprintf("w%d/%06d", w, i), Value: fmt.Sprintf("v%d-%d", w, i)}
				wctx, cancel := ctx, context.CancelFunc(func() {})
				if timeout > 0 {
					wctx, cancel = context.WithTimeout(ctx, timeout)
				}
				a.Entries, a.Err = dict(w).Commit(wctx, sqldict.Write{Key: a.Key, Value: []byte(a.Value)})
				cancel()
				attempts[w] = append(attempts[w], a)
				if !next(w, a) {
					return
				}
			}
		})
	}
	var once sync.Once
	return func() [][]Attempt {
		once.Do(func() { close(done); wg.Wait() })
		return attempts
	}
}
