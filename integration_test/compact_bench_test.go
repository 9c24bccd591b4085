package integration_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/sqldict/sqldict/prune"
	"github.com/sqldict/sqldict/sqldict"
)

// BenchmarkCompact measures prune.Compact's rate on the servers: a journal
// of 1 000 keys × 50 versions compacted to the newest version of each key
// (49 000 rows removed per op), default batch size. Run with a fixed count:
//
//	go test -run '^$' -bench Compact -benchtime 3x ./
func BenchmarkCompact(b *testing.B) {
	const keys, depth = 1000, 50
	ctx := context.Background()
	for _, e := range engines {
		b.Run("engine="+e.name, func(b *testing.B) {
			b.ReportAllocs()
			var removed int64
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				d := e.Open(b, "", sqldict.Options{})
				ws := make([]sqldict.Write, keys)
				for v := range depth {
					for k := range ws {
						ws[k] = sqldict.Write{Key: fmt.Sprintf("k%04d", k), Value: fmt.Appendf(nil, "value %d of key %d, some sixty-four bytes long........", v, k)}
					}
					if _, err := d.Commit(ctx, ws...); err != nil {
						b.Fatal(err)
					}
				}
				b.StartTimer()
				res, err := prune.Compact(ctx, d, prune.Policy{KeepVersions: 1})
				if err != nil {
					b.Fatal(err)
				}
				if res.Removed != keys*(depth-1) {
					b.Fatalf("removed %d rows, want %d", res.Removed, keys*(depth-1))
				}
				removed += res.Removed
			}
			b.ReportMetric(float64(removed)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
