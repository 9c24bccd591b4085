package benchsuite

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"testing"

	"github.com/sqldict/sqldict/snapshot"
	"github.com/sqldict/sqldict/sqldict"
)

// ScaleDepth is the versions per key of the scale fixtures (issue 27): 25,
// so that 40 000 keys make a journal of 1 000 000 rows.
const ScaleDepth = 25

// ScaleKeys are the key counts of the scale fixtures: 10 000 and 1 000 000
// rows, and 5 000 000 when SQLDICT_BENCH_SCALE_5M is set (make bench-5m).
func ScaleKeys() []int {
	keys := []int{400, 40_000}
	if os.Getenv("SQLDICT_BENCH_SCALE_5M") != "" {
		keys = append(keys, 200_000)
	}
	return keys
}

// eachScale runs fn per engine and scale fixture, named by its rows.
func eachScale(b *testing.B, engines []*Engine, fn func(b *testing.B, e *Engine, f Fixture)) {
	for _, e := range engines {
		b.Run("engine="+e.Name, func(b *testing.B) {
			for _, keys := range ScaleKeys() {
				b.Run(fmt.Sprintf("rows=%d", keys*ScaleDepth), func(b *testing.B) {
					fn(b, e, e.Fixture(b, keys, ScaleDepth, false))
				})
			}
		})
	}
}

// EarlyPoint is the point of the early listings: 6% into the journal
// (sequence 60 000 of 1 000 000), where fewer rows precede it than twice the
// live keys and many more follow.
func (f Fixture) EarlyPoint() int64 { return int64(f.Keys*ScaleDepth) * 6 / 100 }

// ScaleList lists a 100-key prefix, and the first 100 keys, through a
// snapshot at the head and at the early point: the two should cost the same.
func ScaleList(b *testing.B, engines ...*Engine) {
	ctx := context.Background()
	eachScale(b, engines, func(b *testing.B, e *Engine, f Fixture) {
		prefix := Key(f.Keys / 2)[:len(Key(0))-2] // 100 keys
		for _, p := range []struct {
			name string
			seq  int64
		}{{"head", f.Head}, {"early", f.EarlyPoint()}} {
			v, err := snapshot.At(ctx, f.D, p.seq)
			if err != nil {
				b.Fatal(err)
			}
			for _, r := range []struct {
				name string
				rg   sqldict.Range
			}{{"prefix", sqldict.Range{Prefix: prefix}}, {"limit", sqldict.Range{Limit: 100}}} {
				b.Run("at="+p.name+"/range="+r.name+"/op=keys", func(b *testing.B) {
					loop(b, func(int) error {
						ks, err := v.KeysIn(ctx, r.rg)
						if err == nil && len(ks) != 100 {
							err = fmt.Errorf("%d keys, want 100", len(ks))
						}
						return err
					})
				})
				if p.name == "early" {
					b.Run("at="+p.name+"/range="+r.name+"/op=keys/impl=early-raw", func(b *testing.B) {
						earlyRaw(b, f, r.rg, p.seq)
					})
				}
				if r.rg.Limit != 0 {
					continue
				}
				b.Run("at="+p.name+"/range="+r.name+"/op=len", func(b *testing.B) {
					loop(b, func(int) error {
						n, err := v.LenIn(ctx, r.rg)
						if err == nil && n != 100 {
							err = fmt.Errorf("%d keys, want 100", n)
						}
						return err
					})
				})
			}
		}
	})
}

// earlyRaw runs the dialect's KeysEarly on rg at seq: the plan the core
// chose for any range at an early point before issue 27, the baseline of
// op=keys there. Skipped on a dialect without it.
func earlyRaw(b *testing.B, f Fixture, rg sqldict.Range, seq int64) {
	q := f.D.Dialect().Queries(f.D.Table()).KeysEarly
	if q == "" {
		b.Skip("no early plan")
	}
	s := prepare(b, f.D, q)
	until, limit := maxKey(f.D), int64(math.MaxInt64)
	if rg.Prefix != "" {
		until = rg.Prefix + maxKey(f.D)
	}
	if rg.Limit > 0 {
		limit = int64(rg.Limit)
	}
	ctx := context.Background()
	loop(b, func(int) error {
		n, err := scanKeys(s.QueryContext(ctx, rg.Prefix, until, "", seq, limit))
		if err == nil && n != 100 {
			err = fmt.Errorf("%d keys, want 100", n)
		}
		return err
	})
}

// ScaleDiff compares the view 100 000 sequences (or the whole journal, if
// shorter) before the end of the last round with the view there.
func ScaleDiff(b *testing.B, engines ...*Engine) {
	ctx := context.Background()
	eachScale(b, engines, func(b *testing.B, e *Engine, f Fixture) {
		hi := f.Round(f.Depth)
		lo := max(0, hi-100_000)
		from, err := snapshot.At(ctx, f.D, lo)
		if err != nil {
			b.Fatal(err)
		}
		to, err := snapshot.At(ctx, f.D, hi)
		if err != nil {
			b.Fatal(err)
		}
		want := min(int(hi-lo), f.Keys)
		b.Run(fmt.Sprintf("changes=%d", hi-lo), func(b *testing.B) {
			loop(b, func(int) error {
				cs, err := snapshot.Diff(ctx, from, to)
				if err == nil && len(cs) != want {
					err = fmt.Errorf("%d changes, want %d", len(cs), want)
				}
				return err
			})
		})
		// The before-states alone: one Entry per key (Diff before issue
		// 27) against Snapshot.Entries, on the keys the diff touches.
		keys := make([]string, want)
		for i := range keys {
			keys[i] = Key(i)
		}
		b.Run(fmt.Sprintf("changes=%d/op=before/impl=per-key", hi-lo), func(b *testing.B) {
			loop(b, func(int) error {
				for _, k := range keys {
					if _, err := from.Entry(ctx, k); err != nil && !errors.Is(err, sqldict.ErrNotFound) {
						return err
					}
				}
				return nil
			})
		})
		s, err := f.D.Snapshot(ctx, lo)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("changes=%d/op=before/impl=batch", hi-lo), func(b *testing.B) {
			loop(b, func(int) error { _, err := s.Entries(ctx, keys); return err })
		})
	})
}

// ScaleImport imports the fixture's journal into a fresh one and reports
// rows/s: flat from 10 000 to 1 000 000 rows once each key's head is
// written once per import.
func ScaleImport(b *testing.B, engines ...*Engine) {
	ctx := context.Background()
	eachScale(b, engines, func(b *testing.B, e *Engine, f Fixture) {
		st, err := f.D.Stat(ctx)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		var rows int64
		for b.Loop() {
			b.StopTimer()
			table := fmt.Sprintf("bench_import_%d", os.Getpid())
			e.Drop(b, table)
			dst := e.Open(b, table, sqldict.Options{})
			b.StartTimer()
			n, err := dst.Import(ctx, st, f.D.Log(ctx, 0, st.Sequence))
			b.StopTimer()
			dst.Close()
			e.Drop(b, table)
			b.StartTimer()
			if err != nil {
				b.Fatal(err)
			}
			rows += n
		}
		b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
	})
}
