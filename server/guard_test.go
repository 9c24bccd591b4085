package server_test

import (
	"context"
	"strings"
	"testing"

	"github.com/sqldict/sqldict/sqldict"
)

// journalState is what a refused request must leave alone: the head, the
// horizon, and the number of versions of key.
func journalState(t *testing.T, d *sqldict.Dict, key string) [3]int64 {
	t.Helper()
	ctx := context.Background()
	st, err := d.Stat(ctx)
	if err != nil {
		t.Fatal(err)
	}
	h, err := d.History(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	return [3]int64{st.Sequence, st.Horizon, int64(len(h))}
}

// TestServe_CrossSite: what a page on another site can make a browser send
// (a no-cors text/plain POST, a write with a foreign Origin, a name of its
// own pointed at the server) is refused, and nothing is written.
func TestServe_CrossSite(t *testing.T) {
	p := serve(t, sqliteURL(t))
	d := p.Dict("sqldict")
	base := p.URL + "/v1/sqldict/"
	own := strings.TrimPrefix(p.URL, "http://")
	do(t, "PUT", base+"keys/k", "v1").want(201)
	do(t, "PUT", base+"keys/k", "v2").want(200)
	before := journalState(t, d, "k")

	commit := `{"writes":[{"key":"k","value":"ZXZpbA=="}]}`
	prune := `{"keep_versions":1}`
	evil := []string{"Origin", "http://evil.example", "Sec-Fetch-Site", "cross-site"}
	for _, route := range []struct{ path, body string }{{"commit", commit}, {"prune", prune}} {
		url := base + route.path
		// A no-cors fetch: text/plain, from another origin.
		do(t, "POST", url, route.body, append([]string{"Content-Type", "text/plain"}, evil...)...).wantErr(403, "forbidden")
		// The same body as text/plain or untyped, even without Origin.
		do(t, "POST", url, route.body, "Content-Type", "text/plain;charset=UTF-8").wantErr(415, "unsupported_media_type")
		do(t, "POST", url, route.body, "Content-Type", "").wantErr(415, "unsupported_media_type")
		// JSON, but from another origin, or a sandboxed frame, or a
		// browser that sends only Sec-Fetch-Site.
		do(t, "POST", url, route.body, evil...).wantErr(403, "forbidden")
		do(t, "POST", url, route.body, "Origin", "null").wantErr(403, "forbidden")
		do(t, "POST", url, route.body, "Origin", "null", "Sec-Fetch-Site", "cross-site").wantErr(403, "forbidden")
		do(t, "POST", url, route.body, "Sec-Fetch-Site", "same-site").wantErr(403, "forbidden")
		// DNS rebinding: the attacker's name, resolving to the server.
		do(t, "POST", url, route.body, "Host", "evil.example:"+own[strings.LastIndex(own, ":")+1:]).wantErr(403, "forbidden")
	}
	do(t, "PUT", base+"keys/k", "evil", evil...).wantErr(403, "forbidden")
	do(t, "DELETE", base+"keys/k", "", "Sec-Fetch-Site", "cross-site").wantErr(403, "forbidden")
	if after := journalState(t, d, "k"); after != before {
		t.Fatalf("refused requests changed the journal: (head, horizon, versions) %v, want %v", after, before)
	}

	// Reads with a foreign Host are refused too; the server's own names pass.
	do(t, "GET", base+"keys/k", "", "Host", "evil.example").wantErr(403, "forbidden")
	do(t, "GET", p.URL+"/healthz", "", "Host", "evil.example").wantErr(403, "forbidden")
	do(t, "GET", p.URL+"/ui/", "", "Host", "evil.example").wantErr(403, "forbidden")
	do(t, "GET", base+"keys/k", "", "Host", "localhost"+own[strings.LastIndex(own, ":"):]).want(200)
	do(t, "GET", base+"keys/k", "", "Host", "localhost:1").wantErr(403, "forbidden")

	// The server's own pages, and same-origin writes, work.
	do(t, "POST", base+"commit", commit, "Origin", p.URL, "Sec-Fetch-Site", "same-origin").want(200)
	do(t, "POST", p.URL+"/ui/login", "token=x", "Content-Type", "application/x-www-form-urlencoded",
		"Origin", "http://evil.example").wantErr(403, "forbidden")
	do(t, "POST", p.URL+"/ui/login", "token=x", "Content-Type", "application/x-www-form-urlencoded",
		"Origin", p.URL).want(200)
	// A same-origin form on a no-referrer page: Chromium sends Origin: null
	// with Sec-Fetch-Site: same-origin (the UI's login, TestUI_Browser).
	do(t, "POST", p.URL+"/ui/login", "token=x", "Content-Type", "application/x-www-form-urlencoded",
		"Origin", "null", "Sec-Fetch-Site", "same-origin").want(200)
}

// TestServe_AllowHost: --allow-host adds names, for any port or one.
func TestServe_AllowHost(t *testing.T) {
	p := serve(t, sqliteURL(t), "--allow-host", "Dict.Example", "--allow-host", "proxy.example:443")
	url := p.URL + "/v1/sqldict/stat"
	do(t, "GET", url, "", "Host", "dict.example:8080").want(200)
	do(t, "GET", url, "", "Host", "proxy.example:443").want(200)
	do(t, "GET", url, "", "Host", "proxy.example:444").wantErr(403, "forbidden")
	do(t, "GET", url, "", "Host", "evil.example").wantErr(403, "forbidden")
	do(t, "POST", p.URL+"/v1/sqldict/commit", `{"writes":[]}`, "Origin", "https://proxy.example:443").want(200)
}

// TestServe_DuplicateFields: a field given twice, at any level of the
// body, is refused rather than taken last-wins, and nothing is written.
func TestServe_DuplicateFields(t *testing.T) {
	p := serve(t, sqliteURL(t))
	d := p.Dict("sqldict")
	base := p.URL + "/v1/sqldict/"
	do(t, "PUT", base+"keys/k", "v1").want(201)
	before := journalState(t, d, "k")
	for _, body := range []string{
		`{"writes":[{"key":"k","value":"","if_version":5,"if_version":null}]}`,
		`{"writes":[{"key":"k","value":"","if_version":5,"If_Version":null}]}`,
		`{"writes":[{"key":"x","value":""}],"writes":[{"key":"k","value":""}]}`,
	} {
		do(t, "POST", base+"commit", body).wantErr(400, "invalid_argument")
	}
	do(t, "POST", base+"prune", `{"keep_versions":5,"keep_versions":0}`).wantErr(400, "invalid_argument")
	if after := journalState(t, d, "k"); after != before {
		t.Fatalf("refused commits changed the journal: %v, want %v", after, before)
	}
}
