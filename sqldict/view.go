package sqldict

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"iter"
	"time"
)

// Stats is what the meta row says of a journal.
type Stats struct {
	Sequence int64     // the newest commit's sequence number; 0 when empty
	Created  time.Time // the newest commit's time; zero when empty
	// Horizon is the oldest sequence a snapshot may be taken at: pruning
	// removed rows that points before it need. 0 when nothing was pruned.
	Horizon int64
	// Live is the number of live keys at Sequence: what Len returns there.
	// The meta row keeps it, so reading it costs what Stat costs.
	Live int64
}

// Stat reads the journal's head and prune horizon.
func (d *Dict) Stat(ctx context.Context) (Stats, error) {
	if err := d.begin(ctx); err != nil {
		return Stats{}, err
	}
	s, err := d.stmt(ctx, d.q.Head)
	if err != nil {
		return Stats{}, err
	}
	var st Stats
	var created dbTime
	if err := s.QueryRowContext(ctx).Scan(&st.Sequence, &created, &st.Horizon, &st.Live); err != nil {
		return Stats{}, d.fail(err)
	}
	st.Created = created.t
	return st, nil
}

// Snapshot is a read-only view of a Dict as it was right after one commit.
// Its reads are exact and repeatable: the same answer every time, whatever
// is written after. A read that needs a row pruning removed fails with
// ErrPruned. Package snapshot builds views by time and diffs them; a
// Snapshot holds no connection or transaction and is safe for concurrent
// use.
type Snapshot struct {
	r       reader
	created time.Time
	ext     Reader // set by NewSnapshot: a view another Store implements
	src     Store  // the Store the view was taken from
	// primary is set when r reads a replica: the Dict whose pool runs a
	// read again that the replica failed (replica.go).
	primary *Dict
}

// NewSnapshot returns a Snapshot of s whose reads go to r, a Reader that
// answers at sequence seq (committed at created). It lets Store
// implementations outside this package (package client) return their
// views as a *Snapshot; r must keep the Snapshot's contract: exact,
// repeatable reads at seq. Store returns s.
func NewSnapshot(s Store, r Reader, seq int64, created time.Time) *Snapshot {
	return &Snapshot{r: reader{bound: seq}, created: created, ext: r, src: s}
}

// Snapshot returns the view at sequence seq: 0 is the empty dict before the
// first commit. A seq after the newest commit fails with ErrFuture, one
// behind the prune horizon with ErrPruned.
//
// With Options.Replica the view reads the replica once the replica has seq
// (waiting up to ReplicaWait), else the primary; ErrFuture comes only from
// the primary.
func (d *Dict) Snapshot(ctx context.Context, seq int64) (*Snapshot, error) {
	if seq < 0 {
		return nil, fmt.Errorf("%w: negative sequence %d", ErrInvalidArgument, seq)
	}
	return routed(ctx, d, seq, func(x *Dict) (*Snapshot, error) {
		v, err := x.snapshot(ctx, seq)
		if v != nil {
			v.src = d
			if x != d {
				v.primary = d
			}
		}
		return v, err
	})
}

func (d *Dict) snapshot(ctx context.Context, seq int64) (*Snapshot, error) {
	st, err := d.Stat(ctx)
	if err != nil {
		return nil, err
	}
	switch {
	case seq > st.Sequence:
		return nil, fmt.Errorf("%w: sequence %d, newest is %d", ErrFuture, seq, st.Sequence)
	case seq < st.Horizon:
		return nil, fmt.Errorf("%w: sequence %d is behind the prune horizon %d", ErrPruned, seq, st.Horizon)
	}
	v := &Snapshot{r: d.at(seq)}
	if seq == st.Sequence {
		v.created = st.Created
	} else if seq > 0 {
		s, err := d.stmt(ctx, d.q.Log)
		if err != nil {
			return nil, err
		}
		// The commit's own row; when pruning purged it (a key's final
		// tombstone), Time is unknown and stays zero.
		e, err := scanEntry(s.QueryRowContext(ctx, seq-1, seq, 1))
		if errors.Is(err, sql.ErrNoRows) {
			err = nil
		}
		if err != nil {
			return nil, d.fail(err)
		}
		v.created = e.Created
	}
	return v, v.r.verify(ctx)
}

// Store returns the Store the view was taken from: for a view of a Dict,
// that Dict (also when the view reads a replica). Package snapshot reads
// its journal (Log, Stat) through it.
func (v *Snapshot) Store() Store { return v.src }

// Sequence returns the commit the view shows the dict right after.
func (v *Snapshot) Sequence() int64 { return v.r.bound }

// Time returns the commit time of Sequence; zero for sequence 0, and when
// pruning purged that commit's row.
func (v *Snapshot) Time() time.Time { return v.created }

// Get returns the value key had at the view's point, or ErrNotFound.
func (v *Snapshot) Get(ctx context.Context, key string) ([]byte, error) {
	if v.ext != nil {
		return v.ext.Get(ctx, key)
	}
	return viewRead(ctx, v, func(r reader) ([]byte, error) { return r.get(ctx, key) })
}

// viewRead runs read on the view's reader, and on the primary at the same
// sequence when the replica failed it.
func viewRead[T any](ctx context.Context, v *Snapshot, read func(r reader) (T, error)) (T, error) {
	val, err := read(v.r)
	if v.primary != nil && replicaFailed(ctx, err) {
		v.primary.rep.fallbacks.Add(1)
		return read(v.primary.at(v.r.bound))
	}
	return val, err
}

func (r reader) get(ctx context.Context, key string) ([]byte, error) {
	d := r.d
	if err := d.begin(ctx); err != nil {
		return nil, err
	}
	if err := d.checkKey(key); err != nil {
		return nil, err
	}
	s, err := d.stmt(ctx, d.q.LatestAt)
	if err != nil {
		return nil, err
	}
	var horizon, last int64
	var item []byte
	var deleted sql.NullBool
	if err := s.QueryRowContext(ctx, key, r.bound).Scan(&horizon, &last, &item, &deleted); err != nil {
		return nil, d.fail(err)
	}
	switch {
	case r.bound < horizon:
		return nil, fmt.Errorf("%w: sequence %d is behind the prune horizon %d", ErrPruned, r.bound, horizon)
	case !deleted.Valid || deleted.Bool:
		return nil, fmt.Errorf("%w: %q at sequence %d", ErrNotFound, key, r.bound)
	case item == nil:
		item = []byte{}
	}
	return item, nil
}

// Entry returns the newest row of key at the view's point, a tombstone
// included; ErrNotFound when the key had no row by then.
func (v *Snapshot) Entry(ctx context.Context, key string) (Entry, error) {
	if v.ext != nil {
		return v.ext.Entry(ctx, key)
	}
	return viewRead(ctx, v, func(r reader) (Entry, error) { return r.entry(ctx, key) })
}

// Has reports whether key had a live value at the view's point.
func (v *Snapshot) Has(ctx context.Context, key string) (bool, error) {
	_, err := v.Get(ctx, key)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// Keys returns the keys live at the view's point, in bytewise order.
func (v *Snapshot) Keys(ctx context.Context) ([]string, error) {
	if v.ext != nil {
		return v.ext.KeysIn(ctx, Range{})
	}
	return v.KeysIn(ctx, Range{})
}

// KeysIn returns the keys in r live at the view's point.
func (v *Snapshot) KeysIn(ctx context.Context, r Range) ([]string, error) {
	if v.ext != nil {
		return v.ext.KeysIn(ctx, r)
	}
	return viewRead(ctx, v, func(rd reader) ([]string, error) { return rd.keys(ctx, r) })
}

// Len returns the number of keys live at the view's point.
func (v *Snapshot) Len(ctx context.Context) (int, error) {
	if v.ext != nil {
		return v.ext.LenIn(ctx, Range{})
	}
	return v.LenIn(ctx, Range{})
}

// LenIn returns the number of keys in r live at the view's point.
func (v *Snapshot) LenIn(ctx context.Context, r Range) (int, error) {
	if v.ext != nil {
		return v.ext.LenIn(ctx, r)
	}
	return viewRead(ctx, v, func(rd reader) (int, error) { return rd.count(ctx, r) })
}

// All streams the entries live at the view's point, in key order.
func (v *Snapshot) All(ctx context.Context) iter.Seq2[Entry, error] {
	return v.AllIn(ctx, Range{})
}

// AllIn streams the entries in r live at the view's point.
func (v *Snapshot) AllIn(ctx context.Context, r Range) iter.Seq2[Entry, error] {
	if v.ext != nil {
		return v.ext.AllIn(ctx, r)
	}
	if v.primary == nil {
		return v.r.entries(ctx, r)
	}
	onPrimary := func(rest Range) iter.Seq2[Entry, error] { return v.primary.at(v.r.bound).entries(ctx, rest) }
	return resumed(ctx, r, v.r.entries(ctx, r), onPrimary, &v.primary.rep.fallbacks)
}

// History returns the rows of key up to the view's point still in the
// journal, oldest first; ErrNotFound when there are none.
func (v *Snapshot) History(ctx context.Context, key string) ([]Entry, error) {
	if v.ext != nil {
		return v.ext.History(ctx, key)
	}
	return viewRead(ctx, v, func(r reader) ([]Entry, error) { return r.history(ctx, key) })
}

// Log streams the journal's rows with after < sequence <= until in commit
// order, deletions included: a tail for replication, audits and Diff. Rows
// pruning removed are absent; compare after with Stats.Horizon first when
// that matters. Above the horizon Log never skips a row: the journal holds
// every sequence there, so a page that seems to leave one out (an engine's
// read view that saw a later commit and not an earlier one: MariaDB's can,
// see dialects/mysql) is read again, and Log fails rather than yield past
// a missing row. A negative after or until yields ErrInvalidArgument.
func (d *Dict) Log(ctx context.Context, after, until int64) iter.Seq2[Entry, error] {
	return func(yield func(Entry, error) bool) {
		if after < 0 || until < 0 {
			yield(Entry{}, fmt.Errorf("%w: log after %d until %d: sequences are not negative", ErrInvalidArgument, after, until))
			return
		}
		horizon := int64(-1) // read when a row seems missing
		misses := 0          // consecutive pages with a row missing above it
		for after < until {
			if err := d.begin(ctx); err != nil {
				yield(Entry{}, err)
				return
			}
			s, err := d.stmt(ctx, d.q.Log)
			if err != nil {
				yield(Entry{}, err)
				return
			}
			batch, err := collect(s.QueryContext(ctx, after, until, pageSize))
			if err != nil {
				yield(Entry{}, d.fail(err))
				return
			}
			hole := false
			for _, e := range batch {
				if e.Sequence-1 > max(after, horizon) {
					st, err := d.Stat(ctx)
					if err != nil {
						yield(Entry{}, err)
						return
					}
					if horizon = st.Horizon; e.Sequence-1 > max(after, horizon) {
						hole = true
						break
					}
				}
				if !yield(e, nil) {
					return
				}
				after = e.Sequence
			}
			if hole {
				if misses++; misses > maxMisses {
					yield(Entry{}, fmt.Errorf("%w: log of journal %s: the row after sequence %d is still missing after %d reads", errMissing, d.opts.Table, after, misses))
					return
				}
				if misses > 1 { // the first read again is at once
					if err := sleepCtx(ctx, missWait); err != nil {
						yield(Entry{}, err)
						return
					}
				}
				continue
			}
			misses = 0
			if len(batch) < pageSize {
				return
			}
		}
	}
}

func collect(rows *sql.Rows, err error) ([]Entry, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// SequenceAt resolves t to the newest commit with created <= t; 0 when t is
// before the first commit. A t after the database's current clock fails
// with ErrFuture; a t that resolves behind the prune horizon fails with
// ErrPruned, since the rows that would answer may be gone. For a t at or
// after the newest commit, SequenceAt takes the journal's write lock for a
// moment, so that no commit still in flight can later appear with a
// created <= t: the answer never changes once given. A ReadOnly Dict (a
// read replica cannot take that lock) answers there from the newest commit
// it sees and the database's clock: a commit in flight at that moment may
// later appear with a created <= t, so resolve such times through a
// writable Dict when the answer must never change.
// The zero time.Time is before every commit: it resolves to 0, the empty
// view.
func (d *Dict) SequenceAt(ctx context.Context, t time.Time) (int64, error) {
	st, err := d.Stat(ctx)
	if err != nil {
		return 0, err
	}
	t = t.UTC()
	if st.Sequence > 0 && t.Before(st.Created) {
		s, err := d.stmt(ctx, d.q.SequenceAt)
		if err != nil {
			return 0, err
		}
		var seq int64
		err = s.QueryRowContext(ctx, d.dialect.EncodeTime(t)).Scan(&seq)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return 0, d.fail(err)
		}
		// Rows above the horizon are all there, so an answer at or above
		// it is exact. The row at the horizon itself may be gone (a removed
		// tombstone), so an answer below it is either the horizon or a
		// pruned commit: horizonAt tells them apart by the horizon's time.
		if seq < st.Horizon {
			return d.horizonAt(ctx, t)
		}
		return seq, nil
	}
	var seq int64
	var future bool
	check := func(lastSeq int64, lastCreated, now time.Time) error {
		seq, future = lastSeq, !t.Before(now)
		if lastSeq > 0 && t.Before(lastCreated) {
			// A commit landed since Stat: answer from the journal, which
			// is stable below lastCreated.
			return errRetryLookup
		}
		return nil
	}
	if d.opts.ReadOnly {
		err = d.headNow(ctx, check)
	} else {
		err = d.lockRead(ctx, func(w *wtx) error { return check(w.lastSeq, w.lastCreated, w.now) })
	}
	if errors.Is(err, errRetryLookup) {
		return d.SequenceAt(ctx, t)
	}
	if err != nil {
		return 0, err
	}
	if future {
		return 0, fmt.Errorf("%w: %s is not before the database's clock", ErrFuture, t.Format(time.RFC3339Nano))
	}
	return seq, nil
}

var errRetryLookup = errors.New("sqldict: commit landed during lookup")

// headNow passes the journal's head and the database's clock to fn without
// taking the write lock, for a ReadOnly Dict (a read replica cannot take
// it). A commit in flight elsewhere is not waited for.
func (d *Dict) headNow(ctx context.Context, fn func(lastSeq int64, lastCreated, now time.Time) error) error {
	s, err := d.stmt(ctx, d.q.HeadNow)
	if err != nil {
		return err
	}
	var lastSeq, horizon int64
	var lastCreated, now dbTime
	if err := s.QueryRowContext(ctx).Scan(&lastSeq, &lastCreated, &horizon, &now); err != nil {
		return d.fail(err)
	}
	if !d.q.ServerClock {
		now.t = time.Now()
	}
	return fn(lastSeq, lastCreated.t, now.t.UTC().Truncate(time.Microsecond))
}

// lockRead runs fn holding the write lock without writing anything.
func (d *Dict) lockRead(ctx context.Context, fn func(w *wtx) error) error {
	if err := d.begin(ctx); err != nil {
		return err
	}
	return d.fail(d.updateOnce(ctx, fn))
}

// sleepCtx waits for wait to pass or ctx to end, whichever comes first.
func sleepCtx(ctx context.Context, wait time.Duration) error {
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
