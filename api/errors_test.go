package api_test

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/sqldict/sqldict/api"
	"github.com/sqldict/sqldict/sqldict"
)

// TestCodes: the table is a function both ways. Every code is listed once;
// every sentinel, wrapped as the core wraps it, classifies to its own row
// (no earlier row shadows it) and its code looks that row up again.
func TestCodes(t *testing.T) {
	seen := map[string]bool{}
	for _, row := range api.Codes {
		if seen[row.Code] || row.Code == "" || http.StatusText(row.Status) == "" {
			t.Fatalf("row %+v: duplicate, empty code or unknown status", row)
		}
		seen[row.Code] = true
		if got, ok := api.Lookup(row.Code); !ok || got != row {
			t.Fatalf("Lookup(%q) = %+v, %v", row.Code, got, ok)
		}
		if row.Err == nil {
			continue
		}
		want := row // the first row of row.Err answers it
		for _, r := range api.Codes {
			if r.Err == row.Err {
				want = r
				break
			}
		}
		got, ok := api.Classify(fmt.Errorf("op on %q: %w", "k", row.Err))
		if !ok || got != want {
			t.Fatalf("Classify(%v) = %+v, %v; want %+v", row.Err, got, ok, want)
		}
	}
	for _, c := range []struct {
		err    error
		code   string
		status int
	}{
		{sqldict.ErrUnavailable, api.CodeUnavailable, http.StatusServiceUnavailable},
		{sqldict.ErrStorageFull, api.CodeStorageFull, http.StatusInsufficientStorage},
		{&sqldict.ConflictError{Key: "k", Actual: 1}, api.CodeConflict, http.StatusPreconditionFailed},
		{api.ErrForbidden, api.CodeForbidden, http.StatusForbidden},
		{sqldict.ErrInvalidArgument, api.CodeInvalidArgument, http.StatusBadRequest},
	} {
		if got, ok := api.Classify(c.err); !ok || got.Code != c.code || got.Status != c.status {
			t.Fatalf("Classify(%v) = %+v, %v; want %s %d", c.err, got, ok, c.code, c.status)
		}
	}
	if _, ok := api.Classify(errors.New("boom")); ok {
		t.Fatal("an error without a sentinel has a row")
	}
	if _, ok := api.Lookup("no_such_code"); ok {
		t.Fatal("Lookup of an unknown code succeeded")
	}
}

// TestForStatus: an answer without a code is read by its status; a 5xx is
// unavailable whatever its number, a 400 invalid_argument.
func TestForStatus(t *testing.T) {
	for status, want := range map[int]string{
		400: api.CodeInvalidArgument, 401: api.CodeUnauthorized, 403: api.CodeForbidden,
		404: api.CodeNotFound, 413: api.CodeValueTooLarge, 500: api.CodeUnavailable,
		502: api.CodeUnavailable, 503: api.CodeUnavailable,
	} {
		if got, ok := api.ForStatus(status); !ok || got.Code != want {
			t.Fatalf("ForStatus(%d) = %+v, %v; want %s", status, got, ok, want)
		}
	}
	if got, ok := api.ForStatus(418); ok {
		t.Fatalf("ForStatus(418) = %+v", got)
	}
}

// TestKeyRoute: a key is one path segment whatever it holds.
func TestKeyRoute(t *testing.T) {
	for key, want := range map[string]string{
		"a/b": "keys/a%2Fb", "..": "keys/%2E%2E", "x y": "keys/x%20y", "é": "keys/%C3%A9",
	} {
		if got := api.KeyRoute(api.RouteKeys, key); got != want {
			t.Fatalf("KeyRoute(%q) = %q, want %q", key, got, want)
		}
	}
	if got := api.KeyPattern("GET", api.RouteHistory); got != "GET /v1/{table}/history/{key...}" {
		t.Fatalf("KeyPattern = %q", got)
	}
}
