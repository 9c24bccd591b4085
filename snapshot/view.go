package snapshot

import (
	"context"
	"fmt"
	"iter"
	"time"

	"github.com/sqldict/sqldict/sqldict"
)

// View is a read-only view of a Dict as it was right after one journal row.
// It has no write methods. Every read is exact and repeatable, or fails: with
// sqldict.ErrPruned once pruning removed rows the view's point needs (also
// when the prune happens after the view was made), with sqldict.ErrClosed
// after the Dict is closed. A View holds no connection or transaction; it is
// safe for concurrent use and costs nothing to keep.
type View struct {
	d *sqldict.Dict
	s *sqldict.Snapshot
}

// At returns the view of d right after sequence seq. seq 0 is the empty dict
// before the first commit. A seq after the newest commit fails with
// sqldict.ErrFuture, one behind the prune horizon with sqldict.ErrPruned, a
// negative one with sqldict.ErrInvalidArgument.
//
// Each row of the journal has its own sequence, and a Commit of several
// writes is several consecutive rows: a seq inside such a commit shows it
// partly applied, a state no reader of the head ever saw. Sequences taken
// from AsOf, Head, Stat or the last entry a Commit returned are commit
// boundaries.
func At(ctx context.Context, d *sqldict.Dict, seq int64) (*View, error) {
	if d == nil {
		return nil, fmt.Errorf("%w: nil Dict", sqldict.ErrInvalidArgument)
	}
	s, err := d.Snapshot(ctx, seq)
	if err != nil {
		return nil, fmt.Errorf("snapshot at %d: %w", seq, err)
	}
	return &View{d: d, s: s}, nil
}

// AsOf returns the view of d as of the instant t: after the last commit
// whose created is at or before t, so a commit made exactly at t is in, and
// every commit of the same microsecond with it. t's location does not
// matter, only the instant; t is truncated to the microsecond, the
// resolution of created. A t before the first commit gives the empty view
// (Sequence 0). A t that is not before the database's clock fails with
// sqldict.ErrFuture, since a commit still in flight could land at t; use
// Head for "now". A t whose state pruning removed fails with
// sqldict.ErrPruned.
//
// The answer never changes once given: when t is at or after the newest
// commit, resolving it briefly takes the journal's write lock, so no commit
// can later appear with a created at or before t.
func AsOf(ctx context.Context, d *sqldict.Dict, t time.Time) (*View, error) {
	if d == nil {
		return nil, fmt.Errorf("%w: nil Dict", sqldict.ErrInvalidArgument)
	}
	t = t.UTC().Truncate(time.Microsecond)
	seq, err := d.SequenceAt(ctx, t)
	if err != nil {
		return nil, fmt.Errorf("snapshot as of %s: %w", t.Format(time.RFC3339Nano), err)
	}
	s, err := d.Snapshot(ctx, seq)
	if err != nil {
		return nil, fmt.Errorf("snapshot as of %s (sequence %d): %w", t.Format(time.RFC3339Nano), seq, err)
	}
	return &View{d: d, s: s}, nil
}

// Head returns the view of d at its newest commit, pinned there: commits
// after Head returns do not show in it. An empty journal gives the empty
// view at sequence 0.
func Head(ctx context.Context, d *sqldict.Dict) (*View, error) {
	if d == nil {
		return nil, fmt.Errorf("%w: nil Dict", sqldict.ErrInvalidArgument)
	}
	st, err := d.Stat(ctx)
	if err != nil {
		return nil, fmt.Errorf("snapshot at head: %w", err)
	}
	return At(ctx, d, st.Sequence)
}

// Dict returns the Dict the view reads.
func (v *View) Dict() *sqldict.Dict { return v.d }

// Sequence returns the journal row the view shows the dict right after; 0
// for the empty dict before the first commit.
func (v *View) Sequence() int64 { return v.s.Sequence() }

// Time returns the created time (UTC) of the commit at Sequence: for a view
// made by AsOf(t), the newest commit time at or before t, not t itself.
// Zero for sequence 0.
func (v *View) Time() time.Time { return v.s.Time() }

// Get returns the value key had at the view's point: sqldict.ErrNotFound
// when it had none (never written by then, or deleted).
func (v *View) Get(ctx context.Context, key string) ([]byte, error) { return v.s.Get(ctx, key) }

// Has reports whether key had a live value at the view's point.
func (v *View) Has(ctx context.Context, key string) (bool, error) { return v.s.Has(ctx, key) }

// Entry returns the newest row of key at or before the view's point, with
// its metadata; a tombstone when the key was deleted by then,
// sqldict.ErrNotFound when it had no row.
func (v *View) Entry(ctx context.Context, key string) (sqldict.Entry, error) {
	return v.s.Entry(ctx, key)
}

// Len returns the number of keys live at the view's point.
func (v *View) Len(ctx context.Context) (int, error) { return v.s.Len(ctx) }

// LenIn returns the number of keys in r live at the view's point; r.Limit
// is ignored.
func (v *View) LenIn(ctx context.Context, r sqldict.Range) (int, error) { return v.s.LenIn(ctx, r) }

// Keys returns the keys live at the view's point, in bytewise order. For
// large dicts prefer KeysIn with a Limit, or All.
func (v *View) Keys(ctx context.Context) ([]string, error) { return v.s.Keys(ctx) }

// KeysIn returns the keys in r live at the view's point, in bytewise order;
// page with r.After and r.Limit.
func (v *View) KeysIn(ctx context.Context, r sqldict.Range) ([]string, error) {
	return v.s.KeysIn(ctx, r)
}

// All streams the entries live at the view's point in key order, a page of
// a few hundred at a time; an error ends the iteration.
func (v *View) All(ctx context.Context) iter.Seq2[sqldict.Entry, error] { return v.s.All(ctx) }

// AllIn streams the entries in r live at the view's point, like All.
func (v *View) AllIn(ctx context.Context, r sqldict.Range) iter.Seq2[sqldict.Entry, error] {
	return v.s.AllIn(ctx, r)
}

// History returns the rows of key up to the view's point, oldest first,
// deletions included; sqldict.ErrNotFound when there are none. Rows written
// after the point are not in it.
func (v *View) History(ctx context.Context, key string) ([]sqldict.Entry, error) {
	return v.s.History(ctx, key)
}
