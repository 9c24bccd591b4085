package main

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/sqldict/sqldict/sqldict"
)

// change is one key that differs between two points of a journal.
type change struct {
	Key    string
	Kind   string        // "added", "changed" or "deleted"
	Before sqldict.Entry // the live entry at the first point; zero when added
	After  sqldict.Entry // the live entry at the second point; zero when deleted
}

// diffPoints lists the keys that differ between the views at sequences from
// and to (from <= to), in key order. Its cost grows with the commits between
// the two points, not with the size of the dict: it walks the log between
// them and reads the touched keys at both ends. A key rewritten with the
// value it had at from is not a change.
//
// It stands in for package snapshot's Diff until that lands; the CLI needs
// nothing from it that snapshot.Diff will not give.
func diffPoints(ctx context.Context, d *sqldict.Dict, from, to int64) ([]change, error) {
	a, err := d.Snapshot(ctx, from)
	if err != nil {
		return nil, err
	}
	b, err := d.Snapshot(ctx, to)
	if err != nil {
		return nil, err
	}
	// The newest row of each key touched in (from, to]: the state at to.
	after := map[string]sqldict.Entry{}
	for e, err := range d.Log(ctx, from, to) {
		if err != nil {
			return nil, err
		}
		after[e.Key] = e
	}
	keys := make([]string, 0, len(after))
	for k := range after {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var out []change
	for _, k := range keys {
		before, existed, err := liveAt(ctx, a, k)
		if err != nil {
			return nil, err
		}
		e := after[k]
		switch {
		case !existed && !e.Deleted:
			out = append(out, change{Key: k, Kind: "added", After: e})
		case existed && e.Deleted:
			out = append(out, change{Key: k, Kind: "deleted", Before: before})
		case existed && !e.Deleted:
			if string(before.Value) != string(e.Value) {
				out = append(out, change{Key: k, Kind: "changed", Before: before, After: e})
			}
		}
	}
	// A prune racing the walk could have removed rows the log needed.
	if _, err := b.Len(ctx); err != nil {
		return nil, err
	}
	if _, err := a.Len(ctx); err != nil {
		return nil, err
	}
	return out, nil
}

// liveAt returns the live entry of key in view s.
func liveAt(ctx context.Context, s *sqldict.Snapshot, key string) (sqldict.Entry, bool, error) {
	e, err := s.Entry(ctx, key)
	if errors.Is(err, sqldict.ErrNotFound) {
		return sqldict.Entry{}, false, nil
	}
	if err != nil {
		return sqldict.Entry{}, false, fmt.Errorf("%q at sequence %d: %w", key, s.Sequence(), err)
	}
	return e, !e.Deleted, nil
}
