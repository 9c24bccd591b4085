package sqldict

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// entriesChunk is how many keys one statement of Entries reads.
const entriesChunk = 10_000

// Entries returns the newest row of each of keys at the view's point, a
// tombstone included, as Entry does for one key: a key with no row by then
// is absent from the map. It reads in batches, a statement per ten
// thousand keys where the dialect has one (PostgreSQL) and one prepared
// seek per key otherwise, and checks the prune horizon once at the end:
// what Diff needs for the before-state of every key it compares (issue 27:
// one round trip and one horizon check per key made Diff of 100 000
// changes take 11–23 s on PostgreSQL). An invalid key fails the whole call
// with ErrInvalidKey; duplicates are read once.
func (v *Snapshot) Entries(ctx context.Context, keys []string) (map[string]Entry, error) {
	if v.ext != nil {
		return entriesOneByOne(ctx, v.ext.Entry, keys)
	}
	return viewRead(ctx, v, func(r reader) (map[string]Entry, error) { return r.entriesOf(ctx, keys) })
}

// entriesOneByOne is Entries on a Reader without a batch read.
func entriesOneByOne(ctx context.Context, entry func(context.Context, string) (Entry, error), keys []string) (map[string]Entry, error) {
	out := make(map[string]Entry, len(keys))
	for _, k := range keys {
		e, err := entry(ctx, k)
		switch {
		case err == nil:
			out[k] = e
		case !errors.Is(err, ErrNotFound):
			return nil, err
		}
	}
	return out, nil
}

// entriesOf reads Entries' rows as of r.bound, then verifies the horizon.
func (r reader) entriesOf(ctx context.Context, keys []string) (map[string]Entry, error) {
	d := r.d
	if err := d.begin(ctx); err != nil {
		return nil, err
	}
	for _, k := range keys {
		if err := d.checkKey(k); err != nil {
			return nil, err
		}
	}
	out := make(map[string]Entry, len(keys))
	read := r.entriesEach
	if d.q.EntryAtAny != "" {
		read = r.entriesAny
	}
	for lo := 0; lo < len(keys); lo += entriesChunk {
		if err := read(ctx, keys[lo:min(lo+entriesChunk, len(keys))], out); err != nil {
			return nil, err
		}
	}
	return out, r.verify(ctx)
}

// entriesAny reads keys with one EntryAtAny statement.
func (r reader) entriesAny(ctx context.Context, keys []string, out map[string]Entry) error {
	s, err := r.d.stmt(ctx, r.d.q.EntryAtAny)
	if err != nil {
		return err
	}
	es, err := collect(s.QueryContext(ctx, keys, r.bound))
	if err != nil {
		return r.d.fail(fmt.Errorf("read %d entries at %d: %w", len(keys), r.bound, err))
	}
	for _, e := range es {
		out[e.Key] = e
	}
	return nil
}

// entriesEach reads keys with one EntryAt seek each, on one prepared
// statement.
func (r reader) entriesEach(ctx context.Context, keys []string, out map[string]Entry) error {
	s, err := r.d.stmt(ctx, r.d.q.EntryAt)
	if err != nil {
		return err
	}
	for _, k := range keys {
		e, err := scanEntry(s.QueryRowContext(ctx, k, r.bound))
		switch {
		case err == nil:
			out[k] = e
		case !errors.Is(err, sql.ErrNoRows):
			return r.d.fail(err)
		}
	}
	return nil
}
