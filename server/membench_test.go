package server_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sqldict/sqldict/server"
	"github.com/sqldict/sqldict/sqldict"
)

// benchServer serves a fresh SQLite journal "t" holding n versions of "k"
// of size bytes each.
func benchServer(b *testing.B, n, size int) string {
	b.Helper()
	ctx := context.Background()
	d, err := sqldict.OpenURL(ctx, "sqlite:"+filepath.Join(b.TempDir(), "bench.db"), sqldict.Options{Table: "t"})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { d.Close() })
	v := bytes.Repeat([]byte{'v'}, size)
	for i := range n {
		v[0] = byte(i)
		if _, err := d.Commit(ctx, sqldict.Write{Key: "k", Value: v}); err != nil {
			b.Fatal(err)
		}
	}
	s, err := server.New(server.Config{Tables: map[string]*sqldict.Dict{"t": d}, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	ts := httptest.NewServer(s)
	b.Cleanup(ts.Close)
	return ts.URL
}

// BenchmarkHistoryRoute: GET /v1/t/history/k of 40 versions of 256 KiB and
// of 1000 versions of 100 bytes, read whole by the client.
//
//	go test -run '^$' -bench 'HistoryRoute|WatchRoute' -benchmem ./server/
func BenchmarkHistoryRoute(b *testing.B) {
	for _, c := range []struct{ n, size int }{{40, 256 << 10}, {1000, 100}} {
		b.Run(fmt.Sprintf("versions=%d/size=%d", c.n, c.size), func(b *testing.B) {
			base := benchServer(b, c.n, c.size)
			b.ResetTimer()
			for range b.N {
				resp, err := http.Get(base + "/v1/t/history/k")
				if err != nil {
					b.Fatal(err)
				}
				if _, err := io.Copy(io.Discard, resp.Body); err != nil || resp.StatusCode != 200 {
					b.Fatal(resp.StatusCode, err)
				}
				resp.Body.Close()
			}
		})
	}
}

// BenchmarkWatchRoute: a watch stream from the start of a journal of 200
// entries of 64 KiB, read until the last event.
func BenchmarkWatchRoute(b *testing.B) {
	const n = 200
	base := benchServer(b, n, 64<<10)
	last := fmt.Sprintf("id: %d", n)
	b.ResetTimer()
	for range b.N {
		ctx, cancel := context.WithCancel(context.Background())
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/v1/t/watch?after=0", nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() && !strings.HasPrefix(sc.Text(), last) {
		}
		if sc.Err() != nil {
			b.Fatal(sc.Err())
		}
		cancel()
		resp.Body.Close()
	}
}
