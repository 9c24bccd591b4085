package client_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sqldict/sqldict/client"
	"github.com/sqldict/sqldict/prune"
	"github.com/sqldict/sqldict/server"
	"github.com/sqldict/sqldict/sqldict"
	"github.com/sqldict/sqldict/sqldict/sqldicttest"
)

// remote is a journal served in-process and a client of it.
type remote struct {
	c  *client.Client
	d  *sqldict.Dict
	ts *httptest.Server
}

// setup configures newRemote.
type setup struct {
	cfg      server.Config
	copts    client.Options
	wrap     func(http.Handler) http.Handler // middleware in front of the server
	closable bool                            // the test closes the Dict: no invariant check
}

// newRemote serves a fresh journal in-process and returns a client of it.
func newRemote(t *testing.T, s setup) *remote {
	t.Helper()
	cfg, copts, wrap := s.cfg, s.copts, s.wrap
	var d *sqldict.Dict
	if s.closable {
		d = sqldicttest.OpenSQLite(t, sqldict.Options{Table: sqldicttest.UniqueTable()})
	} else {
		d = sqldicttest.NewDict(t, sqldicttest.OpenSQLite, sqldict.Options{})
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	cfg.Tables = map[string]*sqldict.Dict{d.Table(): d}
	srv, err := server.New(cfg)
	sqldicttest.Must(t, err)
	var h http.Handler = srv
	if wrap != nil {
		h = wrap(srv)
	}
	ts := httptest.NewServer(h)
	t.Cleanup(func() { srv.Close(); ts.Close() })
	copts.Table = d.Table()
	c, err := client.New(ts.URL, copts)
	sqldicttest.Must(t, err)
	t.Cleanup(func() { c.Close() })
	return &remote{c: c, d: d, ts: ts}
}

func TestClient_ReadsAndWrites(t *testing.T) {
	r := newRemote(t, setup{})
	ctx := t.Context()
	c := r.c
	sqldicttest.Must(t, c.Set(ctx, "a/1", []byte("one")))
	sqldicttest.Must(t, c.Set(ctx, "a/2", nil))
	sqldicttest.Must(t, c.Set(ctx, "b/.", []byte{0, 1, 0xff}))
	sqldicttest.Must(t, c.Set(ctx, "..", []byte("dots")))
	if v, err := c.Get(ctx, "b/."); err != nil || !bytes.Equal(v, []byte{0, 1, 0xff}) {
		t.Fatalf("Get binary: %v %v", v, err)
	}
	if v, err := c.Get(ctx, "a/2"); err != nil || len(v) != 0 {
		t.Fatalf("Get empty: %q %v", v, err)
	}
	if v, err := r.d.Get(ctx, ".."); err != nil || string(v) != "dots" {
		t.Fatalf("key ..: %q %v", v, err)
	}
	sqldicttest.Must(t, c.Delete(ctx, "a/2"))
	sqldicttest.WantErr(t, c.Delete(ctx, "a/2"), sqldict.ErrNotFound)
	_, err := c.Get(ctx, "a/2")
	sqldicttest.WantErr(t, err, sqldict.ErrNotFound)
	if ok, err := c.Has(ctx, "a/2"); ok || err != nil {
		t.Fatalf("Has deleted: %v %v", ok, err)
	}
	if ok, err := c.Has(ctx, "a/1"); !ok || err != nil {
		t.Fatalf("Has: %v %v", ok, err)
	}
	e, err := c.Entry(ctx, "a/2")
	if err != nil || !e.Deleted || e.Version != 2 {
		t.Fatalf("Entry of a tombstone: %+v %v", e, err)
	}
	keys, err := c.Keys(ctx)
	if err != nil || strings.Join(keys, ",") != "..,a/1,b/." {
		t.Fatalf("Keys %q %v", keys, err)
	}
	if n, err := c.Len(ctx); n != 3 || err != nil {
		t.Fatalf("Len %d %v", n, err)
	}
	keys, err = c.KeysIn(ctx, sqldict.Range{From: "a/1", To: "b/."})
	if err != nil || strings.Join(keys, ",") != "a/1" {
		t.Fatalf("KeysIn from/to %q %v", keys, err)
	}

	// Commit: entries, metadata, conflicts as *ConflictError.
	es, err := c.Commit(ctx, sqldict.Write{Key: "a/1", Value: []byte("two"), Author: "ana", Comment: "why", IfVersion: sqldict.Expect(1)},
		sqldict.Write{Key: "b/.", Delete: true})
	if err != nil || len(es) != 2 || es[0].Version != 2 || es[0].Author != "ana" || !es[1].Deleted || es[1].Sequence != es[0].Sequence+1 {
		t.Fatalf("Commit %+v %v", es, err)
	}
	_, err = c.Commit(ctx, sqldict.Write{Key: "a/1", Value: []byte("x"), IfVersion: sqldict.Expect(1)})
	var ce *sqldict.ConflictError
	if !errors.Is(err, sqldict.ErrConflict) || !errors.As(err, &ce) || ce.Expected != 1 || ce.Actual != 2 || ce.Key != "a/1" {
		t.Fatalf("conflict: %v", err)
	}
	hist, err := c.History(ctx, "a/1")
	if err != nil || len(hist) != 2 || string(hist[0].Value) != "one" || hist[1].Comment != "why" {
		t.Fatalf("History %+v %v", hist, err)
	}
	want, _ := r.d.History(ctx, "a/1")
	for i := range hist {
		if !hist[i].Created.Equal(want[i].Created) || hist[i].Sequence != want[i].Sequence {
			t.Fatalf("History[%d] %+v, the Dict says %+v", i, hist[i], want[i])
		}
	}

	// The sentinels of bad input.
	sqldicttest.WantErr(t, c.Set(ctx, "", []byte("x")), sqldict.ErrInvalidKey)
	sqldicttest.WantErr(t, c.Set(ctx, strings.Repeat("k", 300), []byte("x")), sqldict.ErrInvalidKey)
	sqldicttest.WantErr(t, c.Set(ctx, "big", make([]byte, sqldict.DefaultMaxValueSize+1)), sqldict.ErrValueTooLarge)
	_, err = c.Snapshot(ctx, 999)
	sqldicttest.WantErr(t, err, sqldict.ErrFuture)
}

func TestClient_SnapshotsAndPaging(t *testing.T) {
	r := newRemote(t, setup{})
	ctx := t.Context()
	var ws []sqldict.Write
	for i := range 2500 {
		ws = append(ws, sqldict.Write{Key: fmt.Sprintf("k%05d", i), Value: fmt.Appendf(nil, "v%d", i)})
	}
	_, err := r.c.Commit(ctx, ws...)
	sqldicttest.Must(t, err)
	snap, err := r.c.Snapshot(ctx, 2500)
	sqldicttest.Must(t, err)
	// Writes after the snapshot change nothing it reads, over pages.
	sqldicttest.Must(t, r.c.Delete(ctx, "k00000"))
	sqldicttest.Must(t, r.c.Set(ctx, "k99999", nil))
	n := 0
	for e, err := range snap.All(ctx) {
		sqldicttest.Must(t, err)
		if want := fmt.Sprintf("k%05d", n); e.Key != want || string(e.Value) != fmt.Sprintf("v%d", n) {
			t.Fatalf("entry %d: %q=%q, want %s", n, e.Key, e.Value, want)
		}
		n++
	}
	if n != 2500 {
		t.Fatalf("snapshot All: %d entries, want 2500", n)
	}
	keys, err := snap.KeysIn(ctx, sqldict.Range{Prefix: "k0", After: "k00998", Limit: 1200})
	if err != nil || len(keys) != 1200 || keys[0] != "k00999" {
		t.Fatalf("KeysIn paging: %d keys from %v, %v", len(keys), keys[:1], err)
	}
	if n, err := snap.Len(ctx); n != 2500 || err != nil {
		t.Fatalf("snapshot Len %d %v", n, err)
	}
	if n, err := r.c.Len(ctx); n != 2500 || err != nil {
		t.Fatalf("head Len %d %v", n, err)
	}
	if _, err := snap.Get(ctx, "k99999"); !errors.Is(err, sqldict.ErrNotFound) {
		t.Fatalf("snapshot sees a later write: %v", err)
	}
	got := 0
	for range r.c.AllIn(ctx, sqldict.Range{Limit: 1001}) {
		got++
	}
	if got != 1001 {
		t.Fatalf("AllIn limit 1001: %d", got)
	}
}

// TestClient_WatchReconnects drops the stream's connection again and again
// while commits go on: the watcher still gets every sequence once, in order.
func TestClient_WatchReconnects(t *testing.T) {
	r := newRemote(t, setup{cfg: server.Config{Heartbeat: 10 * time.Millisecond}})
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	const n = 120
	done := make(chan error, 1)
	var got []int64
	go func() {
		for e, err := range r.c.Watch(ctx, 0, sqldict.Range{}) {
			if err != nil {
				done <- err
				return
			}
			got = append(got, e.Sequence)
			if e.Sequence == n {
				done <- nil
				return
			}
		}
		done <- ctx.Err()
	}()
	for i := 1; i <= n; i++ {
		sqldicttest.Must(t, r.d.Set(ctx, fmt.Sprintf("k%d", i%7), []byte{byte(i)}))
		if i%8 == 0 {
			r.ts.CloseClientConnections()
		}
	}
	if err := <-done; err != nil {
		t.Fatalf("watch: %v after %v", err, got)
	}
	for i, s := range got {
		if s != int64(i+1) {
			t.Fatalf("watch delivered %v: want 1..%d once each", got, n)
		}
	}
}

func TestClient_WatchPrunedAndPrefix(t *testing.T) {
	r := newRemote(t, setup{})
	ctx := t.Context()
	for i := range 6 {
		sqldicttest.Must(t, r.d.Set(ctx, []string{"a/x", "b/y"}[i%2], []byte{byte(i)}))
	}
	seen := []int64{}
	for e, err := range r.c.Watch(ctx, 1, sqldict.Range{Prefix: "b/"}) {
		sqldicttest.Must(t, err)
		seen = append(seen, e.Sequence)
		if e.Sequence == 6 {
			break
		}
	}
	if fmt.Sprint(seen) != "[2 4 6]" {
		t.Fatalf("prefix watch %v", seen)
	}
	_, err := r.d.PruneBatch(ctx, sqldict.PruneRule{Through: 6})
	sqldicttest.Must(t, err)
	for _, err := range r.c.Watch(ctx, 0, sqldict.Range{}) {
		sqldicttest.WantErr(t, err, sqldict.ErrPruned)
		break
	}
}

// TestClient_ReadRetries: reads survive dropped connections; writes are not
// retried.
func TestClient_ReadRetries(t *testing.T) {
	var drop atomic.Int32
	var seen atomic.Int32
	wrap := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			seen.Add(1)
			if drop.Add(-1) >= 0 {
				conn, _, err := http.NewResponseController(w).Hijack()
				if err == nil {
					conn.Close()
				}
				return
			}
			h.ServeHTTP(w, req)
		})
	}
	r := newRemote(t, setup{wrap: wrap})
	ctx := t.Context()
	sqldicttest.Must(t, r.d.Set(ctx, "k", []byte("v")))
	drop.Store(3)
	if v, err := r.c.Get(ctx, "k"); err != nil || string(v) != "v" {
		t.Fatalf("Get after 3 dropped connections: %q %v", v, err)
	}
	drop.Store(1)
	seen.Store(0)
	err := r.c.Set(ctx, "k", []byte("w"))
	sqldicttest.WantErr(t, err, client.ErrUnavailable)
	if seen.Load() != 1 {
		t.Fatalf("a write was sent %d times", seen.Load())
	}
	drop.Store(100)
	_, err = r.c.Get(ctx, "k")
	sqldicttest.WantErr(t, err, client.ErrUnavailable)
	sqldicttest.WantErr(t, err, sqldict.ErrUnavailable)
}

func TestClient_AuthAndUnavailable(t *testing.T) {
	toks, err := server.ParseTokens(strings.NewReader("r read\nw write\n"))
	sqldicttest.Must(t, err)
	r := newRemote(t, setup{cfg: server.Config{Tokens: toks}, copts: client.Options{Token: "r", Retries: -1}, closable: true})
	ctx := t.Context()
	_, err = r.c.Get(ctx, "k")
	sqldicttest.WantErr(t, err, sqldict.ErrNotFound)
	// Every write a read token tries is refused and writes nothing.
	sqldicttest.Must(t, r.d.Set(ctx, "old", []byte("1")))
	sqldicttest.Must(t, r.d.Set(ctx, "old", []byte("2")))
	before, err := r.d.Stat(ctx)
	sqldicttest.Must(t, err)
	sqldicttest.WantErr(t, r.c.Set(ctx, "k", nil), client.ErrForbidden)
	sqldicttest.WantErr(t, r.c.Delete(ctx, "old"), client.ErrForbidden)
	_, err = r.c.Commit(ctx, sqldict.Write{Key: "k", Value: []byte("v")})
	sqldicttest.WantErr(t, err, client.ErrForbidden)
	_, err = r.c.Prune(ctx, prune.Policy{KeepVersions: 1})
	sqldicttest.WantErr(t, err, client.ErrForbidden)
	if after, err := r.d.Stat(ctx); err != nil || after.Sequence != before.Sequence || after.Horizon != before.Horizon {
		t.Fatalf("after refused writes Stat = %+v, %v; want %+v", after, err, before)
	}
	if v, err := r.d.Get(ctx, "old"); err != nil || string(v) != "2" {
		t.Fatalf("after refused writes Get(old) = %q, %v", v, err)
	}
	bad, err := client.New(r.ts.URL, client.Options{Table: r.d.Table(), Token: "nope"})
	sqldicttest.Must(t, err)
	_, err = bad.Stat(ctx)
	sqldicttest.WantErr(t, err, client.ErrUnauthorized)
	// A journal that cannot answer is 503 unavailable.
	sqldicttest.Must(t, r.d.Close())
	_, err = r.c.Stat(ctx)
	sqldicttest.WantErr(t, err, client.ErrUnavailable)
	sqldicttest.WantErr(t, err, sqldict.ErrUnavailable)
}

// TestClient_TableNotServed: every call on a table the server does not
// serve fails with ErrNoTable (and sqldict.ErrNoJournal), never as a
// missing key; a missing key of a served table stays ErrNotFound.
func TestClient_TableNotServed(t *testing.T) {
	r := newRemote(t, setup{})
	ctx := t.Context()
	sqldicttest.Must(t, r.c.Set(ctx, "k", []byte("v")))
	other, err := client.New(r.ts.URL, client.Options{Table: "not_served"})
	sqldicttest.Must(t, err)
	t.Cleanup(func() { other.Close() })

	check := func(what string, err error) {
		t.Helper()
		var ce *client.Error
		switch {
		case !errors.Is(err, client.ErrNoTable) || !errors.Is(err, sqldict.ErrNoJournal):
			t.Fatalf("%s: %v, want ErrNoTable", what, err)
		case errors.Is(err, sqldict.ErrNotFound):
			t.Fatalf("%s: %v matches ErrNotFound", what, err)
		case !errors.As(err, &ce) || ce.Table != "not_served" || ce.Status != http.StatusNotFound:
			t.Fatalf("%s: %#v, want a 404 naming the table", what, err)
		}
	}
	_, err = other.Get(ctx, "k")
	check("Get", err)
	ok, err := other.Has(ctx, "k")
	check("Has", err)
	if ok {
		t.Fatal("Has: true")
	}
	_, err = other.Entry(ctx, "k")
	check("Entry", err)
	check("Set", other.Set(ctx, "k", []byte("w")))
	check("Delete", other.Delete(ctx, "k"))
	_, err = other.Keys(ctx)
	check("Keys", err)
	_, err = other.Stat(ctx)
	check("Stat", err)
	yielded := 0
	for _, err := range other.Watch(ctx, 0, sqldict.Range{}) {
		check("Watch", err)
		yielded++
	}
	if yielded != 1 {
		t.Fatalf("Watch yielded %d times, want the error once", yielded)
	}

	// The served table's missing key is a missing key.
	if ok, err := r.c.Has(ctx, "missing"); ok || err != nil {
		t.Fatalf("Has missing: %v, %v", ok, err)
	}
	if _, err := r.c.Get(ctx, "missing"); !errors.Is(err, sqldict.ErrNotFound) || errors.Is(err, client.ErrNoTable) {
		t.Fatalf("Get missing: %v", err)
	}
}

// TestClient_ReusesConnections: one client making calls one after another
// uses one connection: every answer is read to its end before it is
// closed (an unread body closes the connection with it).
func TestClient_ReusesConnections(t *testing.T) {
	d := sqldicttest.NewDict(t, sqldicttest.OpenSQLite, sqldict.Options{})
	srv, err := server.New(server.Config{Tables: map[string]*sqldict.Dict{d.Table(): d}, Logger: slog.New(slog.DiscardHandler)})
	sqldicttest.Must(t, err)
	var conns atomic.Int64
	ts := httptest.NewUnstartedServer(srv)
	ts.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	ts.Start()
	t.Cleanup(func() { srv.Close(); ts.Close() })
	c, err := client.New(ts.URL, client.Options{Table: d.Table()})
	sqldicttest.Must(t, err)
	ctx := t.Context()
	for i := range 10 {
		k := fmt.Sprintf("k%d", i)
		sqldicttest.Must(t, c.Set(ctx, k, []byte("v")))
		_, err := c.Commit(ctx, sqldict.Write{Key: k, Value: []byte("w")})
		sqldicttest.Must(t, err)
		_, err = c.Stat(ctx)
		sqldicttest.Must(t, err)
		_, err = c.Get(ctx, k)
		sqldicttest.Must(t, err)
		_, err = c.Get(ctx, "missing")
		if !errors.Is(err, sqldict.ErrNotFound) {
			t.Fatalf("Get missing: %v", err)
		}
		sqldicttest.Must(t, c.Delete(ctx, k))
	}
	if n := conns.Load(); n != 1 {
		t.Fatalf("60 sequential calls opened %d connections, want 1", n)
	}
}
