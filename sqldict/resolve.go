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
// and looks for the transaction's newest row: by sequence, or, for a
// one-call commit (call.go) whose sequence the lost answer would have told,
// by key and version, which no two rows share. Found (same key, version,
// deletion, value, author and comment): the write succeeded, and the row is
// returned. (Another writer that wrote exactly that content at exactly that
// version while the answer was lost would be taken for this one, as a row
// of identical content at the sequence was before; the journal then holds
// what this write asked for either way.) Absent: nothing of it is in the journal and the
// write may be run again (the error is marked dialects.ErrRetry). If the
// server does not answer within resolveTimeout, or pruning removed the row
// since, the error says the outcome is unknown.
func (d *Dict) resolveCommit(ctx context.Context, ac *ambiguousCommit) (Entry, error) {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), resolveTimeout)
	defer cancel()
	last := ac.last
	wait := 20 * time.Millisecond
	for {
		var found, pruned bool
		var row Entry
		err := d.fail(d.runOnce(rctx, func(w *wtx) error {
			var e Entry
			var err error
			if last.Sequence == 0 {
				e, err = scanEntry(w.queryRow(d.q.Version, last.Key, last.Version))
			} else {
				e, err = scanEntry(w.queryRow(d.q.Log, last.Sequence-1, last.Sequence, 1))
			}
			switch {
			case errors.Is(err, sql.ErrNoRows) && last.Sequence == 0:
				// Gone, or never written: the head tells whether any commit
				// took this version.
				st, err := d.current(w, last.Key)
				pruned = st.version >= last.Version
				return err
			case errors.Is(err, sql.ErrNoRows):
				pruned = w.horizon > last.Sequence
				return nil
			case err != nil:
				return err
			}
			found, row = sameRow(e, last), e
			return nil
		}))
		switch {
		case err == nil && found:
			d.wrote(row.Sequence)
			d.opts.Logger.DebugContext(ctx, "sqldict: commit took despite its error", "table", d.opts.Table, "sequence", row.Sequence, "err", ac.err)
			return row, nil
		case err == nil && !pruned:
			d.opts.Logger.DebugContext(ctx, "sqldict: commit did not take", "table", d.opts.Table, "key", last.Key, "version", last.Version, "err", ac.err)
			return Entry{}, &dialects.Classified{Class: dialects.ErrRetry, Err: ac.err}
		case err == nil:
			return Entry{}, fmt.Errorf("%w: key %q version %d was pruned since: %w", ErrOutcomeUnknown, last.Key, last.Version, d.fail(ac.err))
		case !errors.Is(err, dialects.ErrConnection) && !errors.Is(err, dialects.ErrRetry):
			return Entry{}, fmt.Errorf("%w (%v): %w", ErrOutcomeUnknown, err, d.fail(ac.err))
		}
		select {
		case <-rctx.Done():
			return Entry{}, fmt.Errorf("%w: server unreachable for %v: %w", ErrOutcomeUnknown, resolveTimeout, d.fail(ac.err))
		case <-time.After(wait):
			wait = min(2*wait, time.Second)
		}
	}
}

// sameRow reports whether the journal row e is the one want describes; a
// want without a sequence (a one-call commit's) matches any sequence and
// commit time.
func sameRow(e, want Entry) bool {
	placed := want.Sequence == 0 || e.Sequence == want.Sequence && e.Created.Equal(want.Created)
	return placed && e.Key == want.Key && e.Version == want.Version &&
		e.Deleted == want.Deleted && e.Author == want.Author &&
		e.Comment == want.Comment && bytes.Equal(e.Value, want.Value)
}
