package sqldict

import (
	"context"
	"fmt"
	"testing"

	"github.com/sqldict/sqldict/dialects"
)

// TestListing_EarlyWeighsTheRange checks the plan choice at an early point
// (issue 27): the early plan reads every row up to the point whatever the
// range, so a range or limit narrow enough must take the walk instead.
// SQLite has no early plan; the test lends it a marker text for one, and
// the head-span count PostgreSQL has, and asks which text listing picks.
func TestListing_EarlyWeighsTheRange(t *testing.T) {
	ctx := context.Background()
	d := openTemp(t)
	// 1000 keys (the point, sequence 1000), rewritten twice after it: 1000
	// rows up to the point, 1000 live keys, 2000 rows after.
	const keys, point = 1000, 1000
	ws := make([]Write, keys)
	for range 3 {
		for i := range ws {
			ws[i] = Write{Key: fmt.Sprintf("k/%04d", i), Value: []byte("v")}
		}
		if _, err := d.Commit(ctx, ws...); err != nil {
			t.Fatal(err)
		}
	}
	const early = "-- early"
	d.q.KeysEarly, d.q.CountEarly, d.q.EntriesEarly = early, early, early
	d.q.HeadSpan = `SELECT COUNT(*) FROM (SELECT 1 FROM ` + dialects.HeadTable(d.opts.Table) +
		` WHERE label >= ?1 AND label < ?2 AND label > ?3 LIMIT ?4)`
	for _, c := range []struct {
		name      string
		rg        Range
		wantEarly bool
	}{
		{"every key", Range{}, true},
		{"prefix of 100 keys", Range{Prefix: "k/00"}, false},
		{"prefix of every key", Range{Prefix: "k/"}, true},
		{"after the 900th key", Range{After: "k/0899"}, false},
		{"from the 100th key", Range{From: "k/0100"}, true},
		{"limit 100", Range{Limit: 100}, false},
		{"limit 500", Range{Limit: 500}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := d.at(point)
			from, until, after, err := r.bounds(c.rg)
			if err != nil {
				t.Fatal(err)
			}
			l, err := r.listing(ctx, span{from, until, after, int64(c.rg.Limit)})
			if err != nil {
				t.Fatal(err)
			}
			if got := l.keys == early; got != c.wantEarly {
				t.Errorf("early plan: got %v, want %v (text %q)", got, c.wantEarly, l.keys)
			}
		})
	}
}
