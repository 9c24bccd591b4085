package typed

import (
	"context"
	"fmt"
	"iter"
	"time"

	"github.com/sqldict/sqldict/sqldict"
)

// View is a read-only, exact view of a Dict at one point in history (a
// sqldict.Snapshot with values decoded). It judges expiry by its own time:
// the time it was asked for (AsOf), or the commit time of its sequence
// (Snapshot). So a view at a time before a value expired shows it, one
// after does not, whether or not Sweep has run since. Safe for concurrent
// use; it holds no connection.
type View[T any] struct {
	d    *Dict[T]
	snap *sqldict.Snapshot
	at   time.Time
}

// Snapshot returns the view right after commit seq; expiry is judged at
// that commit's time. Errors as sqldict.Dict.Snapshot (ErrFuture,
// ErrPruned, ErrInvalidArgument).
func (d *Dict[T]) Snapshot(ctx context.Context, seq int64) (*View[T], error) {
	if err := d.canRead(); err != nil {
		return nil, err
	}
	s, err := d.store.Snapshot(ctx, seq)
	if err != nil {
		return nil, err
	}
	return &View[T]{d: d, snap: s, at: s.Time()}, nil
}

// AsOf returns the view at time t: the last commit with created <= t, with
// expiry judged at t itself. It needs a Store that resolves times
// (*sqldict.Dict does); others fail with sqldict.ErrInvalidArgument.
// Errors as sqldict.Dict.SequenceAt (ErrFuture, ErrPruned).
func (d *Dict[T]) AsOf(ctx context.Context, t time.Time) (*View[T], error) {
	if err := d.canRead(); err != nil {
		return nil, err
	}
	sa, ok := d.store.(sequenceAt)
	if !ok {
		return nil, fmt.Errorf("%w: typed.AsOf: %T does not resolve times to sequences", sqldict.ErrInvalidArgument, d.store)
	}
	seq, err := sa.SequenceAt(ctx, t)
	if err != nil {
		return nil, err
	}
	s, err := d.store.Snapshot(ctx, seq)
	if err != nil {
		return nil, err
	}
	return &View[T]{d: d, snap: s, at: t.UTC()}, nil
}

// Sequence returns the commit the view shows the dict right after.
func (v *View[T]) Sequence() int64 { return v.snap.Sequence() }

// Time returns the time expiry is judged at.
func (v *View[T]) Time() time.Time { return v.at }

// Get returns the value key had at the view's point: sqldict.ErrNotFound
// when it had none or it had expired by the view's time (then also
// ErrExpired).
func (v *View[T]) Get(ctx context.Context, key string) (T, error) {
	var zero T
	e, err := v.snap.Entry(ctx, key)
	if err != nil {
		return zero, err
	}
	if e.Deleted {
		return zero, fmt.Errorf("%w: %q was deleted at sequence %d", sqldict.ErrNotFound, key, e.Sequence)
	}
	val, exp, err := v.d.open(key, e.Value)
	if expired(exp, v.at) {
		return zero, expiredErr(key, exp)
	}
	return val, err
}

// Has reports whether key had a live, unexpired value at the view's point.
func (v *View[T]) Has(ctx context.Context, key string) (bool, error) {
	return has(ctx, v.d, v.snap, key, v.at)
}

// Entry returns the newest row of key at the view's point, decoded, with
// Expired judged at the view's time.
func (v *View[T]) Entry(ctx context.Context, key string) (Entry[T], error) {
	e, err := v.snap.Entry(ctx, key)
	if err != nil {
		return Entry[T]{}, err
	}
	return v.d.entry(e, v.at)
}

// History returns the rows of key up to the view's point, decoded, with
// Expired judged at the view's time.
func (v *View[T]) History(ctx context.Context, key string) ([]Entry[T], error) {
	return history(ctx, v.d, v.snap, key, v.at)
}

// All streams the entries in r live and unexpired at the view's point.
func (v *View[T]) All(ctx context.Context, r sqldict.Range) iter.Seq2[Entry[T], error] {
	return all(ctx, v.d, v.snap, r, v.at)
}

// KeysIn returns the keys in r live and unexpired at the view's point (see
// Dict.KeysIn for its cost).
func (v *View[T]) KeysIn(ctx context.Context, r sqldict.Range) ([]string, error) {
	return keysIn(ctx, v.d, v.snap, r, v.at)
}
