package sqldict

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"sync/atomic"
	"time"

	"github.com/sqldict/sqldict/dialects"
)

// Replica reads (Options.Replica). A Dict with a replica keeps a second,
// read-only Dict on the replica's pool and chooses, per read, which of the two
// answers: the read paths are the same code on either pool. The choice
// follows one rule, read-your-writes by sequence: a read that needs the
// journal at sequence S (the newest this Dict committed, or the sequence of a
// Snapshot) goes to the replica once the replica's meta row says it has S;
// until then it waits, up to Options.ReplicaWait and bounded by its ctx, and
// when the wait ends the primary answers. A replica never answers for a
// point it has not reached, so its lag can cost latency, never a wrong
// answer. A read the replica fails with a retryable conflict (PostgreSQL's
// hot-standby "conflict with recovery", SQLSTATE 40001) or a lost connection
// is run again on the primary.

// replicaState is what a primary Dict keeps of its replica.
type replicaState struct {
	d         *Dict        // read-only Dict on the replica's pool
	seen      atomic.Int64 // newest sequence the replica was seen to have
	reads     atomic.Int64 // reads routed to the replica
	fallbacks atomic.Int64 // reads the primary answered instead
}

// ReplicaStats tells how far a Dict's replica is behind its primary and how
// its reads were routed.
type ReplicaStats struct {
	Primary int64 // the primary's newest sequence
	Replica int64 // the replica's newest sequence
	// Lag is Primary - Replica: commits the replica has not applied yet;
	// 0 when it has them all. (Read apart, so a commit between the two
	// reads can show as lag, never hide it.)
	Lag int64
	// LagTime is the commit time of the primary's newest commit minus the
	// replica's: how old the replica's view is, 0 when caught up.
	LagTime time.Duration
	// Reads counts the reads the replica answered, Fallbacks those the
	// primary answered because the replica had not reached the sequence
	// they needed within ReplicaWait or failed them; both since Open.
	Reads, Fallbacks int64
}

// ErrNoReplica is returned by ReplicaStat on a Dict opened without
// Options.Replica.
var ErrNoReplica = errors.New("sqldict: no replica configured")

// openReplica opens the read-only Dict on opts.Replica. The replica may not
// show a journal the primary just created or migrated: Open waits for it up
// to 10×ReplicaWait, bounded by ctx.
func (d *Dict) openReplica(ctx context.Context) error {
	ro := d.opts
	ro.Replica = nil
	ro.ReadOnly, ro.SkipMigrate = true, true
	ro.KeyLength = 0
	wctx, cancel := context.WithTimeout(ctx, 10*d.opts.ReplicaWait)
	defer cancel()
	wait := 5 * time.Millisecond
	var behind error // why the replica is not ready yet
	for {
		rd, err := open(wctx, d.opts.Replica, false, d.dialect, ro)
		if err == nil {
			rd.isReplica = true
			d.rep = &replicaState{d: rd}
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if errors.Is(err, ErrNoJournal) || errors.Is(err, ErrSchemaOld) || errors.Is(err, dialects.ErrNoTable) {
			behind = err
		} else if wctx.Err() == nil || behind == nil {
			return fmt.Errorf("open %s on the replica: %w", d.opts.Table, err)
		}
		if wctx.Err() != nil {
			return fmt.Errorf("open %s on the replica: waited %v: %w", d.opts.Table, 10*d.opts.ReplicaWait, behind)
		}
		select {
		case <-wctx.Done():
		case <-time.After(wait):
		}
		wait = min(2*wait, 100*time.Millisecond)
	}
}

// wrote records that this Dict committed sequence seq: its later reads
// need the journal at seq.
func (d *Dict) wrote(seq int64) { raise(&d.written, seq) }

// raise sets a to v unless a already holds v or more.
func raise(a *atomic.Int64, v int64) {
	for {
		cur := a.Load()
		if v <= cur || a.CompareAndSwap(cur, v) {
			return
		}
	}
}

// readFrom returns the Dict whose pool answers a read that needs the
// journal at sequence need: the replica once it has need, else the primary.
// It fails only when ctx ends.
func (d *Dict) readFrom(ctx context.Context, need int64) (*Dict, error) {
	rep := d.rep
	if rep == nil {
		return d, nil
	}
	if need <= rep.seen.Load() {
		rep.reads.Add(1)
		return rep.d, nil
	}
	wctx, cancel := context.WithTimeout(ctx, d.opts.ReplicaWait)
	defer cancel()
	wait := time.Millisecond
	for {
		st, err := rep.d.Stat(wctx)
		if err == nil {
			rep.saw(st.Sequence)
			if st.Sequence >= need {
				rep.reads.Add(1)
				return rep.d, nil
			}
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if err != nil && wctx.Err() == nil {
			// The replica is unreachable or failing: no point waiting.
			d.opts.Logger.WarnContext(ctx, "sqldict: replica failed, reading from the primary", "table", d.opts.Table, "err", err)
			rep.fallbacks.Add(1)
			return d, nil
		}
		select {
		case <-wctx.Done():
		case <-time.After(wait):
			wait = min(2*wait, 20*time.Millisecond)
			continue
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		d.opts.Logger.DebugContext(ctx, "sqldict: replica behind, reading from the primary", "table", d.opts.Table, "need", need, "replica", rep.seen.Load())
		rep.fallbacks.Add(1)
		return d, nil
	}
}

// saw records that the replica has sequence seq.
func (rep *replicaState) saw(seq int64) { raise(&rep.seen, seq) }

// replicaFailed reports whether a read the replica answered with err should
// be run again on the primary: a retryable conflict (hot-standby query
// cancellation) or a lost connection, while ctx still runs.
func replicaFailed(ctx context.Context, err error) bool {
	return err != nil && ctx.Err() == nil &&
		(errors.Is(err, dialects.ErrRetry) || errors.Is(err, dialects.ErrConnection))
}

// routed runs read on the pool readFrom chooses for need, and again on the
// primary when the replica failed it.
func routed[T any](ctx context.Context, d *Dict, need int64, read func(x *Dict) (T, error)) (T, error) {
	x, err := d.readFrom(ctx, need)
	if err != nil {
		var zero T
		return zero, err
	}
	v, err := read(x)
	if x != d && replicaFailed(ctx, err) {
		d.opts.Logger.WarnContext(ctx, "sqldict: replica read failed, reading from the primary", "table", d.opts.Table, "err", err)
		d.rep.fallbacks.Add(1)
		return read(d)
	}
	return v, err
}

// routedHead runs a head read with read-your-writes.
func routedHead[T any](ctx context.Context, d *Dict, read func(x *Dict) (T, error)) (T, error) {
	return routed(ctx, d, d.written.Load(), read)
}

// resumed streams scan(r); when the replica fails it mid-way (failed is
// true for its error), the rest comes from rest, a scan of the primary,
// resumed after the last key yielded. Keys stay in order and come once.
func resumed(ctx context.Context, r Range, scan iter.Seq2[Entry, error], onPrimary func(Range) iter.Seq2[Entry, error], fallbacks *atomic.Int64) iter.Seq2[Entry, error] {
	return func(yield func(Entry, error) bool) {
		n := 0
		for e, err := range scan {
			if err != nil && onPrimary != nil && replicaFailed(ctx, err) {
				fallbacks.Add(1)
				rest := r // After is the last key yielded, if any
				if r.Limit > 0 {
					rest.Limit = r.Limit - n
				}
				onPrimary(rest)(yield)
				return
			}
			if !yield(e, err) || err != nil {
				return
			}
			r.After, n = e.Key, n+1
		}
	}
}

// ReplicaStat reads the newest sequence on the primary and on the replica,
// and the routing counters. It fails with ErrNoReplica when the Dict has no
// replica.
func (d *Dict) ReplicaStat(ctx context.Context) (ReplicaStats, error) {
	if d.rep == nil {
		if err := d.begin(ctx); err != nil {
			return ReplicaStats{}, err
		}
		return ReplicaStats{}, ErrNoReplica
	}
	// The replica first: read after it, the primary can only be ahead.
	rst, err := d.rep.d.Stat(ctx)
	if err != nil {
		return ReplicaStats{}, fmt.Errorf("replica: %w", err)
	}
	d.rep.saw(rst.Sequence)
	pst, err := d.Stat(ctx)
	if err != nil {
		return ReplicaStats{}, err
	}
	s := ReplicaStats{Primary: pst.Sequence, Replica: rst.Sequence, Reads: d.rep.reads.Load(), Fallbacks: d.rep.fallbacks.Load()}
	if s.Primary > s.Replica {
		s.Lag = s.Primary - s.Replica
		s.LagTime = max(pst.Created.Sub(rst.Created), 0)
	}
	return s, nil
}
