package snapshot

import (
	"context"
	"fmt"
	"time"

	"github.com/sqldict/sqldict/sqldict"
)

// View is a read-only view of a journal as it was right after one journal
// row: a *sqldict.Snapshot, whichever Store it was taken from (a Dict, a
// client of "sqldict serve", …). It has no write methods. Every read is
// exact and repeatable, or fails: with sqldict.ErrPruned once pruning
// removed rows the view's point needs (also when the prune happens after
// the view was made), with sqldict.ErrClosed after the Store is closed. A
// View holds no connection or transaction; it is safe for concurrent use
// and costs nothing to keep. View.Store returns the Store it reads.
type View = sqldict.Snapshot

// At returns the view of s right after sequence seq. seq 0 is the empty dict
// before the first commit. A seq after the newest commit fails with
// sqldict.ErrFuture, one behind the prune horizon with sqldict.ErrPruned, a
// negative one with sqldict.ErrInvalidArgument.
//
// Each row of the journal has its own sequence, and a Commit of several
// writes is several consecutive rows: a seq inside such a commit shows it
// partly applied, a state no reader of the head ever saw. Sequences taken
// from AsOf, Head, Stat or the last entry a Commit returned are commit
// boundaries.
func At(ctx context.Context, s sqldict.Store, seq int64) (*View, error) {
	if s == nil {
		return nil, fmt.Errorf("%w: nil Store", sqldict.ErrInvalidArgument)
	}
	v, err := s.Snapshot(ctx, seq)
	if err != nil {
		return nil, fmt.Errorf("snapshot at %d: %w", seq, err)
	}
	return v, nil
}

// AsOf returns the view of s as of the instant t: after the last commit
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
// can later appear with a created at or before t (Store.SequenceAt).
func AsOf(ctx context.Context, s sqldict.Store, t time.Time) (*View, error) {
	if s == nil {
		return nil, fmt.Errorf("%w: nil Store", sqldict.ErrInvalidArgument)
	}
	t = t.UTC().Truncate(time.Microsecond)
	seq, err := s.SequenceAt(ctx, t)
	if err != nil {
		return nil, fmt.Errorf("snapshot as of %s: %w", t.Format(time.RFC3339Nano), err)
	}
	v, err := s.Snapshot(ctx, seq)
	if err != nil {
		return nil, fmt.Errorf("snapshot as of %s (sequence %d): %w", t.Format(time.RFC3339Nano), seq, err)
	}
	return v, nil
}

// Head returns the view of s at its newest commit, pinned there: commits
// after Head returns do not show in it. An empty journal gives the empty
// view at sequence 0.
func Head(ctx context.Context, s sqldict.Store) (*View, error) {
	if s == nil {
		return nil, fmt.Errorf("%w: nil Store", sqldict.ErrInvalidArgument)
	}
	st, err := s.Stat(ctx)
	if err != nil {
		return nil, fmt.Errorf("snapshot at head: %w", err)
	}
	return At(ctx, s, st.Sequence)
}
