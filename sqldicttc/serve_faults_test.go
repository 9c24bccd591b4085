package sqldicttc

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/testcontainers/testcontainers-go"

	serve "github.com/sqldict/sqldict/server"
	"github.com/sqldict/sqldict/sqldict"
	"github.com/sqldict/sqldict/sqldict/sqldicttest"
)

// probeTimeout bounds one request of the serve fault test. A paused
// database holds requests until it is back: the client gives up first.
const probeTimeout = 3 * time.Second

// serveWait bounds each wait of the serve fault test.
const serveWait = 90 * time.Second

// serveFaults are the faults TestServeFaults applies; kill is SIGKILL of the
// container, then a start of the same container (its data on its own disk).
var serveFaults = []fault{
	faults[0], // pause
	{"kill",
		func(t *testing.T, id, _ string) { docker(t, "kill", "--signal", "KILL", id) },
		func(t *testing.T, id, _ string) { docker(t, "start", id) }},
	faults[1], // disconnect
}

// probe is one request of every route serve answers.
type probe struct {
	method, path, body string
	db                 bool // answers from the database: 503 while it is gone
}

// probes returns a request for every route of serve on table, reading
// key k (which exists) and writing key p.
func probes(table string) []probe {
	v := "/v1/" + table + "/"
	commit := `{"writes":[{"key":"c","value":"dg=="}]}`
	return []probe{
		{"GET", "/healthz", "", true},
		{"GET", "/metrics", "", false},
		{"GET", v + "keys/k", "", true},
		{"HEAD", v + "keys/k", "", true},
		{"PUT", v + "keys/p", "v", true},
		{"DELETE", v + "keys/p", "", true},
		{"GET", v + "keys?prefix=", "", true},
		{"GET", v + "entries", "", true},
		{"GET", v + "history/k", "", true},
		{"POST", v + "commit", commit, true},
		{"GET", v + "log?after=0", "", true},
		{"GET", v + "diff?from=1&to=2", "", true},
		{"GET", v + "watch?after=0", "", true},
		{"GET", v + "stat", "", true},
		{"POST", v + "prune", `{"keep_versions":1000}`, true},
		{"GET", "/ui/", "", false},
		{"GET", "/ui/" + table + "/", "", true},
		{"GET", "/ui/" + table + "/key?key=k", "", true},
		{"GET", "/ui/" + table + "/diff?from=1&to=2", "", true},
		{"GET", "/ui/" + table + "/watch?after=0", "", true},
	}
}

// status sends p and returns the answer's status, 0 when none came within
// probeTimeout. Streams (watch, entries) are read no further than their
// status line.
func (p probe) status(t *testing.T, base string) int {
	ctx, cancel := context.WithTimeout(context.Background(), probeTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, p.method, base+p.path, strings.NewReader(p.body))
	if err != nil {
		t.Fatal(err)
	}
	if p.method == http.MethodPost && strings.HasPrefix(p.body, "{") {
		req.Header.Set("Content-Type", "application/json") // serve refuses other types (415)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		if ctx.Err() == nil {
			t.Errorf("%s %s: %v", p.method, p.path, err)
		}
		return 0
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusInternalServerError {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<10))
		t.Errorf("%s %s: 500: %s", p.method, p.path, b)
	}
	return resp.StatusCode
}

// healthy reports whether every probe answers as on a database that
// answers: 2xx, or 404 for the delete of a key already deleted.
func healthy(t *testing.T, base string, ps []probe) (bool, string) {
	for _, p := range ps {
		st := p.status(t, base)
		if (st < 200 || st > 299) && !(p.method == "DELETE" && st == http.StatusNotFound) {
			return false, fmt.Sprintf("%s %s: %d", p.method, p.path, st)
		}
	}
	return true, ""
}

// TestServeFaults runs serve (in process) over a container that is paused,
// killed with SIGKILL and started again, and cut off its network. Every
// route is asked again and again: never a 500; while the database is gone
// (killed or cut off) every route that needs it answers 503 unavailable;
// once the fault is undone every route answers again, and the time that
// took after the database answered is logged.
func TestServeFaults(t *testing.T) {
	requireDocker(t)
	for _, e := range []*engine{postgresEngine, mariaDBEngine} {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			s := &server{engine: e, image: imageOf(e)}
			t.Cleanup(s.terminate)
			// Data on the container's own disk, not tmpfs: it survives a
			// kill and start.
			onDisk := testcontainers.CustomizeRequestOption(func(req *testcontainers.GenericContainerRequest) error {
				req.Tmpfs = nil
				return nil
			})
			if err := s.startWith(fixedPort(t, e.port), onDisk); err != nil {
				t.Fatal(err)
			}
			nets, err := s.container.Networks(context.Background())
			if err != nil || len(nets) != 1 {
				t.Fatalf("networks of the container: %v, %v", nets, err)
			}
			base, table := startServe(t, s)
			for _, f := range serveFaults {
				t.Run(f.name, func(t *testing.T) {
					id := s.container.GetContainerID()
					testServeFault(t, s, base, probes(table), func() { f.apply(t, id, nets[0]) },
						func() { f.repair(t, id, nets[0]) }, f.name != "pause")
				})
			}
		})
	}
}

// startServe opens a journal on a new database of s, writes key k, and
// serves it; it returns the server's URL and the table.
func startServe(t *testing.T, s *server) (base, table string) {
	url, err := s.createDatabase(t.Name())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	d, err := sqldict.OpenURL(ctx, url, sqldict.Options{Table: sqldicttest.UniqueTable()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	for _, k := range []string{"k", "k"} {
		sqldicttest.Must(t, d.Set(ctx, k, []byte("v")))
	}
	srv, err := serve.New(serve.Config{Tables: map[string]*sqldict.Dict{d.Table(): d},
		Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return ts.URL, d.Table()
}

// testServeFault applies a fault under serve and undoes it. With gone, every
// database route must answer 503 before the repair.
func testServeFault(t *testing.T, s *server, base string, ps []probe, apply, repair func(), gone bool) {
	waitServe(t, "every route to answer before the fault", func() (bool, string) { return healthy(t, base, ps) })
	var once sync.Once
	undo := func() { once.Do(repair) }
	t.Cleanup(undo)
	w := startWriter(t, base, ps)
	apply()
	if gone {
		seen := map[string]bool{}
		waitServe(t, "503 from every database route", func() (bool, string) {
			return all503(t, base, ps, seen)
		})
	} else {
		// A paused database holds every request until probeTimeout: ask
		// them all at once. None may answer 500.
		var wg sync.WaitGroup
		for _, p := range ps {
			wg.Go(func() { p.status(t, base) })
		}
		wg.Wait()
	}
	undo()
	waitServe(t, "the database to answer after the repair", func() (bool, string) {
		ctx, cancel := context.WithTimeout(context.Background(), probeTimeout)
		defer cancel()
		err := s.admin.PingContext(ctx)
		return err == nil, fmt.Sprint(err)
	})
	answered := time.Now()
	var why []string
	waitServe(t, "every route to answer after the repair", func() (bool, string) {
		ok, w := healthy(t, base, ps)
		if !ok {
			why = append(why, fmt.Sprintf("%v %s", time.Since(answered).Round(time.Millisecond), w))
		}
		return ok, w
	})
	t.Logf("serve answered every route %v after the database answered; before: %v", time.Since(answered), why)
	t.Logf("a write waiting through the fault answered %v after the database answered", w.stop(answered))
}

// all503 asks every probe not yet in seen and notes those that answered
// 503; true once every database route has.
func all503(t *testing.T, base string, ps []probe, seen map[string]bool) (bool, string) {
	var missing []string
	for _, p := range ps {
		id := p.method + " " + p.path
		if !p.db || seen[id] {
			continue
		}
		if p.status(t, base) == http.StatusServiceUnavailable {
			seen[id] = true
			continue
		}
		missing = append(missing, id)
	}
	return len(missing) == 0, strings.Join(missing, ", ")
}

// waitServe polls cond until it holds, for at most serveWait.
func waitServe(t *testing.T, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(serveWait)
	for {
		ok, why := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s: %s", what, why)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// writer PUTs one key again and again, each request with a deadline long
// enough to ride out a fault, and notes when writes succeed.
type writer struct {
	mu   sync.Mutex
	oks  []time.Time
	done chan struct{}
	wg   sync.WaitGroup
}

func startWriter(t *testing.T, base string, ps []probe) *writer {
	w := &writer{done: make(chan struct{})}
	put := ps[4] // PUT keys/p
	w.wg.Go(func() {
		for {
			select {
			case <-w.done:
				return
			default:
			}
			ctx, cancel := context.WithTimeout(context.Background(), serveWait)
			req, _ := http.NewRequestWithContext(ctx, put.method, base+put.path, strings.NewReader("w"))
			resp, err := http.DefaultClient.Do(req)
			if err == nil {
				if resp.StatusCode == http.StatusInternalServerError {
					t.Errorf("writer: 500")
				}
				if resp.StatusCode < 300 {
					w.mu.Lock()
					w.oks = append(w.oks, time.Now())
					w.mu.Unlock()
				}
				resp.Body.Close()
			}
			cancel()
			time.Sleep(5 * time.Millisecond)
		}
	})
	return w
}

// stop ends the writer and returns how long after since its first write
// after since succeeded.
func (w *writer) stop(since time.Time) time.Duration {
	deadline := time.Now().Add(serveWait)
	for time.Now().Before(deadline) {
		w.mu.Lock()
		for _, ok := range w.oks {
			if ok.After(since) {
				w.mu.Unlock()
				close(w.done)
				w.wg.Wait()
				return ok.Sub(since)
			}
		}
		w.mu.Unlock()
		time.Sleep(time.Millisecond)
	}
	close(w.done)
	w.wg.Wait()
	return -1
}
