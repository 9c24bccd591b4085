package client_test

import (
	"github.com/sqldict/sqldict/client"
	"github.com/sqldict/sqldict/server"
	"log/slog"
	"net/http/httptest"
	"path/filepath"

	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/sqldict/sqldict/sqldict"
	"github.com/sqldict/sqldict/sqldict/sqldicttest"
)

// TestClient_VersionMatchesDict: client.Version through serve answers what
// Dict.Version answers for every version, a tombstone, a version never
// reached, a pruned version and a bad one.
func TestClient_VersionMatchesDict(t *testing.T) {
	r := newRemote(t, setup{})
	ctx := t.Context()
	for _, v := range []string{"a", "b", "c"} {
		sqldicttest.Must(t, r.d.Set(ctx, "k", []byte(v)))
	}
	sqldicttest.Must(t, r.d.Delete(ctx, "k"))
	sqldicttest.Must(t, r.d.Set(ctx, "k", []byte("e")))
	same := func(v int64) {
		t.Helper()
		want, werr := r.d.Version(ctx, "k", v)
		got, gerr := r.c.Version(ctx, "k", v)
		if !reflect.DeepEqual(got, want) || fmt.Sprint(errorsOf(gerr)) != fmt.Sprint(errorsOf(werr)) {
			t.Fatalf("Version(k, %d) = %+v, %v; Dict says %+v, %v", v, got, gerr, want, werr)
		}
	}
	for v := int64(0); v <= 6; v++ {
		same(v)
	}
	if e, _ := r.c.Version(ctx, "k", 4); !e.Deleted {
		t.Fatalf("version 4 = %+v, want the tombstone", e)
	}
	_, err := r.c.Version(ctx, "nope", 1)
	sqldicttest.WantErr(t, err, sqldict.ErrNotFound)
	_, err = r.d.PruneBatch(ctx, sqldict.PruneRule{Through: 5, KeepVersions: 2})
	sqldicttest.Must(t, err)
	_, err = r.c.Version(ctx, "k", 1)
	sqldicttest.WantErr(t, err, sqldict.ErrPruned)
	for v := int64(1); v <= 6; v++ {
		same(v)
	}
}

// errorsOf names the sentinels err matches.
func errorsOf(err error) []string {
	var out []string
	for _, s := range []error{sqldict.ErrNotFound, sqldict.ErrPruned, sqldict.ErrInvalidArgument} {
		if errors.Is(err, s) {
			out = append(out, s.Error())
		}
	}
	if err != nil && out == nil {
		out = append(out, err.Error())
	}
	return out
}

// BenchmarkClientVersion: version 1 of a key with 200 versions of 100
// bytes, by the one-version route (route) and by the whole history, as
// client.Version read it before (history).
func BenchmarkClientVersion(b *testing.B) {
	ctx := b.Context()
	d, err := sqldict.OpenURL(ctx, "sqlite:"+filepath.Join(b.TempDir(), "b.db"), sqldict.Options{})
	sqldicttest.Must(b, err)
	b.Cleanup(func() { d.Close() })
	srv, err := server.New(server.Config{Tables: map[string]*sqldict.Dict{d.Table(): d},
		Logger: slog.New(slog.DiscardHandler)})
	sqldicttest.Must(b, err)
	ts := httptest.NewServer(srv)
	b.Cleanup(func() { srv.Close(); ts.Close() })
	c, err := client.New(ts.URL, client.Options{Table: d.Table()})
	sqldicttest.Must(b, err)
	for range 200 {
		sqldicttest.Must(b, d.Set(ctx, "k", make([]byte, 100)))
	}
	r := struct{ c *client.Client }{c}
	b.Run("route", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := r.c.Version(ctx, "k", 1); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("history", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			hist, err := r.c.History(ctx, "k")
			if err != nil || hist[0].Version != 1 {
				b.Fatal(hist[0], err)
			}
		}
	})
}
