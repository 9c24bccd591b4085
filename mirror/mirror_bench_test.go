package mirror_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/sqldict/sqldict/mirror"
	"github.com/sqldict/sqldict/sqldict"
	"github.com/sqldict/sqldict/sqldict/sqldicttest"
)

// BenchmarkGet: a mirror's Get of a 100-byte value among 10 000 keys,
// beside the baselines of the same run: a plain map read under an
// RWMutex (the floor), and Dict.Get on SQLite (what the mirror saves).
//
//	go test -run '^$' -bench Get -benchmem -count 3 ./mirror/
func BenchmarkGet(b *testing.B) {
	ctx := context.Background()
	d := sqldicttest.OpenSQLite(&testing.T{}, sqldict.Options{})
	b.Cleanup(func() { d.Close() })
	const n = 10_000
	ws := make([]sqldict.Write, n)
	plain := map[string][]byte{}
	for i := range ws {
		k := fmt.Sprintf("cfg/%05d", i)
		ws[i] = sqldict.Write{Key: k, Value: make([]byte, 100)}
		plain[k] = ws[i].Value
	}
	if _, err := d.Commit(ctx, ws...); err != nil {
		b.Fatal(err)
	}
	m, err := mirror.Start(ctx, d, sqldict.Range{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { m.Close() })
	key := func(i int) string { return ws[i%n].Key }

	b.Run("mirror", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			if _, ok := m.Get(key(i)); !ok {
				b.Fatal("missing")
			}
		}
	})
	b.Run("mirror-parallel", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			for i := 0; pb.Next(); i++ {
				if _, ok := m.Get(key(i)); !ok {
					b.Fatal("missing")
				}
			}
		})
	})
	b.Run("baseline-map", func(b *testing.B) {
		var mu sync.RWMutex
		for i := 0; b.Loop(); i++ {
			mu.RLock()
			v, ok := plain[key(i)]
			mu.RUnlock()
			if !ok || len(v) != 100 {
				b.Fatal("missing")
			}
		}
	})
	b.Run("baseline-dict", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			if _, err := d.Get(ctx, key(i)); err != nil {
				b.Fatal(err)
			}
		}
	})
}
