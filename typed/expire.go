package typed

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/sqldict/sqldict/sqldict"
)

// SweepBatch is how many tombstones one Sweep commit appends at most.
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
	var batch []sqldict.Write
	n := 0
	flush := func() error {
		k, err := d.commitSweep(ctx, batch)
		n += k
		batch = batch[:0]
		return err
	}
	for e, err := range d.store.AllIn(ctx, r) {
		if err != nil {
			return n, err
		}
		exp, err := d.expiry(e.Value)
		if err != nil || !expired(exp, now) {
			continue // not ours to judge, or still live
		}
		batch = append(batch, sqldict.Write{
			Key: e.Key, Delete: true, IfVersion: sqldict.Expect(e.Version),
			Author: d.opts.SweepAuthor, Comment: SweepComment,
		})
		if len(batch) == SweepBatch {
			if err := flush(); err != nil {
				return n, err
			}
		}
	}
	if len(batch) > 0 {
		if err := flush(); err != nil {
			return n, err
		}
	}
	return n, nil
}

// commitSweep commits a batch of tombstones; when a key changed under it,
// it commits them one by one and skips the changed ones.
func (d *Dict[T]) commitSweep(ctx context.Context, ws []sqldict.Write) (int, error) {
	_, err := d.store.Commit(ctx, ws...)
	if err == nil {
		return len(ws), nil
	}
	if !errors.Is(err, sqldict.ErrConflict) && !errors.Is(err, sqldict.ErrNotFound) {
		return 0, fmt.Errorf("sweep: %w", err)
	}
	n := 0
	for _, w := range ws {
		_, err := d.store.Commit(ctx, w)
		switch {
		case err == nil:
			n++
		case errors.Is(err, sqldict.ErrConflict), errors.Is(err, sqldict.ErrNotFound):
			// Rewritten or deleted since we looked: no longer expired.
		default:
			return n, fmt.Errorf("sweep %q: %w", w.Key, err)
		}
	}
	return n, nil
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
