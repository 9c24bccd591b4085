package prune_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/sqldict/sqldict/dialects/sqlite"
	"github.com/sqldict/sqldict/prune"
	"github.com/sqldict/sqldict/sqldict"
)

// Benchmark journals: benchRows rows over benchKeys keys (benchRows /
// benchKeys versions each, 64-byte values), generated in SQL: building them
// through Commit would take minutes.
const (
	benchRows = 1_000_000
	benchKeys = 10_000
)

var fixtures sync.Map // "mode" → *fixture

type fixture struct {
	once sync.Once
	path string
	err  error
}

// benchFixture returns the path of a journal file built once per process;
// vacuum is the SQLite auto_vacuum mode it is created with.
func benchFixture(b *testing.B, vacuum string) string {
	b.Helper()
	f, _ := fixtures.LoadOrStore(vacuum, &fixture{})
	fx := f.(*fixture)
	fx.once.Do(func() {
		dir, err := os.MkdirTemp("", "sqldict-bench-")
		if err != nil {
			fx.err = err
			return
		}
		fx.path = filepath.Join(dir, "fixture.db")
		fx.err = buildFixture(fx.path, vacuum)
	})
	if fx.err != nil {
		b.Fatal(fx.err)
	}
	return fx.path
}

func buildFixture(path, vacuum string) error {
	ctx := context.Background()
	d, err := sqldict.OpenURL(ctx, "sqlite:"+path+"?_auto_vacuum="+vacuum, sqldict.Options{})
	if err != nil {
		return err
	}
	defer d.Close()
	created := (&sqlite.Dialect{}).EncodeTime(time.Now().UTC().Truncate(time.Microsecond))
	_, err = d.DB().ExecContext(ctx, `WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < ?1) `+
		`INSERT INTO sqldict (sequence_number, label, item, is_deleted, created, version, author, comment) `+
		`SELECT n, printf('key%06d', (n - 1) % ?2), randomblob(64), 0, ?3, (n - 1) / ?2 + 1, '', '' FROM s`,
		benchRows, benchKeys, created)
	if err != nil {
		return fmt.Errorf("build fixture: %w", err)
	}
	_, err = d.DB().ExecContext(ctx, `INSERT INTO sqldict_head (label, sequence_number, version, is_deleted) `+
		`SELECT label, MAX(sequence_number), MAX(version), 0 FROM sqldict GROUP BY label`)
	if err != nil {
		return fmt.Errorf("build fixture head: %w", err)
	}
	_, err = d.DB().ExecContext(ctx, `UPDATE sqldict_meta SET last_seq = ?1, last_created = ?2`, benchRows, created)
	if err != nil {
		return err
	}
	return d.Reclaim(ctx, false) // checkpoint: copies then need only the main file
}

// openCopy copies the fixture into the benchmark's temp dir and opens it.
func openCopy(b *testing.B, vacuum string) (*sqldict.Dict, string) {
	b.Helper()
	src := benchFixture(b, vacuum)
	dst := filepath.Join(b.TempDir(), "bench.db")
	in, err := os.Open(src)
	if err != nil {
		b.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		b.Fatal(err)
	}
	if err := out.Close(); err != nil {
		b.Fatal(err)
	}
	d, err := sqldict.OpenURL(context.Background(), "sqlite:"+dst, sqldict.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { d.Close() })
	return d, dst
}

func fileSize(b *testing.B, path string) int64 {
	b.Helper()
	var total int64
	for _, p := range []string{path, path + "-wal"} {
		st, err := os.Stat(p)
		if err == nil {
			total += st.Size()
		}
	}
	return total
}

// BenchmarkCompact measures compaction of benchRows rows down to each key's
// newest version, batch by batch.
func BenchmarkCompact(b *testing.B) {
	for _, batch := range []int{prune.DefaultBatchSize, 1000, 10000} {
		b.Run(fmt.Sprintf("rows=%d/batch=%d", benchRows, batch), func(b *testing.B) {
			b.ReportAllocs()
			var removed int64
			var took time.Duration
			for range b.N {
				b.StopTimer()
				d, _ := openCopy(b, "none")
				b.StartTimer()
				start := time.Now()
				res, err := prune.Compact(context.Background(), d, prune.Policy{KeepVersions: 1, BatchSize: batch, Reclaim: prune.ReclaimNone})
				took += time.Since(start)
				if err != nil {
					b.Fatal(err)
				}
				if res.Removed != benchRows-benchKeys {
					b.Fatalf("removed %d rows, want %d", res.Removed, benchRows-benchKeys)
				}
				removed += res.Removed
				b.StopTimer()
				d.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(removed)/took.Seconds(), "rows/s")
		})
	}
}

// BenchmarkCommitLatency measures single-key commits alone and while a
// compaction of benchRows rows runs, from the compactor's Dict (writers of
// one process) and from a Dict of their own (as another process would).
func BenchmarkCommitLatency(b *testing.B) {
	cases := []struct {
		name    string
		compact bool
		ownDict bool
		batch   int
	}{
		{name: "idle"},
		{name: fmt.Sprintf("compacting/batch=%d", prune.DefaultBatchSize), compact: true, batch: prune.DefaultBatchSize},
		{name: "compacting/batch=1000", compact: true, batch: 1000},
		{name: "compacting/batch=10000", compact: true, batch: 10000},
		{name: fmt.Sprintf("compacting-other-dict/batch=%d", prune.DefaultBatchSize), compact: true, ownDict: true, batch: prune.DefaultBatchSize},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			d, path := openCopy(b, "none")
			w := d
			if tc.ownDict {
				var err error
				w, err = sqldict.OpenURL(ctx, "sqlite:"+path, sqldict.Options{})
				if err != nil {
					b.Fatal(err)
				}
				defer w.Close()
			}
			done := make(chan struct{})
			var compacted int64
			var compactStart time.Time
			if tc.compact {
				compactStart = time.Now()
				go func() {
					defer close(done)
					res, _ := prune.Compact(ctx, d, prune.Policy{KeepVersions: 1, BatchSize: tc.batch, Reclaim: prune.ReclaimNone})
					compacted = res.Removed
				}()
				time.Sleep(50 * time.Millisecond) // let it get going
			} else {
				close(done)
			}
			lat := make([]time.Duration, 0, b.N)
			during := 0
			b.ResetTimer()
			for i := range b.N {
				start := time.Now()
				if err := w.Set(ctx, fmt.Sprintf("writer%03d", i%100), []byte("value")); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(start))
				select {
				case <-done:
				default:
					during++
				}
			}
			b.StopTimer()
			cancel()
			<-done
			if tc.compact {
				// The compactor's rate while it shared the lock with the writer.
				b.ReportMetric(float64(compacted)/time.Since(compactStart).Seconds(), "compact-rows/s")
			}
			slices.Sort(lat)
			b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
			b.ReportMetric(ms(lat[len(lat)*99/100]), "p99-ms")
			b.ReportMetric(ms(lat[len(lat)-1]), "max-ms")
			if tc.compact {
				b.ReportMetric(float64(during)/float64(len(lat)), "frac-during")
			}
		})
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// BenchmarkFileSize reports the database file (and WAL) size before and
// after compacting benchRows rows to each key's newest version, per way of
// reclaiming space.
func BenchmarkFileSize(b *testing.B) {
	cases := []struct {
		name, vacuum string
		reclaim      prune.Reclaim
	}{
		{"auto_vacuum=none/ReclaimAuto", "none", prune.ReclaimAuto},
		{"auto_vacuum=incremental/ReclaimAuto", "incremental", prune.ReclaimAuto},
		{"auto_vacuum=none/ReclaimFull", "none", prune.ReclaimFull},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			var before, after int64
			for range b.N {
				b.StopTimer()
				d, path := openCopy(b, tc.vacuum)
				before = fileSize(b, path)
				b.StartTimer()
				if _, err := prune.Compact(context.Background(), d, prune.Policy{KeepVersions: 1, Reclaim: tc.reclaim}); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				after = fileSize(b, path)
				d.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(before), "bytes-before")
			b.ReportMetric(float64(after), "bytes-after")
		})
	}
}
