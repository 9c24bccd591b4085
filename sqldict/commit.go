package sqldict

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// Set writes value under key as a new version. A nil value is stored as an
// empty value, not as a deletion.
func (d *Dict) Set(ctx context.Context, key string, value []byte) error {
	if value == nil {
		value = []byte{}
	}
	_, err := d.Commit(ctx, Write{Key: key, Value: value})
	return err
}

// Delete appends a tombstone for key. It fails with ErrNotFound, writing
// nothing, when the key has no live value.
func (d *Dict) Delete(ctx context.Context, key string) error {
	_, err := d.Commit(ctx, Write{Key: key, Delete: true})
	return err
}

// Commit applies writes atomically as consecutive journal rows: all of them
// or, on any error, none. Writes apply in order, so a key may appear more
// than once and each occurrence is a version of its own. A write's
// IfVersion is checked against the version the earlier writes of the commit
// left. A Delete of a key with no live value fails the commit with
// ErrNotFound; a failed expectation with a *ConflictError. Commit returns
// the appended entries, in order, without their values. Committing no
// writes does nothing.
func (d *Dict) Commit(ctx context.Context, writes ...Write) ([]Entry, error) {
	if err := d.begin(ctx); err != nil {
		return nil, err
	}
	for i := range writes {
		if err := d.checkWrite(&writes[i]); err != nil {
			return nil, err
		}
	}
	if len(writes) == 0 {
		return nil, nil
	}
	var entries []Entry
	err := d.update(ctx, func(w *wtx) error {
		var err error
		entries, err = d.apply(w, writes)
		return err
	})
	if err != nil {
		return nil, err
	}
	return entries, nil
}

type keyState struct {
	version int64
	deleted bool // also true for a key never written
}

// apply appends writes inside w.
func (d *Dict) apply(w *wtx, writes []Write) ([]Entry, error) {
	states := make(map[string]keyState, len(writes))
	entries := make([]Entry, len(writes))
	for i, wr := range writes {
		st, ok := states[wr.Key]
		if !ok {
			var err error
			if st, err = d.current(w, wr.Key); err != nil {
				return nil, err
			}
		}
		if v, set := wr.IfVersion.Version(); set {
			live := st.version
			if st.deleted {
				live = 0
			}
			if v != live && (v != st.version || !st.deleted) {
				return nil, &ConflictError{Key: wr.Key, Expected: v, Actual: live}
			}
		}
		if wr.Delete && st.deleted {
			return nil, fmt.Errorf("%w: delete %q", ErrNotFound, wr.Key)
		}
		st = keyState{version: st.version + 1, deleted: wr.Delete}
		states[wr.Key] = st
		w.lastSeq++
		entries[i] = Entry{
			Key: wr.Key, Deleted: wr.Delete, Sequence: w.lastSeq, Version: st.version,
			Created: w.now, Author: wr.Author, Comment: wr.Comment,
		}
	}
	if err := d.insert(w, writes, entries); err != nil {
		return nil, err
	}
	if d.opts.PruneOnWrite {
		if err := d.pruneWritten(w, entries); err != nil {
			return nil, err
		}
	}
	return entries, nil
}

// current reads a key's newest version inside the write transaction.
func (d *Dict) current(w *wtx, key string) (keyState, error) {
	var st keyState
	err := w.queryRow(d.q.Current, key).Scan(&st.version, &st.deleted)
	if errors.Is(err, sql.ErrNoRows) {
		return keyState{deleted: true}, nil
	}
	if err != nil {
		return st, fmt.Errorf("read version of %q: %w", key, err)
	}
	return st, nil
}

// Rows per INSERT statement, and the bytes of values one statement carries
// at most (a single larger value goes alone): well inside every engine's
// parameter and packet limits.
const (
	insertRows  = 128
	insertBytes = 4 << 20
)

func (d *Dict) insert(w *wtx, writes []Write, entries []Entry) error {
	args := make([]any, 0, 8*min(len(writes), insertRows))
	rows, size := 0, 0
	flush := func() error {
		if rows == 0 {
			return nil
		}
		if _, err := w.exec(d.insertText(rows), args...); err != nil {
			return fmt.Errorf("append %d rows: %w", rows, err)
		}
		args, rows, size = args[:0], 0, 0
		return nil
	}
	created := d.dialect.EncodeTime(w.now)
	for i := range writes {
		wr, e := &writes[i], &entries[i]
		if rows == insertRows || (rows > 0 && size+len(wr.Value) > insertBytes) {
			if err := flush(); err != nil {
				return err
			}
		}
		var item any = wr.Value
		if wr.Delete {
			item = nil
		} else if wr.Value == nil {
			item = []byte{}
		}
		args = append(args, e.Sequence, e.Key, item, e.Deleted, created, e.Version, e.Author, e.Comment)
		rows++
		size += len(wr.Value)
	}
	if n := len(writes); n > 0 {
		last := entries[n-1]
		last.Value = writes[n-1].Value
		w.last = &last
	}
	return flush()
}

// insertText builds the multi-row INSERT for n rows.
func (d *Dict) insertText(n int) string {
	var b strings.Builder
	b.WriteString(d.q.Insert)
	p := 1
	for r := range n {
		if r > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('(')
		for c := range 8 {
			if c > 0 {
				b.WriteByte(',')
			}
			b.WriteString(d.dialect.Placeholder(p))
			p++
		}
		b.WriteByte(')')
	}
	return b.String()
}

// pruneWritten removes the older rows of every key the commit wrote and
// moves the horizon to the commit's first row: snapshots before it may need
// a removed row.
func (d *Dict) pruneWritten(w *wtx, entries []Entry) error {
	first := map[string]int64{}
	for _, e := range entries {
		if _, ok := first[e.Key]; !ok {
			first[e.Key] = e.Sequence
		}
	}
	last := map[string]int64{}
	for _, e := range entries {
		last[e.Key] = e.Sequence
	}
	for key, seq := range last {
		res, err := w.exec(d.q.PruneKey, key, seq)
		if err != nil {
			return fmt.Errorf("prune %q: %w", key, err)
		}
		if n, _ := res.RowsAffected(); n > 0 || seq != first[key] {
			w.horizon = max(w.horizon, seq)
		}
	}
	return nil
}
