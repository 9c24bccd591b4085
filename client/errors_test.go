package client_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sqldict/sqldict/api"
	"github.com/sqldict/sqldict/client"
	"github.com/sqldict/sqldict/sqldict"
	"github.com/sqldict/sqldict/sqldict/sqldicttest"
)

// TestClient_Codes: every row of api.Codes read back from a server's
// answer is the row's error, with its JSON and, for a status below 500,
// without (a proxy's answer); 5xx without JSON is ErrUnavailable.
func TestClient_Codes(t *testing.T) {
	// The key names the row to answer with; "bare/" answers without JSON.
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		code := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
		row, _ := api.Lookup(code)
		if strings.Contains(r.URL.Path, "/bare/") {
			http.Error(w, "proxy says no", row.Status)
			return
		}
		w.Header().Set("Content-Type", api.ContentTypeJSON)
		w.WriteHeader(row.Status)
		_ = json.NewEncoder(w).Encode(api.ErrorBody{Error: api.ErrorDetail{Code: code, Message: "m"}})
	}))
	defer ts.Close()
	c, err := client.New(ts.URL, client.Options{Retries: -1})
	sqldicttest.Must(t, err)
	for _, row := range api.Codes {
		_, err := c.Get(t.Context(), row.Code)
		var ce *client.Error
		if !errors.As(err, &ce) || ce.Code != row.Code || ce.Status != row.Status || (row.Err != nil && !errors.Is(err, row.Err)) {
			t.Fatalf("answer %s %d: %v, want an Error matching %v", row.Code, row.Status, err, row.Err)
		}
		if row.Err == nil && errors.Unwrap(err) != nil {
			t.Fatalf("answer %s: %v unwraps to %v", row.Code, err, errors.Unwrap(err))
		}
		want := row.Err
		if row.Status >= 500 {
			want = sqldict.ErrUnavailable
		} else if first, _ := api.ForStatus(row.Status); first.Code != row.Code {
			want = first.Err // the first row of the status: 400 invalid_argument, 403 forbidden
		}
		_, err = c.Get(t.Context(), "bare/"+row.Code)
		if !errors.Is(err, want) {
			t.Fatalf("bare %d: %v, want %v", row.Status, err, want)
		}
	}
	// The client's sentinels are the table's.
	for _, c := range []struct{ mine, table error }{
		{client.ErrUnauthorized, api.ErrUnauthorized}, {client.ErrForbidden, api.ErrForbidden},
		{client.ErrUnavailable, sqldict.ErrUnavailable},
	} {
		if c.mine != c.table {
			t.Fatalf("%v is not %v", c.mine, c.table)
		}
	}
}
