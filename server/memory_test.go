package server_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sqldict/sqldict/server"
	"github.com/sqldict/sqldict/sqldict"
)

// The memory tests measure the heap of the process, which holds both the
// server and its in-process clients; the clients read by streaming, so what
// grows is the server.

const heapMetric = "/memory/classes/heap/objects:bytes"

// heapBytes is the heap's objects, live and not yet swept.
func heapBytes() int64 {
	s := []metrics.Sample{{Name: heapMetric}}
	metrics.Read(s)
	return int64(s[0].Value.Uint64())
}

// peakHeap samples the heap every 100µs while fn runs, collecting at 10%
// growth, and returns the largest growth over the heap after a collection
// before it.
func peakHeap(t *testing.T, fn func()) int64 {
	t.Helper()
	// A low GC percent keeps the garbage of streaming from hiding what
	// is held: the heap then stays near what is live.
	defer debug.SetGCPercent(debug.SetGCPercent(10))
	runtime.GC()
	base := heapBytes()
	var peak atomic.Int64
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		for {
			peak.Store(max(peak.Load(), heapBytes()))
			select {
			case <-done:
				return
			case <-time.After(100 * time.Microsecond):
			}
		}
	}()
	fn()
	close(done)
	<-stopped
	return max(peak.Load(), heapBytes()) - base
}

// memDict is a fresh SQLite journal "t" holding n versions of "big", each
// of size bytes.
func memDict(t *testing.T, n, size int) *sqldict.Dict {
	t.Helper()
	ctx := context.Background()
	d, err := sqldict.OpenURL(ctx, "sqlite:"+filepath.Join(t.TempDir(), "mem.db"), sqldict.Options{Table: "t"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	v := bytes.Repeat([]byte{'x'}, size)
	for i := range n {
		v[0] = byte('a' + i%26)
		if _, err := d.Commit(ctx, sqldict.Write{Key: "big", Value: v}); err != nil {
			t.Fatal(err)
		}
	}
	return d
}

const mib = 1 << 20

// TestMemory_History: reading a 48 MiB history (12 versions of 4 MiB)
// over HTTP raises the heap by less than the history's own size (16 MiB
// measured); reading it whole, as the route did before it streamed, took
// several times the history: the entries, their base64, their JSON. The UI's
// key page holds the versions it shows, not the history.
func TestMemory_History(t *testing.T) {
	const n, size = 12, 4 * mib
	d := memDict(t, n, size)
	ts := httptest.NewServer(uiServer(t, d, ""))
	defer ts.Close()
	for _, target := range []string{"/v1/t/history/big", "/v1/t/history/big?limit=100", "/ui/t/key?key=big&limit=3"} {
		var got int64
		grew := peakHeap(t, func() {
			resp, err := http.Get(ts.URL + target)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if got, err = io.Copy(io.Discard, resp.Body); err != nil || resp.StatusCode != 200 {
				t.Fatalf("%s: %d %v", target, resp.StatusCode, err)
			}
		})
		t.Logf("%s: %d MiB answered, heap grew %d MiB", target, got/mib, grew/mib)
		if target != "/ui/t/key?key=big&limit=3" && got < n*size {
			t.Fatalf("%s: %d bytes answered, want the whole history", target, got)
		}
		bound := int64(n * size)
		if target == "/ui/t/key?key=big&limit=3" {
			// The page renders the versions it shows, values and diffs:
			// some ten times each of the 3+1 it reads, not the history.
			bound = 4 * size * 10
		}
		if grew > bound {
			t.Fatalf("%s: the heap grew %d MiB reading a %d MiB history, bound %d MiB", target, grew/mib, n*size/mib, bound/mib)
		}
	}
}

// TestMemory_StalledWatchers: four watch streams whose clients never read
// pin at most a bounded number of bytes each, however much was committed:
// here 20 entries of 4 MiB (80 MiB) are there when they start; a page of
// 512 rows held all of them in each stream.
func TestMemory_StalledWatchers(t *testing.T) {
	const n, size, watchers = 20, 4 * mib, 4
	d := memDict(t, n, size)
	ts := httptest.NewServer(uiServer(t, d, ""))
	defer ts.Close()
	runtime.GC()
	base := heapBytes()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for range watchers {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, ts.URL+"/v1/t/watch?after=0", nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close() // never read
	}
	// Each stream reads its first page and blocks on the full socket; the
	// most the heap holds after a collection, over 3 seconds, is what the
	// streams pin.
	var pinned int64
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		runtime.GC()
		pinned = max(pinned, heapBytes()-base)
	}
	bound := int64(watchers) * perWatcher(size)
	t.Logf("%d stalled watchers pin %d MiB (bound %d MiB)", watchers, pinned/mib, bound/mib)
	if pinned > bound {
		t.Fatalf("%d stalled watchers pin %d MiB, over the bound of %d MiB", watchers, pinned/mib, bound/mib)
	}
}

// perWatcher is what one stalled stream may hold: a page of PageBytes, the
// row that ends it and the driver's copy of it, the entry being sent and
// its JSON (base64: 4/3 of it).
func perWatcher(size int) int64 {
	return int64(4*mib + 4*size) // sqldict.PageBytes is 4 MiB
}

// TestMemory_InflightCap: six concurrent commits of 2 MiB values against a
// cap that fits three are three 200s and three 503 unavailable with
// Retry-After, and the refused ones write nothing.
func TestMemory_InflightCap(t *testing.T) {
	d := memDict(t, 0, 0)
	body := func(i int) []byte {
		v := bytes.Repeat([]byte{'A'}, 2*mib/3*4) // base64 of 2 MiB
		return fmt.Appendf(nil, `{"writes":[{"key":"c%d/a","value":"%s"},{"key":"c%d/b","value":"%s"}]}`, i, v, i, v)
	}
	one := int64(len(body(0)))
	s, err := server.New(server.Config{Tables: map[string]*sqldict.Dict{"t": d}, MaxInflightBytes: 3 * 2 * one})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s)
	defer ts.Close()
	results := inflightCommits(t, ts.URL, 6, body)
	codes := map[int]int{}
	for i, r := range results {
		codes[r.status]++
		_, errA := d.Get(context.Background(), fmt.Sprintf("c%d/a", i))
		_, errB := d.Get(context.Background(), fmt.Sprintf("c%d/b", i))
		switch r.status {
		case http.StatusOK:
			if errA != nil || errB != nil {
				t.Fatalf("commit %d: 200 but its keys: %v, %v", i, errA, errB)
			}
		case http.StatusServiceUnavailable:
			if r.retryAfter == "" || errA == nil || errB == nil {
				t.Fatalf("commit %d: 503 with Retry-After %q, its keys: %v, %v", i, r.retryAfter, errA, errB)
			}
		}
	}
	if codes[http.StatusOK] != 3 || codes[http.StatusServiceUnavailable] != 3 {
		t.Fatalf("statuses %v, want three 200 and three 503", codes)
	}
}

type commitResult struct {
	status     int
	retryAfter string
}

// inflightCommits sends n commits on n connections at once: each sends
// half its body and stalls, so the server holds them all in flight; those
// not refused then get the rest.
func inflightCommits(t *testing.T, base string, n int, body func(i int) []byte) []commitResult {
	t.Helper()
	addr := base[len("http://"):]
	conns := make([]net.Conn, n)
	out := make([]commitResult, n)
	for i := range n {
		c, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		conns[i] = c
		b := body(i)
		_ = c.SetWriteDeadline(time.Now().Add(5 * time.Second))
		if _, err := fmt.Fprintf(c, "POST /v1/t/commit HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", addr, len(b), b[:len(b)/2]); err != nil {
			t.Fatal(err)
		}
	}
	readers := make([]*bufio.Reader, n)
	var pending []int
	for i, c := range conns {
		readers[i] = bufio.NewReader(c)
		_ = c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
		resp, err := http.ReadResponse(readers[i], nil)
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			pending = append(pending, i) // admitted: the server waits for the rest
			continue
		}
		if err != nil {
			t.Fatalf("commit %d: %v", i, err)
		}
		resp.Body.Close()
		out[i] = commitResult{resp.StatusCode, resp.Header.Get("Retry-After")}
	}
	for _, i := range pending {
		b := body(i)
		_ = conns[i].SetDeadline(time.Now().Add(10 * time.Second))
		if _, err := conns[i].Write(b[len(b)/2:]); err != nil {
			t.Fatal(err)
		}
		resp, err := http.ReadResponse(readers[i], nil)
		if err != nil {
			t.Fatalf("commit %d: %v", i, err)
		}
		resp.Body.Close()
		out[i] = commitResult{resp.StatusCode, resp.Header.Get("Retry-After")}
	}
	return out
}
