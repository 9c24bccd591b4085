package sqldict

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/sqldict/sqldict/dialects"
)

// Group commit. Concurrent Commit calls on one Dict queue here; while one
// transaction is in flight the next caller in line waits, and when it ends
// that caller leads one transaction for everything queued by then (bounded
// by maxBatchRows and maxBatchBytes, taken from the head of the queue, so
// nobody is overtaken). A lone caller finds no transaction in flight and
// commits at once: no timer, no waiting for company.
//
// Each member's writes are checked in queue order against the head as the
// members before it left it, in memory, from the states read under the
// journal's lock (applyBatch): a member whose check fails is left out with
// its own error and the others commit. This costs nothing on the database,
// unlike a savepoint per member, and a retried transaction checks every
// member again. Should the database refuse the batch for a reason of its
// own (not a conflict to retry), each member is run alone, so that the
// error reaches only the caller whose writes caused it.
//
// The group is per Dict: every caller shares its statements, options and
// Close. Dicts on one pool still take turns at the pool's write lock
// (SQLite) or the journal's row lock (servers).

// Batch bounds: rows and value bytes one group transaction carries at most.
// A single commit larger than that runs alone.
const (
	maxBatchRows  = 1024
	maxBatchBytes = insertBytes
)

// group is the queue of one Dict's commits.
type group struct {
	mu      sync.Mutex
	queue   []*request
	leading bool // a leader is taking or running a batch

	stats groupCounters // what GroupStats reports
}

// request is one Commit call in the group.
type request struct {
	ctx    context.Context
	writes []Write
	bytes  int
	absent []bool // when not nil: plan's per-write answer for Put

	// Guarded by group.mu.
	elected bool          // this caller leads the next batch
	taken   bool          // in a batch: its outcome no longer depends on its ctx
	done    bool          // entries and err are final
	wake    chan struct{} // elected or done

	entries []Entry
	err     error
}

func (r *request) signal() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// commit queues writes and returns their outcome.
func (g *group) commit(ctx context.Context, d *Dict, writes []Write, absent []bool) ([]Entry, error) {
	r := &request{ctx: ctx, writes: writes, absent: absent, wake: make(chan struct{}, 1)}
	for _, wr := range writes {
		r.bytes += len(wr.Value)
	}
	g.mu.Lock()
	g.queue = append(g.queue, r)
	if !g.leading {
		g.leading, r.elected = true, true
	}
	g.mu.Unlock()
	cancelled := ctx.Done()
	for {
		g.mu.Lock()
		if r.done {
			g.mu.Unlock()
			return r.entries, r.err
		}
		if r.elected {
			g.mu.Unlock()
			g.lead(d)
			continue
		}
		g.mu.Unlock()
		select {
		case <-r.wake:
		case <-cancelled:
			g.mu.Lock()
			if !r.taken && !r.elected && !r.done {
				g.remove(r)
				g.mu.Unlock()
				return nil, ctx.Err()
			}
			g.mu.Unlock()
			cancelled = nil // in a batch, or leading one: wait for the outcome
		}
	}
}

// remove takes r out of the queue; g.mu is held.
func (g *group) remove(r *request) {
	for i, q := range g.queue {
		if q == r {
			g.queue = append(g.queue[:i], g.queue[i+1:]...)
			return
		}
	}
}

// lead takes a batch from the head of the queue, the leader's own request
// first, commits it, and hands the lead to the next caller in line.
func (g *group) lead(d *Dict) {
	g.mu.Lock()
	var batch []*request
	rows, bytes := 0, 0
	for len(g.queue) > 0 {
		r := g.queue[0]
		r.elected = false
		if err := ctxDone(r.ctx); err != nil {
			g.queue = g.queue[1:]
			r.err, r.done = err, true
			r.signal()
			continue
		}
		if len(batch) > 0 && (rows+len(r.writes) > maxBatchRows || bytes+r.bytes > maxBatchBytes) {
			break
		}
		g.queue = g.queue[1:]
		r.taken = true
		batch = append(batch, r)
		rows, bytes = rows+len(r.writes), bytes+r.bytes
	}
	g.mu.Unlock()

	if len(batch) > 0 {
		g.stats.add(len(batch), rows)
		d.commitBatch(batch)
	}

	g.mu.Lock()
	for _, r := range batch {
		r.done = true
		r.signal()
	}
	if len(g.queue) > 0 {
		g.queue[0].elected = true
		g.queue[0].signal()
	} else {
		g.leading = false
	}
	g.mu.Unlock()
}

// testHookApplied, when set by a test, runs after a batch's rows are
// written and before its COMMIT.
var testHookApplied func(members []*request)

// commitBatch runs one transaction for the members and sets each one's
// outcome.
func (d *Dict) commitBatch(members []*request) {
	ctx, cancel := batchContext(members)
	defer cancel()
	var err error
	done := false
	if d.callable(members) {
		done, err = d.callBatch(ctx, members)
	}
	if !done {
		err = d.retry(ctx, func(w *wtx) error {
			err := d.applyBatch(w, members)
			if err == nil && testHookApplied != nil {
				testHookApplied(members)
			}
			return err
		})
	}
	if err != nil && len(members) > 1 && !errors.Is(err, dialects.ErrRetry) && !errors.Is(err, ErrClosed) &&
		!errors.Is(err, dialects.ErrConnection) && ctx.Err() == nil {
		// Refused for a reason of one member's making, perhaps: find whose.
		for _, m := range members {
			d.commitBatch([]*request{m})
		}
		return
	}
	for _, m := range members {
		switch {
		case err != nil:
			m.entries, m.err = nil, err
			if cerr := ctxDone(m.ctx); cerr != nil && !errors.Is(err, cerr) {
				m.err = fmt.Errorf("%w: %w", cerr, err)
			}
		case m.err != nil:
			m.entries, m.err = nil, d.fail(m.err)
		}
	}
}

// batchContext returns the context a batch's transaction runs on. It ends
// only when every member has given up: one caller's cancellation must not
// fail the others' writes. When a member's context can never end (Done is
// nil, as for context.Background), neither can the batch's, and it says so
// by having no Done channel either: that spares drivers the watch for
// cancellation they set up per statement (go-sqlite3 runs each statement
// on a goroutine of its own for it, a hand-off per statement in the one
// writer's turn).
func batchContext(members []*request) (context.Context, context.CancelFunc) {
	if len(members) == 1 {
		return members[0].ctx, func() {}
	}
	for _, m := range members {
		if m.ctx.Done() == nil {
			return context.WithoutCancel(members[0].ctx), func() {}
		}
	}
	return allDone(members)
}

// allDone returns a context that keeps the first member's values and ends
// when every member's context has ended.
func allDone(members []*request) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.WithoutCancel(members[0].ctx))
	var mu sync.Mutex
	left := len(members)
	stops := make([]func() bool, len(members))
	for i, m := range members {
		stops[i] = context.AfterFunc(m.ctx, func() {
			mu.Lock()
			defer mu.Unlock()
			if left--; left == 0 {
				cancel()
			}
		})
	}
	return ctx, func() {
		for _, stop := range stops {
			stop()
		}
		cancel()
	}
}
