package server_test

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/sqldict/sqldict/server"
	"github.com/sqldict/sqldict/sqldict"
	"github.com/sqldict/sqldict/sqldict/sqldicttest"
)

// wholeJournal is everything a request could change in a journal: its
// counters and every row of its log.
func wholeJournal(t *testing.T, d *sqldict.Dict) string {
	t.Helper()
	st, err := d.Stat(t.Context())
	sqldicttest.Must(t, err)
	var b strings.Builder
	fmt.Fprintf(&b, "sequence %d horizon %d live %d\n", st.Sequence, st.Horizon, st.Live)
	for e, err := range d.Log(t.Context(), 0, st.Sequence) {
		sqldicttest.Must(t, err)
		fmt.Fprintf(&b, "%d %s v%d deleted=%v %q\n", e.Sequence, e.Key, e.Version, e.Deleted, e.Value)
	}
	return b.String()
}

// TestServer_ReadTokenWritesNothing: with a read token every writing
// request is refused with 403 forbidden (405 where the path has no route
// for the method) and the journal is left exactly as it was. It tries every
// non-reading method on every API path, so a writing route added later is
// covered too; a write token that may not prune is refused prune alike.
func TestServer_ReadTokenWritesNothing(t *testing.T) {
	d := sqldicttest.NewDict(t, sqldicttest.OpenSQLite, sqldict.Options{Table: "t"})
	toks, err := server.ParseTokens(strings.NewReader("r read\nw write\n"))
	sqldicttest.Must(t, err)
	srv, err := server.New(server.Config{Tables: map[string]*sqldict.Dict{"t": d}, Tokens: toks, Logger: slog.New(slog.DiscardHandler)})
	sqldicttest.Must(t, err)
	ts := httptest.NewServer(srv)
	t.Cleanup(func() { srv.Close(); ts.Close() })
	base := ts.URL + "/v1/t/"
	// History prune could remove, and a key each write could change.
	for _, v := range []string{"1", "2", "3"} {
		sqldicttest.Must(t, d.Set(t.Context(), "k", []byte(v)))
	}
	sqldicttest.Must(t, d.Set(t.Context(), "gone", nil))
	sqldicttest.Must(t, d.Delete(t.Context(), "gone"))
	before := wholeJournal(t, d)

	bodies := map[string]string{
		"commit": `{"writes":[{"key":"k","value":"eA=="},{"key":"new","value":"eA=="}]}`,
		"prune":  `{"keep_versions":1,"drop_deleted":true}`,
	}
	paths := []string{"keys/k", "keys/new", "keys", "entries", "history/k", "commit", "log", "diff", "watch", "stat", "prune"}
	for _, path := range paths {
		for _, method := range []string{http.MethodPut, http.MethodDelete, http.MethodPost, http.MethodPatch} {
			body, ok := bodies[path]
			if !ok {
				body = "x"
			}
			c := do(t, method, base+path, body, "Authorization", "Bearer r")
			if c.status != http.StatusMethodNotAllowed {
				c.wantErr(403, "forbidden")
			}
			if after := wholeJournal(t, d); after != before {
				t.Fatalf("%s %s with a read token answered %d and changed the journal:\nbefore\n%safter\n%s", method, path, c.status, before, after)
			}
		}
	}
	for _, path := range []string{"keys/k", "commit", "prune"} {
		if !slices.ContainsFunc(allowed(t, base+path), func(m string) bool { return m != "GET" && m != "HEAD" }) {
			t.Fatalf("%s has no writing method: the test no longer reaches it", path)
		}
	}
	do(t, "POST", base+"prune", bodies["prune"], "Authorization", "Bearer w").wantErr(403, "forbidden")
	if after := wholeJournal(t, d); after != before {
		t.Fatalf("prune with a write token changed the journal:\nbefore\n%safter\n%s", before, after)
	}
}

// allowed returns the methods a path answers, from a 405's Allow header
// (asked with a method no route has).
func allowed(t *testing.T, url string) []string {
	t.Helper()
	c := do(t, "OPTIONS", url, "", "Authorization", "Bearer r").want(http.StatusMethodNotAllowed)
	return strings.Split(strings.ReplaceAll(c.resp.Header.Get("Allow"), " ", ""), ",")
}
