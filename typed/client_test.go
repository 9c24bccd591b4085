package typed_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/sqldict/sqldict/client"
	"github.com/sqldict/sqldict/server"
	"github.com/sqldict/sqldict/sqldict"
	"github.com/sqldict/sqldict/sqldict/sqldicttest"
	"github.com/sqldict/sqldict/typed"
	"github.com/sqldict/sqldict/typed/typedtest"
)

// TestClient_SameValuesOverHTTP: a typed Dict over the HTTP client reads
// and writes the same envelopes as one over the local Dict (the client
// knows its table, so encrypted values decrypt on both sides), with the
// same errors, snapshots and expiry.
func TestClient_SameValuesOverHTTP(t *testing.T) {
	d := sqldicttest.NewDict(t, sqldicttest.OpenSQLite, sqldict.Options{})
	srv, err := server.New(server.Config{Tables: map[string]*sqldict.Dict{d.Table(): d}, Logger: slog.New(slog.DiscardHandler)})
	must(t, err)
	ts := httptest.NewServer(srv)
	t.Cleanup(func() { srv.Close(); ts.Close() })
	c, err := client.New(ts.URL, client.Options{Table: d.Table()})
	must(t, err)
	t.Cleanup(func() { c.Close() })

	kr, _ := typedtest.Keyring(t, 1)
	clock := &typedtest.Clock{T: time.Now()}
	opts := typed.Options[Config]{Layers: []typed.Layer{typed.Compress(1), typed.Encrypt(kr)}, Now: clock.Now}
	local, err := typed.New(d, opts)
	must(t, err)
	remote, err := typed.New(c, opts)
	must(t, err)

	must(t, local.Set(bg, "a", Config{Name: "written locally", Limit: 1}))
	es, err := remote.Commit(bg, typed.Write[Config]{Key: "b", Value: Config{Name: "written remotely"}, ExpiresAt: clock.T.Add(time.Hour)})
	must(t, err)
	for _, c := range []struct {
		d    *typed.Dict[Config]
		key  string
		want string
	}{{remote, "a", "written locally"}, {local, "b", "written remotely"}} {
		got, err := c.d.Get(bg, c.key)
		if err != nil || got.Name != c.want {
			t.Fatalf("Get(%s) = %+v, %v, want %q", c.key, got, err, c.want)
		}
	}
	v, err := remote.Snapshot(bg, es[0].Sequence-1)
	must(t, err)
	if _, err := v.Get(bg, "b"); !errors.Is(err, sqldict.ErrNotFound) {
		t.Fatalf("remote snapshot before b = %v, want ErrNotFound", err)
	}
	clock.T = clock.T.Add(2 * time.Hour)
	if _, err := remote.Get(bg, "b"); !errors.Is(err, typed.ErrExpired) {
		t.Fatalf("remote Get of an expired value = %v, want ErrExpired", err)
	}
	n, err := remote.Sweep(bg, sqldict.Range{})
	must(t, err)
	if n != 1 {
		t.Fatalf("remote Sweep deleted %d, want 1", n)
	}
	if _, err := remote.Get(bg, "missing"); !errors.Is(err, sqldict.ErrNotFound) {
		t.Fatalf("remote Get missing = %v", err)
	}
	// The client resolves times on the server (GET stat?as_of=): AsOf over
	// HTTP sees the journal as it was.
	before, err := remote.AsOf(context.Background(), es[0].Created.Add(-time.Microsecond))
	must(t, err)
	if _, err := before.Get(bg, "b"); !errors.Is(err, sqldict.ErrNotFound) {
		t.Fatalf("remote AsOf before b: Get(b) = %v, want ErrNotFound", err)
	}
	if got, err := before.Get(bg, "a"); err != nil || got.Name != "written locally" {
		t.Fatalf("remote AsOf before b: Get(a) = %+v, %v", got, err)
	}
}
