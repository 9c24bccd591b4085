package sqldict_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sqldict/sqldict/sqldict"
)

// BenchmarkSQLiteCache: random Gets from 16 goroutines on a 20 000-key
// journal of 1 KiB values (about 30 MiB on disk) with SQLite page caches
// of 2, 8 and 64 MiB a connection, and the process's resident memory
// after each (the caches are C memory, outside Go's heap).
//
//	go test -run '^$' -bench BenchmarkSQLiteCache -benchmem ./sqldict/
func BenchmarkSQLiteCache(b *testing.B) {
	ctx := context.Background()
	file := filepath.Join(b.TempDir(), "cache.db")
	d, err := sqldict.OpenURL(ctx, "sqlite:"+file, sqldict.Options{})
	if err != nil {
		b.Fatal(err)
	}
	const keys = 20000
	v := []byte(strings.Repeat("v", 1024))
	for i := 0; i < keys; i += 500 {
		ws := make([]sqldict.Write, 500)
		for j := range ws {
			ws[j] = sqldict.Write{Key: fmt.Sprintf("k%06d", i+j), Value: v}
		}
		if _, err := d.Commit(ctx, ws...); err != nil {
			b.Fatal(err)
		}
	}
	d.Close()
	for _, kib := range []int{2048, 8192, 65536} {
		b.Run(fmt.Sprintf("cache=%dMiB", kib/1024), func(b *testing.B) {
			d, err := sqldict.OpenURL(ctx, fmt.Sprintf("sqlite:%s?_cache_size=-%d", file, kib), sqldict.Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer d.Close()
			b.SetParallelism(8)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := d.Get(ctx, fmt.Sprintf("k%06d", rand.IntN(keys))); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(rssKiB())/1024, "rss-MiB")
		})
	}
}

// rssKiB is the process's resident memory.
func rssKiB() int {
	status, _ := os.ReadFile("/proc/self/status")
	for line := range strings.SplitSeq(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			var n int
			fmt.Sscan(rest, &n)
			return n
		}
	}
	return 0
}
