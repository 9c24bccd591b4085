package sqldict

import (
	"context"
	"fmt"
	"iter"
	"maps"
	"slices"
	"time"
)

// Import copies a journal into this one verbatim: every entry keeps its
// sequence number, version, created time, author and comment, so the copy
// answers every read at every sequence exactly as the source did. It is the
// restore half of a dump (the CLI's export and import) and the way to move a
// journal from one engine to another.
//
// head is what Stat said of the source when its entries were read; entries
// are the source's rows in sequence order (Log(ctx, 0, head.Sequence)).
// Import checks that they form a journal that could have been written:
// sequences increasing with gaps only behind head.Horizon (rows pruning
// removed), per-key versions consecutive and starting at 1 unless pruning
// removed the oldest, tombstones only on live keys, created never
// decreasing and not after the database's clock (that error also matches
// ErrFuture), keys and values within this Dict's limits. Anything else
// fails with ErrInvalidArgument (or ErrInvalidKey, ErrValueTooLarge).
//
// The journal must be empty: no commit ever made, nothing pruned. Import
// runs in one write transaction, so it writes everything or nothing; it is
// not retried (entries may be a one-shot stream), so on an error the caller
// may simply run it again. It returns the number of entries written.
func (d *Dict) Import(ctx context.Context, head Stats, entries iter.Seq2[Entry, error]) (int64, error) {
	if err := d.begin(ctx); err != nil {
		return 0, err
	}
	if d.opts.ReadOnly {
		return 0, ErrReadOnly
	}
	if head.Sequence < 0 || head.Horizon < 0 || head.Horizon > head.Sequence {
		return 0, fmt.Errorf("%w: import head sequence %d, horizon %d", ErrInvalidArgument, head.Sequence, head.Horizon)
	}
	head.Created = head.Created.UTC().Truncate(time.Microsecond)
	var n int64
	err := d.updateOnce(ctx, func(w *wtx) error {
		if w.lastSeq != 0 || w.horizon != 0 {
			return fmt.Errorf("%w: import into journal %s at sequence %d: it must be empty", ErrInvalidArgument, d.opts.Table, w.lastSeq)
		}
		if head.Created.After(w.now) {
			// Every later commit would be dated at the import's newest
			// time, and reads as of now would miss them.
			return fmt.Errorf("%w: %w: import head created %s, after the database's clock %s", ErrInvalidArgument, ErrFuture,
				head.Created.Format(time.RFC3339Nano), w.now.Format(time.RFC3339Nano))
		}
		var err error
		n, w.live, err = d.importRows(w, head, entries)
		if err != nil {
			return err
		}
		// The row at the horizon may not have been exported: its time is
		// then unknown.
		created, err := w.createdAt(head.Horizon)
		if err != nil {
			return err
		}
		w.lastSeq, w.now = head.Sequence, head.Created
		w.raiseHorizon(head.Horizon, created)
		return nil
	})
	if err != nil {
		return 0, d.fail(err)
	}
	return n, nil
}

// importRows writes the entries and returns how many it wrote and how many
// keys they leave live.
func (d *Dict) importRows(w *wtx, head Stats, entries iter.Seq2[Entry, error]) (n, live int64, err error) {
	bad := func(e Entry, format string, args ...any) error {
		return fmt.Errorf("%w: import entry %d (%q version %d): %s", ErrInvalidArgument, e.Sequence, e.Key, e.Version, fmt.Sprintf(format, args...))
	}
	keys := map[string]importKey{}
	var last Entry
	var batch []Write
	var rows []Entry
	size := 0
	flush := func() error {
		if len(rows) == 0 {
			return nil
		}
		if err := d.insertImported(w, batch, rows); err != nil {
			return err
		}
		batch, rows, size = batch[:0], rows[:0], 0
		return nil
	}
	for e, err := range entries {
		if err != nil {
			return n, 0, err
		}
		wr := Write{Key: e.Key, Value: e.Value, Delete: e.Deleted, Author: e.Author, Comment: e.Comment}
		if e.Deleted && len(e.Value) == 0 {
			wr.Value = nil
		}
		if err := d.checkWrite(&wr); err != nil {
			return n, 0, fmt.Errorf("import entry %d: %w", e.Sequence, err)
		}
		e.Created = e.Created.UTC().Truncate(time.Microsecond)
		switch {
		case e.Sequence <= last.Sequence || e.Sequence > head.Sequence:
			return n, 0, bad(e, "sequence out of order (previous %d, head %d)", last.Sequence, head.Sequence)
		case e.Sequence-1 > last.Sequence && e.Sequence-1 > head.Horizon:
			return n, 0, bad(e, "sequences %d..%d missing above the prune horizon %d", last.Sequence+1, e.Sequence-1, head.Horizon)
		case e.Created.IsZero() || e.Created.Before(last.Created) || e.Created.After(head.Created):
			return n, 0, bad(e, "created %s out of order", e.Created.Format(time.RFC3339Nano))
		}
		st, seen := keys[e.Key]
		switch {
		case e.Version < 1 || (seen && e.Version != st.version+1):
			// Pruning leaves each key a contiguous run of its newest versions.
			return n, 0, bad(e, "version out of order")
		case e.Version > 1 && head.Horizon == 0 && !seen:
			// Nothing was pruned, so the key's older rows must be there.
			// Once something was, a key may start at any version above
			// the horizon: a key compaction dropped continues from the
			// version it reached (see the package doc on versions).
			return n, 0, bad(e, "previous version missing with nothing pruned")
		case e.Deleted && (e.Version == 1 || (seen && st.deleted && e.Version == st.version+1)):
			return n, 0, bad(e, "deletes a key that does not exist")
		}
		keys[e.Key] = importKey{keyState{version: e.Version, deleted: e.Deleted}, e.Sequence}
		last = e
		if len(rows) == insertRows || (len(rows) > 0 && size+len(wr.Value) > insertBytes) {
			if err := flush(); err != nil {
				return n, 0, err
			}
		}
		batch, rows = append(batch, wr), append(rows, e)
		size += len(wr.Value)
		n++
	}
	if err := flush(); err != nil {
		return n, 0, err
	}
	if err := d.importHeads(w, keys); err != nil {
		return n, 0, err
	}
	if last.Sequence < head.Sequence && head.Sequence > head.Horizon {
		return n, 0, fmt.Errorf("%w: import ends at sequence %d, head is %d above the prune horizon %d", ErrInvalidArgument, last.Sequence, head.Sequence, head.Horizon)
	}
	if head.Sequence > 0 && head.Created.Before(last.Created) {
		return n, 0, fmt.Errorf("%w: import head created %s before its last entry", ErrInvalidArgument, head.Created.Format(time.RFC3339Nano))
	}
	return n, liveKeys(keys), nil
}

// insertImported appends rows as insert does, each with its own created.
// The caller keeps the head table in step with upsertHead.
func (d *Dict) insertImported(w *wtx, writes []Write, rows []Entry) error {
	args := make([]any, 0, 8*len(rows))
	for i, e := range rows {
		var item any = writes[i].Value
		if e.Deleted {
			item = nil
		} else if writes[i].Value == nil {
			item = []byte{}
		}
		args = append(args, e.Sequence, e.Key, item, e.Deleted, d.dialect.EncodeTime(e.Created), e.Version, e.Author, e.Comment)
	}
	if _, err := w.exec(d.text(d.q.Insert, "", len(rows), 8), args...); err != nil {
		return fmt.Errorf("import %d rows: %w", len(rows), err)
	}
	return nil
}

// importKey is a key's newest state in an import, and its row's sequence.
type importKey struct {
	keyState
	seq int64
}

// headChunk is how many head rows one upsert of importHeads writes.
const headChunk = 10_000

// importHeads writes each key's head row once, after all its rows: upserted
// per batch instead, PostgreSQL rewrote every head row once per batch it
// appeared in inside the one import transaction (4.8 M updates of 200 000
// head rows, dead tuples vacuum could not return until the end, issue 27).
// Keys go in key order, the head table's.
func (d *Dict) importHeads(w *wtx, keys map[string]importKey) error {
	labels := slices.Sorted(maps.Keys(keys))
	heads := make([]Entry, 0, min(len(labels), headChunk))
	for i, k := range labels {
		st := keys[k]
		heads = append(heads, Entry{Key: k, Sequence: st.seq, Version: st.version, Deleted: st.deleted})
		if len(heads) == headChunk || i == len(labels)-1 {
			if err := d.upsertHead(w, heads); err != nil {
				return err
			}
			heads = heads[:0]
		}
	}
	return nil
}

// liveKeys counts the keys whose newest state is live.
func liveKeys(keys map[string]importKey) int64 {
	var n int64
	for _, st := range keys {
		if !st.deleted {
			n++
		}
	}
	return n
}
