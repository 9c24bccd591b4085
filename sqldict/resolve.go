package sqldict

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/sqldict/sqldict/dialects"
)

// resolveTimeout bounds how long a write whose COMMIT lost its connection
// waits for the server to come back and tell whether the COMMIT took.
const resolveTimeout = 30 * time.Second

// ambiguousCommit is a COMMIT that failed in a way that does not say whether
// the server applied it: the connection broke, or ctx ended, while it was in
// flight. last is the newest row the transaction appended.
type ambiguousCommit struct {
	last Entry
	err  error
}

func (e *ambiguousCommit) Error() string { return e.err.Error() }
func (e *ambiguousCommit) Unwrap() error { return e.err }

// resolveCommit learns the outcome of an ambiguous COMMIT, so that a write
// that returns an error has left nothing behind. It takes the journal's write
// lock, which the lost transaction held until it ended one way or the other,
// and looks for the transaction's newest row. Found: the write succeeded.
// Absent: nothing of it is in the journal and the write may be run again
// (the error is marked dialects.ErrRetry). If the server does not answer
// within resolveTimeout, or pruning removed the row since, the error says the
// outcome is unknown.
func (d *Dict) resolveCommit(ctx context.Context, ac *ambiguousCommit) error {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), resolveTimeout)
	defer cancel()
	last := ac.last
	wait := 20 * time.Millisecond
	for {
		var found, pruned bool
		err := d.fail(d.runOnce(rctx, func(w *wtx) error {
			e, err := scanEntry(w.queryRow(d.q.Log, last.Sequence-1, last.Sequence, 1))
			switch {
			case errors.Is(err, sql.ErrNoRows):
				pruned = w.horizon > last.Sequence
				return nil
			case err != nil:
				return err
			}
			found = sameRow(e, last)
			return nil
		}))
		switch {
		case err == nil && found:
			d.wrote(last.Sequence)
			d.opts.Logger.DebugContext(ctx, "sqldict: commit took despite its error", "table", d.opts.Table, "sequence", last.Sequence, "err", ac.err)
			return nil
		case err == nil && !pruned:
			d.opts.Logger.DebugContext(ctx, "sqldict: commit did not take", "table", d.opts.Table, "sequence", last.Sequence, "err", ac.err)
			return &dialects.Classified{Class: dialects.ErrRetry, Err: ac.err}
		case err == nil:
			return fmt.Errorf("%w: sequence %d was pruned since: %w", ErrOutcomeUnknown, last.Sequence, d.fail(ac.err))
		case !errors.Is(err, dialects.ErrConnection) && !errors.Is(err, dialects.ErrRetry):
			return fmt.Errorf("%w (%v): %w", ErrOutcomeUnknown, err, d.fail(ac.err))
		}
		select {
		case <-rctx.Done():
			return fmt.Errorf("%w: server unreachable for %v: %w", ErrOutcomeUnknown, resolveTimeout, d.fail(ac.err))
		case <-time.After(wait):
			wait = min(2*wait, time.Second)
		}
	}
}

// sameRow reports whether the journal row e is the one want describes.
func sameRow(e, want Entry) bool {
	return e.Sequence == want.Sequence && e.Key == want.Key && e.Version == want.Version &&
		e.Deleted == want.Deleted && e.Created.Equal(want.Created) && e.Author == want.Author &&
		e.Comment == want.Comment && bytes.Equal(e.Value, want.Value)
}
