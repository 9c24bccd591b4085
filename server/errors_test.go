package server_test

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sqldict/sqldict/api"
	"github.com/sqldict/sqldict/server/servetest"
	"github.com/sqldict/sqldict/sqldict"
)

// TestServe_ErrorCodes answers each error code of docs/http.md that bad input
// can cause, and checks that none of them wrote anything.
func TestServe_ErrorCodes(t *testing.T) {
	p := serve(t, sqliteURL(t))
	base := p.URL + "/v1/sqldict/"
	do(t, "PUT", base+"keys/k", "v").want(201)

	do(t, "GET", base+"keys/missing", "").wantErr(404, "not_found")
	do(t, "DELETE", base+"keys/missing", "").wantErr(404, "not_found")
	do(t, "GET", p.URL+"/v1/other/stat", "").wantErr(404, "not_found")
	do(t, "PUT", p.URL+"/v1/other/keys/k", "v").wantErr(404, "not_found")
	// An unserved table's 404 names the table (body and header, for HEAD);
	// a missing key's does not.
	if c := do(t, "GET", p.URL+"/v1/other/keys/k", "").wantErr(404, "not_found").header(api.HeaderNotServed, "other"); !strings.Contains(c.body, `"table":"other"`) {
		t.Fatalf("unserved table: body %s lacks the table", c.body)
	}
	do(t, "HEAD", p.URL+"/v1/other/keys/k", "").want(404).header(api.HeaderNotServed, "other")
	if c := do(t, "GET", base+"keys/missing", "").header(api.HeaderNotServed, ""); strings.Contains(c.body, `"table"`) {
		t.Fatalf("missing key: body %s names a table", c.body)
	}

	do(t, "GET", base+"keys/k?at=2", "").wantErr(422, "future")
	do(t, "GET", base+"keys?at=99", "").wantErr(422, "future")
	do(t, "GET", base+"keys/k?as_of="+url.QueryEscape(time.Now().Add(time.Hour).UTC().Format(time.RFC3339)), "").wantErr(422, "future")
	do(t, "GET", base+"log?until=2", "").wantErr(422, "future")

	do(t, "PUT", base+"keys/"+strings.Repeat("k", sqldict.DefaultKeyLength+1), "v").wantErr(400, "invalid_key")
	do(t, "PUT", base+"keys/a%00b", "v").wantErr(400, "invalid_key")
	do(t, "PUT", base+"keys/a%FFb", "v").wantErr(400, "invalid_key")
	do(t, "PUT", base+"keys/", "v").wantErr(400, "invalid_key")

	for _, bad := range []string{"keys/k?at=-1", "keys/k?at=x", "keys/k?as_of=yesterday", "keys/k?at=1&as_of=2024-01-01T00:00:00Z",
		"keys?limit=1000001", "log?after=-3", "diff?from=x", "watch?after=x"} {
		do(t, "GET", base+bad, "").wantErr(400, "invalid_argument")
	}
	do(t, "GET", p.URL+"/v1/Bad-Table/stat", "").wantErr(400, "invalid_argument")
	do(t, "PUT", base+"keys/k", "v", "If-Match", "3").wantErr(400, "invalid_argument")
	do(t, "PUT", base+"keys/k", "v", "If-Match", `"1"`, "If-None-Match", "*").wantErr(400, "invalid_argument")
	do(t, "PUT", base+"keys/k", "v", "X-Sqldict-Author", "%zz").wantErr(400, "invalid_argument")
	do(t, "PUT", base+"keys/k", "v", "X-Sqldict-Comment", "%FF").wantErr(400, "invalid_argument")
	do(t, "GET", base+"watch", "", "Last-Event-ID", "seven").wantErr(400, "invalid_argument")
	for _, body := range []string{`{"writes":[`, `{"writes":[{"key":"k","value":"not base64!"}]}`,
		`{"writes":[{"key":"k","ifversion":1}]}`, `{"writes":[{"key":"k","delete":true,"value":"eA=="}]}`,
		`{"writes":[{"key":"k","if_version":-1}]}`, `{"writes":[]} {}`} {
		do(t, "POST", base+"commit", body).wantErr(400, "invalid_argument")
	}
	do(t, "POST", base+"prune", `{"keep_for":"soon"}`).wantErr(400, "invalid_argument")

	// Over the limit, announced: refused before any of it is read.
	tooBig := sqldict.DefaultMaxValueSize + 1
	raw(t, p, fmt.Sprintf("PUT /v1/sqldict/keys/big HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n", 1<<40), "HTTP/1.1 413 ")
	// Over the limit, chunked: refused when the limit is crossed.
	pr, pw := io.Pipe()
	go func() {
		chunk := make([]byte, 1<<16)
		for n := 0; n < tooBig; n += len(chunk) {
			if _, err := pw.Write(chunk); err != nil {
				return
			}
		}
		pw.Close()
	}()
	req, _ := http.NewRequest("PUT", base+"keys/big", pr)
	resp, err := http.DefaultClient.Do(req)
	if err == nil {
		resp.Body.Close()
		if resp.StatusCode != 413 {
			t.Fatalf("chunked over the limit: %d, want 413", resp.StatusCode)
		}
	} // else the server closed the connection while the body was still sent, also a refusal
	pr.Close()
	do(t, "GET", base+"keys/big", "").wantErr(404, "not_found")

	d := p.Dict(sqldict.DefaultTable)
	if st, err := d.Stat(t.Context()); err != nil || st.Sequence != 1 {
		t.Fatalf("after bad input: stat %+v, %v; want sequence 1", st, err)
	}
}

// raw sends a request as bytes and checks the start of the answer.
func raw(t *testing.T, p *servetest.Proc, request, wantPrefix string) string {
	t.Helper()
	addr := strings.TrimPrefix(p.URL, "http://")
	// "Host: x" stands for the server's own address, which the Host check
	// accepts.
	request = strings.Replace(request, "Host: x\r\n", "Host: "+addr+"\r\n", 1)
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := io.WriteString(conn, request); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		t.Fatalf("%q: no answer: %v", request, err)
	}
	if !strings.HasPrefix(line, wantPrefix) {
		t.Fatalf("%q: answer %q, want %q", request, line, wantPrefix)
	}
	return line
}

// TestServe_BadInput: paths, headers and clients that misbehave.
func TestServe_BadInput(t *testing.T) {
	p := serve(t, sqliteURL(t), "--read-timeout", "500ms", "--write-timeout", "500ms", "--heartbeat", "50ms")
	base := p.URL + "/v1/sqldict/"

	// Dot segments are refused, not cleaned into another key; encoded
	// they are part of the key.
	raw(t, p, "PUT /v1/sqldict/keys/a/../b HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nx", "HTTP/1.1 400 ")
	raw(t, p, "GET /v1/sqldict/keys/./b HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 400 ")
	raw(t, p, "GET /v1/sqldict/keys/a//b HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 400 ")
	raw(t, p, "GET /v1/sqldict/keys/%zz HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 400 ")
	do(t, "PUT", base+"keys/a%2F..%2Fb", "dots").want(201)
	do(t, "PUT", base+"keys/%2E%2E", "dotdot").want(201)
	if g := do(t, "GET", base+"keys/a/%2E%2E/b", "").want(200); g.body != "dots" {
		t.Fatalf("key a/../b: %q", g.body)
	}
	do(t, "PUT", base+"keys/x%2Fy", "slash").want(201)
	if g := do(t, "GET", base+"keys/x/y", "").want(200); g.body != "slash" {
		t.Fatalf("%%2F and / name the same key: %q", g.body)
	}
	keys := do(t, "GET", base+"keys", "").want(200).body
	if !strings.Contains(keys, `["..","a/../b","x/y"]`) {
		t.Fatalf("keys %s", keys)
	}

	// Huge headers.
	big := strings.Repeat("x", 100<<10)
	raw(t, p, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: "+big+"\r\n\r\n", "HTTP/1.1 431 ")

	// A client that stalls in its headers is cut off by the read timeout.
	conn, err := net.Dial("tcp", strings.TrimPrefix(p.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_, _ = io.WriteString(conn, "GET /healthz HTTP/1.1\r\nHost: x\r\n")
	_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	if n, err := conn.Read(make([]byte, 1)); err == nil || isTimeout(err) {
		t.Fatalf("stalled client: read %d, %v; want the server to close the connection", n, err)
	}

	// A watch stream outlives the write timeout: 20 heartbeats of 50ms,
	// twice the 500ms timeout, then an event still arrives.
	resp, err := http.Get(base + "watch?after=3")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for beats := 0; beats < 20 && sc.Scan(); {
		if sc.Text() == ": heartbeat" {
			beats++
		}
	}
	do(t, "PUT", base+"keys/late", "v").want(201)
	for sc.Scan() {
		if sc.Text() == "id: 4" {
			return
		}
	}
	t.Fatalf("watch stream ended before event 4: %v", sc.Err())
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// TestServe_Tokens: scopes, per-table grants, and no token in the log.
func TestServe_Tokens(t *testing.T) {
	file := filepath.Join(t.TempDir(), "tokens.txt")
	tokens := "# name scope tables\nreadtok-1 read\nwritetok-2 write sqldict\n\nadmintok-3 admin\nothertok-4 admin other\n"
	if err := os.WriteFile(file, []byte(tokens), 0o600); err != nil {
		t.Fatal(err)
	}
	p := serve(t, sqliteURL(t), "--table", "sqldict", "--table", "other", "--tokens", file)
	base := p.URL + "/v1/sqldict/"
	auth := func(tok string) []string { return []string{"Authorization", "Bearer " + tok} }

	do(t, "GET", p.URL+"/healthz", "").want(200)
	do(t, "GET", base+"stat", "").wantErr(401, "unauthorized")
	do(t, "GET", base+"stat", "", "Authorization", "readtok-1").wantErr(401, "unauthorized")
	do(t, "GET", base+"stat", "", auth("readtok-")...).wantErr(401, "unauthorized")
	do(t, "GET", base+"stat", "", auth("readtok-1x")...).wantErr(401, "unauthorized")

	do(t, "GET", base+"stat", "", auth("readtok-1")...).want(200)
	do(t, "GET", p.URL+"/v1/other/stat", "", auth("readtok-1")...).want(200)
	do(t, "PUT", base+"keys/k", "v", auth("readtok-1")...).wantErr(403, "forbidden")
	do(t, "PUT", base+"keys/k", "v", auth("writetok-2")...).want(201)
	do(t, "POST", base+"commit", `{"writes":[{"key":"j","value":""}]}`, auth("writetok-2")...).want(200)
	do(t, "PUT", p.URL+"/v1/other/keys/k", "v", auth("writetok-2")...).wantErr(403, "forbidden")
	do(t, "GET", p.URL+"/v1/other/stat", "", auth("writetok-2")...).wantErr(403, "forbidden")
	do(t, "POST", base+"prune", `{}`, auth("writetok-2")...).wantErr(403, "forbidden")
	do(t, "POST", base+"prune", `{}`, auth("admintok-3")...).want(200)
	do(t, "GET", base+"stat", "", auth("othertok-4")...).wantErr(403, "forbidden")
	do(t, "PUT", p.URL+"/v1/other/keys/k", "v", auth("othertok-4")...).want(201)
	do(t, "GET", p.URL+"/v1/third/stat", "", auth("admintok-3")...).wantErr(404, "not_found")

	if err := p.Stop(); err != nil {
		t.Fatalf("exit: %v", err)
	}
	logs := p.Stderr()
	if !strings.Contains(logs, "status=403") {
		t.Fatalf("no request log on stderr:\n%s", logs)
	}
	for _, tok := range []string{"readtok", "writetok", "admintok", "othertok"} {
		if strings.Contains(logs, tok) {
			t.Fatalf("the log contains token %s:\n%s", tok, logs)
		}
	}
}

// TestServe_LoopbackOnly: without tokens only loopback addresses.
func TestServe_LoopbackOnly(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "[::]:0"} {
		out, err := exec.Command(servetest.Binary(t), "--db", sqliteURL(t), "serve", "--listen", addr).CombinedOutput()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 2 || !strings.Contains(string(out), "loopback") {
			t.Fatalf("serve --listen %s without tokens: %v %s; want exit 2 about loopback", addr, err, out)
		}
	}
}

// TestServe_ReadOnly: writes are 403 read_only, reads work.
func TestServe_ReadOnly(t *testing.T) {
	db := sqliteURL(t)
	w := serve(t, db)
	do(t, "PUT", w.URL+"/v1/sqldict/keys/k", "v").want(201)
	if err := w.Stop(); err != nil {
		t.Fatal(err)
	}
	p := serve(t, db, "--read-only")
	do(t, "PUT", p.URL+"/v1/sqldict/keys/k", "w").wantErr(403, "read_only")
	do(t, "POST", p.URL+"/v1/sqldict/commit", `{"writes":[{"key":"k","delete":true}]}`).wantErr(403, "read_only")
	if g := do(t, "GET", p.URL+"/v1/sqldict/keys/k", "").want(200); g.body != "v" {
		t.Fatalf("GET %q", g.body)
	}
}

// TestServe_NoRouteErrors: what the router itself refuses — a path no
// route has, a method the path's routes lack — is JSON like every other
// error; a 405 keeps its status and its Allow header.
func TestServe_NoRouteErrors(t *testing.T) {
	p := serve(t, sqliteURL(t))
	base := p.URL + "/v1/sqldict/"

	for _, path := range []string{"/", "/nowhere", "/v1", "/v1/sqldict", "/v1/sqldict/nothing", "/v2/sqldict/keys/k"} {
		c := do(t, "GET", p.URL+path, "").wantErr(404, "not_found")
		if !strings.Contains(c.body, "no route for GET") {
			t.Fatalf("GET %s: body %s, want the route named", path, c.body)
		}
	}
	for _, tc := range []struct{ method, path, allow string }{
		{"POST", "keys/k", "DELETE, GET, HEAD, PUT"},
		{"PATCH", "keys/k", "DELETE, GET, HEAD, PUT"},
		{"PUT", "commit", "POST"},
		{"GET", "commit", "POST"},
		{"DELETE", "stat", "GET, HEAD"},
	} {
		c := do(t, tc.method, base+tc.path, "").wantErr(405, "invalid_argument").header("Allow", tc.allow)
		if !strings.Contains(c.body, "allowed: "+tc.allow) {
			t.Fatalf("%s %s: body %s", tc.method, tc.path, c.body)
		}
	}
	do(t, "POST", p.URL+"/healthz", "").wantErr(405, "invalid_argument").header("Allow", "GET, HEAD")
	// HEAD: the status and headers, no body.
	if c := do(t, "HEAD", p.URL+"/nowhere", "").want(404).header("Content-Type", "application/json"); c.body != "" {
		t.Fatalf("HEAD body %q", c.body)
	}
	// A JSON error body decodes into api.ErrorBody.
	var b api.ErrorBody
	if err := json.Unmarshal([]byte(do(t, "PUT", base+"stat", "x").want(405).body), &b); err != nil || b.Error.Code != "invalid_argument" {
		t.Fatalf("decode 405: %+v, %v", b, err)
	}
	// They are logged and counted like routed requests.
	m := do(t, "GET", p.URL+"/metrics", "").want(200).body
	for _, want := range []string{`code="404",method="GET",route="unmatched"`, `code="405",method="POST",route="unmatched"`} {
		if !strings.Contains(m, want) {
			t.Fatalf("metrics lack %s", want)
		}
	}
	// Nothing was written.
	if st, err := p.Dict(sqldict.DefaultTable).Stat(t.Context()); err != nil || st.Sequence != 0 {
		t.Fatalf("stat %+v, %v; want sequence 0", st, err)
	}
}
