package benchsuite

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"runtime"
	"strings"
	"testing"

	"github.com/sqldict/sqldict/snapshot"
	"github.com/sqldict/sqldict/sqldict"
)

// Depths are the history depths of the read benchmarks.
var Depths = []int{1, 10, 100}

// eachDepth runs fn per engine and depth on the 10 000-key fixtures. The
// fixture is built inside the depth's sub-benchmark, so that -bench
// '…/depth=1$' does not build the 1M-row one it will not run.
func eachDepth(b *testing.B, engines []*Engine, fn func(b *testing.B, f Fixture)) {
	for _, e := range engines {
		b.Run("engine="+e.Name, func(b *testing.B) {
			for _, depth := range Depths {
				b.Run(fmt.Sprintf("depth=%d", depth), func(b *testing.B) {
					fn(b, e.Fixture(b, FixtureKeys, depth, true))
				})
			}
		})
	}
}

// prepare prepares q on d's pool for a raw baseline.
func prepare(b *testing.B, d *sqldict.Dict, q string) *sql.Stmt {
	b.Helper()
	s, err := d.DB().Prepare(q)
	if err != nil {
		b.Fatalf("prepare %q: %v", q, err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// loop runs fn b.N times with keys spread over the key space. It starts
// from a collected heap, so that a benchmark does not pay for the garbage of
// the one before it (the sqldict variant runs first in each group).
func loop(b *testing.B, fn func(i int) error) {
	b.ReportAllocs()
	runtime.GC()
	i := 0
	for b.Loop() {
		if err := fn(i); err != nil {
			b.Fatal(err)
		}
		i += 7919
	}
}

// Get reads one key: sqldict Get, the dialect's Latest query raw, and the
// plain table's point SELECT.
func Get(b *testing.B, engines ...*Engine) {
	ctx := context.Background()
	eachDepth(b, engines, func(b *testing.B, f Fixture) {
		d := f.D
		b.Run("impl=sqldict", func(b *testing.B) {
			loop(b, func(i int) error { _, err := d.Get(ctx, Key(i%f.Keys)); return err })
		})
		b.Run("impl=raw", func(b *testing.B) {
			s := prepare(b, d, d.Dialect().Queries(d.Table()).Latest)
			loop(b, func(i int) error {
				var item []byte
				var deleted bool
				return s.QueryRowContext(ctx, Key(i%f.Keys)).Scan(&item, &deleted)
			})
		})
		b.Run("impl=plain", func(b *testing.B) {
			s := prepare(b, d, PlainFor(d).Get)
			loop(b, func(i int) error {
				var v []byte
				return s.QueryRowContext(ctx, Key(i%f.Keys)).Scan(&v)
			})
		})
	})
}

// maxKey is the upper bound sqldict passes when a listing has none.
func maxKey(d *sqldict.Dict) string { return strings.Repeat("\U0010FFFF", d.Options().KeyLength/4+1) }

// scanKeys reads every row of rows as one string column.
func scanKeys(rows *sql.Rows, err error) (int, error) {
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var keys []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return 0, err
		}
		keys = append(keys, k)
	}
	return len(keys), rows.Err()
}

// Keys lists every key: sqldict Keys, the dialect's HeadKeys raw, and the
// plain table's ordered SELECT.
func Keys(b *testing.B, engines ...*Engine) {
	ctx := context.Background()
	eachDepth(b, engines, func(b *testing.B, f Fixture) {
		d := f.D
		want := func(n int, err error) error {
			if err == nil && n != f.Keys {
				err = fmt.Errorf("%d keys, want %d", n, f.Keys)
			}
			return err
		}
		b.Run("impl=sqldict", func(b *testing.B) {
			loop(b, func(int) error { ks, err := d.Keys(ctx); return want(len(ks), err) })
		})
		b.Run("impl=raw", func(b *testing.B) {
			s := prepare(b, d, d.Dialect().Queries(d.Table()).HeadKeys)
			loop(b, func(int) error {
				return want(scanKeys(s.QueryContext(ctx, "", maxKey(d), "", int64(math.MaxInt64))))
			})
		})
		b.Run("impl=plain", func(b *testing.B) {
			s := prepare(b, d, PlainFor(d).Keys)
			loop(b, func(int) error { return want(scanKeys(s.QueryContext(ctx))) })
		})
	})
}

// Len counts the Keys: sqldict Len, HeadCount raw, the plain COUNT(*).
func Len(b *testing.B, engines ...*Engine) {
	ctx := context.Background()
	eachDepth(b, engines, func(b *testing.B, f Fixture) {
		d := f.D
		want := func(n int, err error) error {
			if err == nil && n != f.Keys {
				err = fmt.Errorf("Len %d, want %d", n, f.Keys)
			}
			return err
		}
		b.Run("impl=sqldict", func(b *testing.B) {
			loop(b, func(int) error { return want(d.Len(ctx)) })
		})
		b.Run("impl=raw", func(b *testing.B) {
			s := prepare(b, d, d.Dialect().Queries(d.Table()).HeadCount)
			loop(b, func(int) error {
				var n int
				err := s.QueryRowContext(ctx, "", maxKey(d), "").Scan(&n)
				return want(n, err)
			})
		})
		b.Run("impl=plain", func(b *testing.B) {
			s := prepare(b, d, PlainFor(d).Count)
			loop(b, func(int) error {
				var n int
				err := s.QueryRowContext(ctx).Scan(&n)
				return want(n, err)
			})
		})
	})
}

// points are the sequences views are read at: old, the end of the first
// round (every key of a deeper fixture was rewritten after it), and recent,
// the end of the last round (only the tail commits followed it).
func points(f Fixture) []struct {
	name string
	seq  int64
} {
	return []struct {
		name string
		seq  int64
	}{{"old", f.Round(1)}, {"recent", f.Round(f.Depth)}}
}

// ViewGet reads one key of a view (snapshot.At) and the dialect's LatestAt
// raw.
func ViewGet(b *testing.B, engines ...*Engine) {
	ctx := context.Background()
	eachDepth(b, engines, func(b *testing.B, f Fixture) {
		d := f.D
		for _, p := range points(f) {
			if p.name == "old" && f.Depth == 1 {
				continue // the same point as recent
			}
			b.Run("at="+p.name, func(b *testing.B) {
				v, err := snapshot.At(ctx, d, p.seq)
				if err != nil {
					b.Fatal(err)
				}
				b.Run("impl=sqldict", func(b *testing.B) {
					loop(b, func(i int) error { _, err := v.Get(ctx, Key(i%f.Keys)); return err })
				})
				b.Run("impl=raw", func(b *testing.B) {
					s := prepare(b, d, d.Dialect().Queries(d.Table()).LatestAt)
					loop(b, func(i int) error {
						var horizon, last int64
						var item []byte
						var deleted sql.NullBool
						return s.QueryRowContext(ctx, Key(i%f.Keys), p.seq).Scan(&horizon, &last, &item, &deleted)
					})
				})
			})
		}
	})
}

// ViewKeys lists a view's keys and runs the dialect's KeysAt raw.
func ViewKeys(b *testing.B, engines ...*Engine) {
	ctx := context.Background()
	eachDepth(b, engines, func(b *testing.B, f Fixture) {
		d := f.D
		want := func(n int, err error) error {
			if err == nil && n != f.Keys {
				err = fmt.Errorf("%d keys, want %d", n, f.Keys)
			}
			return err
		}
		for _, p := range points(f) {
			if p.name == "old" && f.Depth == 1 {
				continue
			}
			b.Run("at="+p.name, func(b *testing.B) {
				v, err := snapshot.At(ctx, d, p.seq)
				if err != nil {
					b.Fatal(err)
				}
				b.Run("impl=sqldict", func(b *testing.B) {
					loop(b, func(int) error { ks, err := v.Keys(ctx); return want(len(ks), err) })
				})
				b.Run("impl=raw", func(b *testing.B) {
					s := prepare(b, d, d.Dialect().Queries(d.Table()).KeysAt)
					loop(b, func(int) error {
						return want(scanKeys(s.QueryContext(ctx, "", maxKey(d), "", p.seq, int64(math.MaxInt64))))
					})
				})
			})
		}
	})
}

// Diff compares the view before the tail commits with the head's view: ten
// changed keys at the end of a journal of 10k, 100k or 1M rows.
func Diff(b *testing.B, engines ...*Engine) {
	ctx := context.Background()
	eachDepth(b, engines, func(b *testing.B, f Fixture) {
		from, err := snapshot.At(ctx, f.D, f.Head-tailCommits)
		if err != nil {
			b.Fatal(err)
		}
		to, err := snapshot.At(ctx, f.D, f.Head)
		if err != nil {
			b.Fatal(err)
		}
		b.Run("impl=sqldict", func(b *testing.B) {
			loop(b, func(int) error {
				cs, err := snapshot.Diff(ctx, from, to)
				if err == nil && len(cs) != tailCommits {
					err = fmt.Errorf("%d changes, want %d", len(cs), tailCommits)
				}
				return err
			})
		})
	})
}
