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

// differ is a journal that diffs two points itself: a server's client
// (GET /diff), so the changes are computed beside the database.
type differ interface {
	Diff(ctx context.Context, from, to int64) ([]snapshot.Change, error)
}

// diffPoints lists the keys whose live values differ between sequences from
// and to, in key order, through snapshot.Diff: its cost grows with the
// commits between the points, not with the size of the dict.
func diffPoints(ctx context.Context, j journal, from, to int64) ([]change, error) {
	var changes []snapshot.Change
	var err error
	if r, ok := j.(differ); ok {
		changes, err = r.Diff(ctx, from, to)
	} else {
		changes, err = localDiff(ctx, j.(*sqldict.Dict), from, to)
	}
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

func localDiff(ctx context.Context, d *sqldict.Dict, from, to int64) ([]snapshot.Change, error) {
	a, err := snapshot.At(ctx, d, from)
	if err != nil {
		return nil, err
	}
	b, err := snapshot.At(ctx, d, to)
	if err != nil {
		return nil, err
	}
	return snapshot.Diff(ctx, a, b)
}
