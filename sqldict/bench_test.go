package sqldict_test

// Benchmarks of the hot paths, each beside a raw database/sql baseline doing
// the equivalent statement on the same file in the same run:
//
//	go test -run '^$' -bench . -benchmem -count 6 ./sqldict/ | tee new.txt
//	benchstat new.txt
//
// Ratios in README.md are taken between a benchmark and its Raw baseline of
// the same run.

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/sqldict/sqldict/sqldict"
)

const benchKeys = 10_000

func benchKey(i int) string { return fmt.Sprintf("bench/%06d", i) }

// benchDict opens a fresh journal in a file of its own.
func benchDict(b *testing.B, opts sqldict.Options) *sqldict.Dict {
	b.Helper()
	d, err := sqldict.OpenURL(context.Background(), "sqlite:"+filepath.Join(b.TempDir(), "bench.db"), opts)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { d.Close() })
	return d
}

var (
	fixtureMu sync.Mutex
	fixtures  = map[int]string{} // depth → database file
)

// fixture returns a journal of benchKeys keys, each written depth times,
// built once per process.
func fixture(b *testing.B, depth int) *sqldict.Dict {
	b.Helper()
	ctx := context.Background()
	fixtureMu.Lock()
	defer fixtureMu.Unlock()
	path, ok := fixtures[depth]
	if !ok {
		dir, err := os.MkdirTemp("", "sqldict-bench-")
		if err != nil {
			b.Fatal(err)
		}
		path = filepath.Join(dir, fmt.Sprintf("depth%d.db", depth))
		d, err := sqldict.OpenURL(ctx, "sqlite:"+path, sqldict.Options{})
		if err != nil {
			b.Fatal(err)
		}
		ws := make([]sqldict.Write, benchKeys)
		for v := range depth {
			for i := range ws {
				ws[i] = sqldict.Write{Key: benchKey(i), Value: fmt.Appendf(nil, "value %d of %s", v, benchKey(i))}
			}
			if _, err := d.Commit(ctx, ws...); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := d.DB().ExecContext(ctx, "ANALYZE"); err != nil {
			b.Fatal(err)
		}
		d.Close()
		fixtures[depth] = path
	}
	d, err := sqldict.OpenURL(ctx, "sqlite:"+path, sqldict.Options{ReadOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { d.Close() })
	return d
}

func BenchmarkGet(b *testing.B) {
	ctx := context.Background()
	for _, depth := range []int{1, 100} {
		d := fixture(b, depth)
		b.Run(fmt.Sprintf("depth=%d/sqldict", depth), func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if _, err := d.Get(ctx, benchKey(i%benchKeys)); err != nil {
					b.Fatal(err)
				}
				i += 7919
			}
		})
		b.Run(fmt.Sprintf("depth=%d/raw", depth), func(b *testing.B) {
			b.ReportAllocs()
			stmt, err := d.DB().PrepareContext(ctx, "SELECT item, is_deleted FROM "+d.Table()+
				" WHERE label = ? ORDER BY sequence_number DESC LIMIT 1")
			if err != nil {
				b.Fatal(err)
			}
			defer stmt.Close()
			i := 0
			for b.Loop() {
				var item []byte
				var deleted bool
				if err := stmt.QueryRowContext(ctx, benchKey(i%benchKeys)).Scan(&item, &deleted); err != nil {
					b.Fatal(err)
				}
				i += 7919
			}
		})
	}
}

// rawTable creates a table shaped like the journal (same columns and
// indexes) with an INTEGER PRIMARY KEY the engine numbers: what a
// hand-rolled append-only log costs.
func rawTable(b *testing.B, db *sql.DB) string {
	b.Helper()
	for _, q := range []string{
		`CREATE TABLE raw (sequence_number INTEGER PRIMARY KEY, label TEXT NOT NULL, item BLOB, is_deleted INTEGER NOT NULL,
			created TEXT NOT NULL, version INTEGER NOT NULL, author TEXT NOT NULL, comment TEXT NOT NULL)`,
		`CREATE UNIQUE INDEX raw_label_seq ON raw (label, sequence_number, is_deleted)`,
		`CREATE UNIQUE INDEX raw_label_version ON raw (label, version)`,
		`CREATE INDEX raw_created ON raw (created, sequence_number)`,
	} {
		if _, err := db.Exec(q); err != nil {
			b.Fatal(err)
		}
	}
	return "INSERT INTO raw (label, item, is_deleted, created, version, author, comment) VALUES "
}

func BenchmarkSet(b *testing.B) {
	ctx := context.Background()
	value := []byte("a value of some thirty bytes..")
	b.Run("sqldict", func(b *testing.B) {
		d := benchDict(b, sqldict.Options{})
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if err := d.Set(ctx, benchKey(i%benchKeys), value); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("raw", func(b *testing.B) {
		d := benchDict(b, sqldict.Options{})
		stmt, err := d.DB().Prepare(rawTable(b, d.DB()) + "(?, ?, 0, ?, ?, '', '')")
		if err != nil {
			b.Fatal(err)
		}
		defer stmt.Close()
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if _, err := stmt.ExecContext(ctx, benchKey(i%benchKeys), value, "2026-01-01 00:00:00.000000", i); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}

func BenchmarkCommit1000(b *testing.B) {
	ctx := context.Background()
	const n = 1000
	value := []byte("a value of some thirty bytes..")
	b.Run("sqldict", func(b *testing.B) {
		d := benchDict(b, sqldict.Options{})
		ws := make([]sqldict.Write, n)
		b.ReportAllocs()
		round := 0
		for b.Loop() {
			for i := range ws {
				ws[i] = sqldict.Write{Key: benchKey((round*n + i) % benchKeys), Value: value}
			}
			if _, err := d.Commit(ctx, ws...); err != nil {
				b.Fatal(err)
			}
			round++
		}
		b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "rows/s")
	})
	b.Run("raw", func(b *testing.B) {
		d := benchDict(b, sqldict.Options{})
		head := rawTable(b, d.DB())
		q := head + strings.TrimSuffix(strings.Repeat("(?, ?, 0, ?, ?, '', ''),", n), ",")
		stmt, err := d.DB().Prepare(q)
		if err != nil {
			b.Fatal(err)
		}
		defer stmt.Close()
		args := make([]any, 0, 4*n)
		b.ReportAllocs()
		round := 0
		for b.Loop() {
			args = args[:0]
			for i := range n {
				args = append(args, benchKey((round*n+i)%benchKeys), value, "2026-01-01 00:00:00.000000", round)
			}
			tx, err := d.DB().BeginTx(ctx, nil)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := tx.StmtContext(ctx, stmt).ExecContext(ctx, args...); err != nil {
				b.Fatal(err)
			}
			if err := tx.Commit(); err != nil {
				b.Fatal(err)
			}
			round++
		}
		b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "rows/s")
	})
}

func BenchmarkKeys(b *testing.B) {
	ctx := context.Background()
	for _, depth := range []int{1, 100} {
		d := fixture(b, depth)
		b.Run(fmt.Sprintf("depth=%d", depth), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				keys, err := d.Keys(ctx)
				if err != nil || len(keys) != benchKeys {
					b.Fatal(len(keys), err)
				}
			}
		})
	}
}

func BenchmarkLen(b *testing.B) {
	ctx := context.Background()
	for _, depth := range []int{1, 100} {
		d := fixture(b, depth)
		b.Run(fmt.Sprintf("depth=%d", depth), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				n, err := d.Len(ctx)
				if err != nil || n != benchKeys {
					b.Fatal(n, err)
				}
			}
		})
	}
}
