package server_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sqldict/sqldict/client"
	"github.com/sqldict/sqldict/server"
	"github.com/sqldict/sqldict/sqldict"
	"github.com/sqldict/sqldict/sqldict/sqldicttest"
)

// BenchmarkServe: 1, 16 and 64 concurrent clients doing PUT (each a new
// version of one of 1000 keys) and GET, over HTTP (package client to an
// in-process server on a loopback socket) and directly on the Dict, in the
// same run. It reports ops/s and the p99 latency. MariaDB and PostgreSQL run
// when SQLDICT_TEST_MYSQL_DSN / SQLDICT_TEST_POSTGRES_DSN are set.
//
//	go test -run '^$' -bench BenchmarkServe -benchtime 2000x -count 3 ./server/
func BenchmarkServe(b *testing.B) {
	engines := []struct{ name, url string }{{"sqlite", ""}}
	for _, e := range []struct{ name, env string }{{"mariadb", "SQLDICT_TEST_MYSQL_DSN"}, {"postgres", "SQLDICT_TEST_POSTGRES_DSN"}} {
		if u := os.Getenv(e.env); u != "" {
			engines = append(engines, struct{ name, url string }{e.name, u})
		} else {
			b.Logf("%s not set: no %s benchmarks", e.env, e.name)
		}
	}
	for _, eng := range engines {
		b.Run("engine="+eng.name, func(b *testing.B) {
			url := eng.url
			if url == "" {
				url = "sqlite:" + filepath.Join(b.TempDir(), "bench.db")
			}
			ctx := context.Background()
			table := sqldicttest.UniqueTable()
			d, err := sqldict.OpenURL(ctx, url, sqldict.Options{Table: table})
			if err != nil {
				b.Fatal(err)
			}
			// 64 concurrent clients on a pool keeping 16 idle connections
			// would open and close connections all the time, both
			// directly and through the server; "sqldict serve" raises the
			// limit the same way.
			d.DB().SetMaxIdleConns(serveIdleConns)
			b.Cleanup(func() {
				if d.Dialect().Name() != "sqlite" {
					_ = d.Drop(ctx) // the journal and all it created; closes d
				}
				d.Close()
			})
			srv, err := server.New(server.Config{Tables: map[string]*sqldict.Dict{table: d}, Logger: slog.New(slog.DiscardHandler)})
			if err != nil {
				b.Fatal(err)
			}
			ts := httptest.NewServer(srv)
			b.Cleanup(ts.Close)
			c, err := client.New(ts.URL, client.Options{Table: table})
			if err != nil {
				b.Fatal(err)
			}
			var ws []sqldict.Write
			for i := range 1000 {
				ws = append(ws, sqldict.Write{Key: fmt.Sprintf("key%04d", i), Value: []byte("initial")})
			}
			if _, err := d.Commit(ctx, ws...); err != nil {
				b.Fatal(err)
			}
			for _, op := range []string{"put", "get"} {
				for _, clients := range []int{1, 16, 64} {
					for _, via := range []string{"direct", "http"} {
						var s sqldict.Store = d
						if via == "http" {
							s = c
						}
						b.Run(fmt.Sprintf("op=%s/clients=%d/via=%s", op, clients, via), func(b *testing.B) {
							runClients(b, clients, func(i int) error {
								key := fmt.Sprintf("key%04d", i%1000)
								if op == "put" {
									return s.Set(ctx, key, []byte("value of "+key))
								}
								_, err := s.Get(ctx, key)
								return err
							})
						})
					}
				}
			}
		})
	}
}

// serveIdleConns is the idle connections a served pool keeps (what the
// serve verb sets).
const serveIdleConns = 128

// runClients runs b.N calls of fn spread over n goroutines and reports
// ops/s and the p99 latency in milliseconds.
func runClients(b *testing.B, n int, fn func(i int) error) {
	var next atomic.Int64
	lat := make([][]time.Duration, n)
	var wg sync.WaitGroup
	var failed atomic.Value
	b.ResetTimer()
	start := time.Now()
	for g := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= int64(b.N) {
					return
				}
				t0 := time.Now()
				if err := fn(int(i)); err != nil {
					failed.Store(err)
					return
				}
				lat[g] = append(lat[g], time.Since(t0))
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if err, ok := failed.Load().(error); ok {
		b.Fatal(err)
	}
	all := slices.Concat(lat...)
	slices.Sort(all)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "ops/s")
	if len(all) > 0 {
		b.ReportMetric(float64(all[len(all)*99/100].Microseconds())/1000, "p99-ms")
	}
}
