package benchsuite

import (
	"context"
	"database/sql"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sqldict/sqldict/sqldict"
)

var setValue = []byte("a value of some thirty bytes..")

// eachEngine runs fn per engine.
func eachEngine(b *testing.B, engines []*Engine, fn func(b *testing.B, e *Engine)) {
	for _, e := range engines {
		b.Run("engine="+e.Name, func(b *testing.B) { fn(b, e) })
	}
}

// rawInsert returns the dialect's journal INSERT of n rows, and a function
// appending the arguments of row seq (key i, version v) to args.
func rawInsert(d *sqldict.Dict, n int) (string, func(args []any, seq int64, i, v int) []any) {
	dl := d.Dialect()
	q := dl.Queries(d.Table()).Insert + groups(d, n, 8)
	created := dl.EncodeTime(epoch)
	return q, func(args []any, seq int64, i, v int) []any {
		return append(args, seq, Key(i), setValue, false, created, int64(v), "", "")
	}
}

// Set writes one key per operation, cycling over 10 000 Keys: sqldict Set,
// the journal's INSERT of the same row raw (no meta lock, no head upsert),
// and the plain table's upsert.
func Set(b *testing.B, engines ...*Engine) {
	ctx := context.Background()
	eachEngine(b, engines, func(b *testing.B, e *Engine) {
		b.Run("impl=sqldict", func(b *testing.B) {
			d := e.FreshDict(b)
			loop(b, func(i int) error { return d.Set(ctx, Key(i%FixtureKeys), setValue) })
		})
		b.Run("impl=raw", func(b *testing.B) {
			d := e.FreshDict(b)
			q, row := rawInsert(d, 1)
			s := prepare(b, d, q)
			args := make([]any, 0, 8)
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				n++
				if _, err := s.ExecContext(ctx, row(args[:0], int64(n), n%FixtureKeys, n/FixtureKeys+1)...); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("impl=raw-journal", func(b *testing.B) {
			// The statements a journal write cannot do without, raw, in one
			// transaction: the row, its head row, the meta row. What sqldict
			// adds to this is its own: locking and reading the meta and head
			// rows first, and Go.
			d := e.FreshDict(b)
			q := d.Dialect().Queries(d.Table())
			ins, row := rawInsert(d, 1)
			si, sh, sm := prepare(b, d, ins), prepare(b, d, headUpsert(d, 1)), prepare(b, d, q.Advance)
			created := d.Dialect().EncodeTime(epoch)
			args := make([]any, 0, 8)
			b.ReportAllocs()
			runtime.GC()
			n := 0
			for b.Loop() {
				n++
				seq, i, v := int64(n), n%FixtureKeys, n/FixtureKeys+1
				if err := inTx(ctx, d, func(tx *sql.Tx) error {
					if _, err := tx.StmtContext(ctx, si).ExecContext(ctx, row(args[:0], seq, i, v)...); err != nil {
						return err
					}
					if _, err := tx.StmtContext(ctx, sh).ExecContext(ctx, Key(i), seq, int64(v), false); err != nil {
						return err
					}
					_, err := tx.StmtContext(ctx, sm).ExecContext(ctx, seq, created, int64(0), int64(0))
					return err
				}); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("impl=plain", func(b *testing.B) {
			d := e.FreshDict(b)
			p := PlainFor(d)
			if err := p.Ensure(ctx); err != nil {
				b.Fatal(err)
			}
			s := prepare(b, d, p.Upsert)
			loop(b, func(i int) error { _, err := s.ExecContext(ctx, Key(i%FixtureKeys), setValue); return err })
		})
	})
}

// headUpsert is the dialect's head-table upsert of n rows.
func headUpsert(d *sqldict.Dict, n int) string {
	q := d.Dialect().Queries(d.Table())
	return q.HeadUpsert + groups(d, n, 4) + q.HeadUpsertTail
}

// CommitSize is the batch of the Commit benchmark.
const CommitSize = 1000

// Commit writes CommitSize keys per operation: sqldict Commit, one
// multi-row INSERT of the same rows into the journal in a transaction, and
// a multi-row upsert into the plain table in a transaction.
func Commit(b *testing.B, engines ...*Engine) {
	ctx := context.Background()
	rows := func(b *testing.B) {
		b.ReportMetric(float64(b.N*CommitSize)/b.Elapsed().Seconds(), "rows/s")
	}
	eachEngine(b, engines, func(b *testing.B, e *Engine) {
		b.Run(fmt.Sprintf("n=%d/impl=sqldict", CommitSize), func(b *testing.B) {
			d := e.FreshDict(b)
			ws := make([]sqldict.Write, CommitSize)
			b.ReportAllocs()
			round := 0
			for b.Loop() {
				for i := range ws {
					ws[i] = sqldict.Write{Key: Key((round*CommitSize + i) % FixtureKeys), Value: setValue}
				}
				if _, err := d.Commit(ctx, ws...); err != nil {
					b.Fatal(err)
				}
				round++
			}
			rows(b)
		})
		b.Run(fmt.Sprintf("n=%d/impl=raw", CommitSize), func(b *testing.B) {
			d := e.FreshDict(b)
			q, row := rawInsert(d, CommitSize)
			s := prepare(b, d, q)
			args := make([]any, 0, 8*CommitSize)
			b.ReportAllocs()
			seq := int64(0)
			for b.Loop() {
				args = args[:0]
				for range CommitSize {
					seq++
					i := int(seq-1) % FixtureKeys
					args = row(args, seq, i, int(seq-1)/FixtureKeys+1)
				}
				if err := inTx(ctx, d, func(tx *sql.Tx) error {
					_, err := tx.StmtContext(ctx, s).ExecContext(ctx, args...)
					return err
				}); err != nil {
					b.Fatal(err)
				}
			}
			rows(b)
		})
		b.Run(fmt.Sprintf("n=%d/impl=plain", CommitSize), func(b *testing.B) {
			d := e.FreshDict(b)
			p := PlainFor(d)
			if err := p.Ensure(ctx); err != nil {
				b.Fatal(err)
			}
			s := prepare(b, d, p.multiUpsert(d, CommitSize))
			args := make([]any, 0, 2*CommitSize)
			b.ReportAllocs()
			round := 0
			for b.Loop() {
				args = args[:0]
				for i := range CommitSize {
					args = append(args, Key((round*CommitSize+i)%FixtureKeys), setValue)
				}
				if err := inTx(ctx, d, func(tx *sql.Tx) error {
					_, err := tx.StmtContext(ctx, s).ExecContext(ctx, args...)
					return err
				}); err != nil {
					b.Fatal(err)
				}
				round++
			}
			rows(b)
		})
	})
}

// Writers runs 1, 4 and 16 goroutines writing their own keys into one Dict
// (and into the plain table), one write per commit and in commits of 100:
// writers of one journal serialise on its meta row; batching amortises
// that lock. writes/s is the figure to compare; callers/batch is the mean
// number of Commit calls the Dict's group commit put in one transaction
// (Dict.GroupStats), so 1 says the writers never shared one.
func Writers(b *testing.B, engines ...*Engine) {
	ctx := context.Background()
	eachEngine(b, engines, func(b *testing.B, e *Engine) {
		for _, writers := range []int{1, 4, 16} {
			for _, batch := range []int{1, 100} {
				name := fmt.Sprintf("writers=%d/batch=%d", writers, batch)
				b.Run(name+"/impl=sqldict", func(b *testing.B) {
					d := e.FreshDict(b)
					Parallel(b, writers, batch, func(w, i int) error {
						ws := make([]sqldict.Write, batch)
						for j := range ws {
							ws[j] = sqldict.Write{Key: Key(w*FixtureKeys + (i*batch+j)%FixtureKeys), Value: setValue}
						}
						_, err := d.Commit(ctx, ws...)
						return err
					})
					if st := d.GroupStats(); st.Batches > 0 {
						b.ReportMetric(float64(st.Callers)/float64(st.Batches), "callers/batch")
					}
				})
				b.Run(name+"/impl=plain", func(b *testing.B) {
					d := e.FreshDict(b)
					p := PlainFor(d)
					if err := p.Ensure(ctx); err != nil {
						b.Fatal(err)
					}
					s := prepare(b, d, p.Upsert)
					Parallel(b, writers, batch, func(w, i int) error {
						return inTx(ctx, d, func(tx *sql.Tx) error {
							ts := tx.StmtContext(ctx, s)
							for j := range batch {
								if _, err := ts.ExecContext(ctx, Key(w*FixtureKeys+(i*batch+j)%FixtureKeys), setValue); err != nil {
									return err
								}
							}
							return nil
						})
					})
				})
			}
		}
	})
}

// Parallel shares b.N commits among writers goroutines; writer w's i-th
// commit calls fn(w, i). It reports writes per second.
func Parallel(b *testing.B, writers, batch int, fn func(w, i int) error) {
	b.ReportAllocs()
	runtime.GC()
	var next atomic.Int64
	var failed atomic.Pointer[error]
	b.ResetTimer()
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := 0; ; i++ {
				if next.Add(1) > int64(b.N) || failed.Load() != nil {
					return
				}
				if err := fn(w, i); err != nil {
					failed.Store(&err)
					return
				}
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	if err := failed.Load(); err != nil {
		b.Fatal(*err)
	}
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "writes/s")
}

// inTx runs fn in a transaction of d's pool and commits it.
func inTx(ctx context.Context, d *sqldict.Dict, fn func(tx *sql.Tx) error) error {
	tx, err := d.DB().BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// epoch is the created time of the raw baselines' rows.
var epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// groups is n groups of cols placeholders, "(?,?),(?,?)", numbered on.
func groups(d *sqldict.Dict, n, cols int) string {
	var q strings.Builder
	p := 1
	for r := range n {
		if r > 0 {
			q.WriteByte(',')
		}
		q.WriteByte('(')
		for c := range cols {
			if c > 0 {
				q.WriteByte(',')
			}
			q.WriteString(d.Dialect().Placeholder(p))
			p++
		}
		q.WriteByte(')')
	}
	return q.String()
}
