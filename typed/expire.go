package typed

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/sqldict/sqldict/sqldict"
)

// SweepBatch is how many writes one commit of Sweep or Reseal holds at most.
const SweepBatch = 100

// SweepComment is the comment of the tombstones Sweep appends.
const SweepComment = "expired"

// Sweep appends a tombstone for every key in r whose value has expired by
// Options.Now, so that the journal's history shows when it went (Author
// Options.SweepAuthor, Comment SweepComment) and Keys/Len of the byte store
// stop counting it. Reads do not need it: an expired value reads as absent
// before and after. Each tombstone expects the version it found, so a key
// rewritten meanwhile is left alone. It reads headers only (no keyring
// needed) and scans the whole range; it returns how many keys it deleted.
// Run it from a ticker, or use RunSweeper.
func (d *Dict[T]) Sweep(ctx context.Context, r sqldict.Range) (int, error) {
	if err := d.canWrite(); err != nil {
		return 0, err
	}
	now := d.opts.Now()
	b := batcher{ctx: ctx, store: d.store, author: d.opts.SweepAuthor, comment: SweepComment}
	for e, err := range d.store.AllIn(ctx, r) {
		if err != nil {
			return b.n, err
		}
		exp, err := d.expiry(e.Value)
		if err != nil || !expired(exp, now) {
			continue // not ours to judge, or still live
		}
		if err := b.add(e, nil); err != nil {
			return b.n, err
		}
	}
	return b.n, b.flush()
}

// batcher commits writes that each expect the version they were made from
// (Sweep, Reseal) in batches of SweepBatch. When a key changed under a
// batch, it commits that batch one by one and skips the changed keys. n
// counts the writes committed.
type batcher struct {
	ctx             context.Context
	store           sqldict.Store
	author, comment string
	ws              []sqldict.Write
	n               int
}

// add queues a new version of e's key: value, or a tombstone when nil,
// expecting e's version.
func (b *batcher) add(e sqldict.Entry, value []byte) error {
	b.ws = append(b.ws, sqldict.Write{
		Key: e.Key, Value: value, Delete: value == nil, IfVersion: sqldict.Expect(e.Version),
		Author: b.author, Comment: b.comment,
	})
	if len(b.ws) < SweepBatch {
		return nil
	}
	return b.flush()
}

func (b *batcher) flush() error {
	if len(b.ws) == 0 {
		return nil
	}
	ws := b.ws
	b.ws = b.ws[:0]
	_, err := b.store.Commit(b.ctx, ws...)
	if err == nil {
		b.n += len(ws)
		return nil
	}
	if !errors.Is(err, sqldict.ErrConflict) && !errors.Is(err, sqldict.ErrNotFound) {
		return fmt.Errorf("commit %d writes: %w", len(ws), err)
	}
	for _, w := range ws {
		_, err := b.store.Commit(b.ctx, w)
		switch {
		case err == nil:
			b.n++
		case errors.Is(err, sqldict.ErrConflict), errors.Is(err, sqldict.ErrNotFound):
			// Rewritten or deleted since it was read: not ours any more.
		default:
			return fmt.Errorf("%q: %w", w.Key, err)
		}
	}
	return nil
}

// RunSweeper calls Sweep over the whole dict every interval until ctx ends,
// and returns ctx's error. A failed sweep is reported to onError (when not
// nil) and retried at the next tick.
func (d *Dict[T]) RunSweeper(ctx context.Context, every time.Duration, onError func(error)) error {
	if every <= 0 {
		return fmt.Errorf("%w: sweep interval %v", sqldict.ErrInvalidArgument, every)
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := d.Sweep(ctx, sqldict.Range{}); err != nil && ctx.Err() == nil && onError != nil {
			onError(err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}
