package server_test

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/sqldict/sqldict/api"
	"github.com/sqldict/sqldict/server"
	"github.com/sqldict/sqldict/sqldict"
	"github.com/sqldict/sqldict/sqldict/sqldicttest"
)

// TestServe_Codes: a handler's error that wraps a row's sentinel of
// api.Codes is answered with that row's status and code, in the API's
// JSON (for a sentinel of several rows, the first's).
func TestServe_Codes(t *testing.T) {
	d := sqldicttest.NewDict(t, sqldicttest.OpenSQLite, sqldict.Options{})
	srv, err := server.New(server.Config{Tables: map[string]*sqldict.Dict{d.Table(): d}, Logger: slog.New(slog.DiscardHandler)})
	sqldicttest.Must(t, err)
	srv.HandleFunc("GET /fail/{code}", server.ScopeNone, func(w http.ResponseWriter, r *http.Request, _ *sqldict.Dict) error {
		row, _ := api.Lookup(r.PathValue("code"))
		return fmt.Errorf("handler: %w", row.Err)
	})
	ts := httptest.NewServer(srv)
	t.Cleanup(func() { srv.Close(); ts.Close() })
	for _, row := range api.Codes {
		if first, _ := api.Classify(row.Err); row.Err == nil || first.Code != row.Code {
			continue // no error, or one an earlier row answers
		}
		resp, err := http.Get(ts.URL + "/fail/" + row.Code)
		sqldicttest.Must(t, err)
		var b api.ErrorBody
		err = json.NewDecoder(resp.Body).Decode(&b)
		resp.Body.Close()
		if err != nil || resp.StatusCode != row.Status || b.Error.Code != row.Code {
			t.Fatalf("%v answered %d %+v (%v), want %d %s", row.Err, resp.StatusCode, b, err, row.Status, row.Code)
		}
	}
}
