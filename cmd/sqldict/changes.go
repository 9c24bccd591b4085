package main

import (
	"context"

	"github.com/sqldict/sqldict/snapshot"
	"github.com/sqldict/sqldict/sqldict"
)

// change is one key that differs between two points of a journal, as the
// diff verb prints it.
type change struct {
	Key    string
	Kind   string        // "added", "changed" or "deleted"
	Before sqldict.Entry // the live entry at the first point; zero when added
	After  sqldict.Entry // the live entry at the second point; zero when deleted
}

// diffPoints lists the keys whose live values differ between sequences from
// and to, in key order, through snapshot.Diff: its cost grows with the
// commits between the points, not with the size of the dict.
func diffPoints(ctx context.Context, d *sqldict.Dict, from, to int64) ([]change, error) {
	a, err := snapshot.At(ctx, d, from)
	if err != nil {
		return nil, err
	}
	b, err := snapshot.At(ctx, d, to)
	if err != nil {
		return nil, err
	}
	changes, err := snapshot.Diff(ctx, a, b)
	if err != nil {
		return nil, err
	}
	out := make([]change, 0, len(changes))
	for _, c := range changes {
		ch := change{Key: c.Key, Kind: c.Kind.String()}
		if c.Kind != snapshot.Added && c.Before != nil {
			ch.Before = *c.Before
		}
		if c.Kind != snapshot.Deleted && c.After != nil {
			ch.After = *c.After
		}
		out = append(out, ch)
	}
	return out, nil
}
