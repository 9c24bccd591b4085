package server_test

import (
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sqldict/sqldict/server"
	"github.com/sqldict/sqldict/sqldict"
	"github.com/sqldict/sqldict/sqldict/sqldicttest"
)

// TestServe_StorageFull: a full disk is 507 storage_full, not 500
// internal, and the refused writes leave nothing.
func TestServe_StorageFull(t *testing.T) {
	d := sqldicttest.OpenFullSQLite(t, "sqldict", sqldict.Write{Key: "k", Value: []byte("v1")})
	srv, err := server.New(server.Config{Tables: map[string]*sqldict.Dict{"sqldict": d}, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(func() { srv.Close(); ts.Close() })
	before := journalState(t, d, "k")
	big := strings.Repeat("x", 1<<20)
	base := ts.URL + "/v1/sqldict/"
	do(t, "PUT", base+"keys/k", big).wantErr(507, "storage_full")
	do(t, "POST", base+"commit", `{"writes":[{"key":"a","value":""},{"key":"k","value":"`+big+`"}]}`).wantErr(507, "storage_full")
	if after := journalState(t, d, "k"); after != before {
		t.Fatalf("refused writes changed the journal: %v, want %v", after, before)
	}
	do(t, "GET", base+"keys/a", "").wantErr(404, "not_found")
}
