package server_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sqldict/sqldict/server"
	"github.com/sqldict/sqldict/sqldict"
)

// uiDict is a fresh SQLite journal "t" with two versions of "cfg", a
// binary value and a key, author and comment made of markup.
func uiDict(t *testing.T) (*sqldict.Dict, []sqldict.Entry) {
	t.Helper()
	ctx := context.Background()
	d, err := sqldict.OpenURL(ctx, "sqlite:"+filepath.Join(t.TempDir(), "ui.db"), sqldict.Options{Table: "t"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	var all []sqldict.Entry
	for _, w := range []sqldict.Write{
		{Key: "cfg", Value: []byte("a\nb\nold\n"), Author: "alice", Comment: "first"},
		{Key: "cfg", Value: []byte("a\nb\nnew\n"), Author: "bob", Comment: "second"},
		{Key: "blob", Value: []byte("\x00\x01<script>\xff"), Author: "carol"},
		{Key: "<script>alert(1)</script>", Value: []byte("<img src=x onerror=alert(2)>"),
			Author: "<b>mallory</b>", Comment: `"><script>alert(3)</script>`},
	} {
		es, err := d.Commit(ctx, w)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, es...)
	}
	return d, all
}

func uiServer(t *testing.T, d *sqldict.Dict, tokens string) *server.Server {
	t.Helper()
	// httptest.NewRequest's Host; a real connection's address passes.
	cfg := server.Config{Tables: map[string]*sqldict.Dict{"t": d}, AllowHosts: []string{"example.com"}}
	if tokens != "" {
		tk, err := server.ParseTokens(strings.NewReader(tokens))
		if err != nil {
			t.Fatal(err)
		}
		cfg.Tokens = tk
	}
	s, err := server.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// get serves one request in process and returns the answer and its body.
func get(t *testing.T, h http.Handler, target string, cookies ...*http.Cookie) (*http.Response, string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	for _, c := range cookies {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result(), rec.Body.String()
}

func TestUI_Escaping(t *testing.T) {
	d, _ := uiDict(t)
	s := uiServer(t, d, "")
	for _, target := range []string{
		"/ui/t/",
		"/ui/t/key?key=" + url.QueryEscape("<script>alert(1)</script>"),
		"/ui/t/diff",
	} {
		resp, body := get(t, s, target)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d: %s", target, resp.StatusCode, body)
		}
		for _, raw := range []string{"<script>alert", "<img src=x", "<b>mallory", `"><script>`} {
			if strings.Contains(body, raw) {
				t.Errorf("%s: raw markup %q in the page", target, raw)
			}
		}
		if !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
			t.Errorf("%s: the key is not shown as text", target)
		}
		csp := resp.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "script-src 'self'") {
			t.Errorf("%s: Content-Security-Policy %q", target, csp)
		}
	}
	_, body := get(t, s, "/ui/t/key?key="+url.QueryEscape("<script>alert(1)</script>"))
	for _, want := range []string{"&lt;b&gt;mallory&lt;/b&gt;", "&lt;img src=x onerror=alert(2)&gt;", "&#34;&gt;&lt;script&gt;alert(3)"} {
		if !strings.Contains(body, want) {
			t.Errorf("key page lacks %q", want)
		}
	}
}

func TestUI_BinaryValue(t *testing.T) {
	d, _ := uiDict(t)
	_, body := get(t, uiServer(t, d, ""), "/ui/t/key?key=blob")
	if !strings.Contains(body, "binary, 11 bytes: <code>00 01 3c 73 63 72 69 70 74 3e ff</code>") {
		t.Errorf("binary value not shown as size and hex:\n%s", body)
	}
	if strings.Contains(body, "\x00") || strings.Contains(body, "\xff") {
		t.Error("raw bytes of a binary value in the page")
	}
}

func TestUI_HistoryDiffAndPoints(t *testing.T) {
	d, es := uiDict(t)
	s := uiServer(t, d, "")
	_, body := get(t, s, "/ui/t/key?key=cfg")
	for _, want := range []string{`<span class="del">-old</span>`, `<span class="add">&#43;new</span>`, "Version 2", "Version 1", "alice", "bob"} {
		if !strings.Contains(body, want) {
			t.Errorf("key page lacks %q", want)
		}
	}
	// The first version, by sequence, by RFC 3339 time and by the
	// picker's format.
	v1 := es[0]
	for _, q := range []string{
		"at=1",
		"as_of=" + url.QueryEscape(v1.Created.UTC().Format(time.RFC3339Nano)),
		"as_of=" + url.QueryEscape(v1.Created.UTC().Format("2006-01-02T15:04:05.999999")),
	} {
		_, body := get(t, s, "/ui/t/key?key=cfg&"+q)
		cur := body[strings.Index(body, `id="current-value"`):]
		cur = cur[:strings.Index(cur, "</div>")]
		if !strings.Contains(cur, "old") || strings.Contains(cur, "new") {
			t.Errorf("%s: current value %q, want the old one", q, cur)
		}
		if strings.Contains(body, "Version 2") {
			t.Errorf("%s: the history shows a version after the point", q)
		}
		if !strings.Contains(body, `as it was</strong> at sequence <span id="point-seq">1</span>`) {
			t.Errorf("%s: the page does not say it shows sequence 1", q)
		}
	}
	// Before the first commit nothing exists; a bad time is a 400 page.
	if resp, _ := get(t, s, "/ui/t/key?key=cfg&at=0"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("at=0: status %d, want 404", resp.StatusCode)
	}
	if resp, _ := get(t, s, "/ui/t/?as_of=yesterday"); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("as_of=yesterday: status %d, want 400", resp.StatusCode)
	}
	// The list at sequence 1 has only cfg at version 1.
	_, body = get(t, s, "/ui/t/?at=1")
	if !strings.Contains(body, ">cfg</a></td>\n<td>1</td><td>alice</td>") || strings.Contains(body, "blob") {
		t.Errorf("list at sequence 1:\n%s", body)
	}
	// The whole-dict diff from sequence 1 to the head.
	_, body = get(t, s, "/ui/t/diff?from=1")
	for _, want := range []string{"changed <a", "added <a", `<span class="add">&#43;new</span>`, "3 keys changed"} {
		if !strings.Contains(body, want) {
			t.Errorf("diff page lacks %q", want)
		}
	}
}

func TestUI_PrefixAndPaging(t *testing.T) {
	d, _ := uiDict(t)
	s := uiServer(t, d, "")
	_, body := get(t, s, "/ui/t/?prefix=c")
	if !strings.Contains(body, ">cfg</a>") || strings.Contains(body, ">blob</a>") {
		t.Errorf("prefix=c:\n%s", body)
	}
	_, body = get(t, s, "/ui/t/?limit=1")
	if !strings.Contains(body, `id="next" href="/ui/t/?after=%3Cscript%3Ealert%281%29%3C%2Fscript%3E&amp;limit=1"`) {
		t.Errorf("limit=1: no next page link:\n%s", body)
	}
	_, body = get(t, s, "/ui/t/?after=blob")
	if strings.Contains(body, ">blob</a>") || !strings.Contains(body, ">cfg</a>") {
		t.Errorf("after=blob:\n%s", body)
	}
}

func TestUI_Auth(t *testing.T) {
	d, _ := uiDict(t)
	s := uiServer(t, d, "readtok read\nothertok admin other\n")

	// No cookie: to the login form, coming back afterwards.
	resp, _ := get(t, s, "/ui/t/?prefix=c")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/ui/login?next=%2Fui%2Ft%2F%3Fprefix%3Dc" {
		t.Fatalf("without a cookie: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	// A bearer token is the API's; the pages want the cookie.
	req := httptest.NewRequest(http.MethodGet, "/ui/t/", nil)
	req.Header.Set("Authorization", "Bearer readtok")
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if rec.Code != http.StatusSeeOther {
		t.Errorf("bearer header on a page: %d, want 303 to the login", rec.Code)
	}

	ts := httptest.NewServer(s)
	defer ts.Close()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	login := func(c *http.Client, base, token, next string) *http.Response {
		t.Helper()
		resp, err := c.PostForm(base+"/ui/login", url.Values{"token": {token}, "next": {next}})
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}
	if resp := login(c, ts.URL, "wrong", "/ui/t/"); resp.StatusCode != http.StatusUnauthorized || len(resp.Cookies()) != 0 {
		t.Errorf("unknown token: %d, cookies %v", resp.StatusCode, resp.Cookies())
	}
	// An open redirect after login is refused.
	resp = login(c, ts.URL, "readtok", "//evil.example/ui/")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/ui/" {
		t.Errorf("next=//evil.example: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	ck := resp.Cookies()
	if len(ck) != 1 || ck[0].Name != server.UICookie || !ck[0].HttpOnly || ck[0].SameSite != http.SameSiteStrictMode || ck[0].Secure || ck[0].Path != "/ui/" {
		t.Fatalf("cookie over HTTP: %+v", ck)
	}
	// With the cookie a read token reads the pages.
	r2, err := c.Get(ts.URL + "/ui/t/key?key=cfg")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(r2.Body)
	r2.Body.Close()
	if r2.StatusCode != http.StatusOK || !strings.Contains(string(body), "&#43;new") {
		t.Errorf("logged in: %d\n%s", r2.StatusCode, body)
	}
	// A token granted another table only is refused this one.
	if resp, _ := get(t, s, "/ui/t/", &http.Cookie{Name: server.UICookie, Value: "othertok"}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("token of another table: %d, want 403", resp.StatusCode)
	}
	// Logging out clears the cookie.
	r3, err := c.Post(ts.URL+"/ui/logout", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	r3.Body.Close()
	if ck := r3.Cookies(); len(ck) != 1 || ck[0].MaxAge >= 0 {
		t.Errorf("logout cookies %+v", ck)
	}

	// Under TLS the cookie is Secure.
	tls := httptest.NewTLSServer(s)
	defer tls.Close()
	tc := tls.Client()
	tc.CheckRedirect = c.CheckRedirect
	if ck := login(tc, tls.URL, "readtok", "/ui/t/").Cookies(); len(ck) != 1 || !ck[0].Secure || !ck[0].HttpOnly {
		t.Errorf("cookie under TLS: %+v", ck)
	}
}
