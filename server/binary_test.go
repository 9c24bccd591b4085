package server_test

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sqldict/sqldict/server/servetest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	servetest.Cleanup()
	os.Exit(code)
}

// sqliteURL is a fresh SQLite file of the test.
func sqliteURL(t *testing.T) string {
	return "sqlite:" + filepath.Join(t.TempDir(), "journal.db")
}

// serve starts the real binary on db; see servetest.Start.
func serve(t *testing.T, db string, args ...string) *servetest.Proc {
	t.Helper()
	return servetest.Start(t, db, args...)
}

// call is one request and what it got.
type call struct {
	t      *testing.T
	resp   *http.Response
	body   string
	status int
}

// do sends a request; hdr holds header pairs.
func do(t *testing.T, method, url, body string, hdr ...string) *call {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasPrefix(body, "{") {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i] == "Host" {
			req.Host = hdr[i+1]
			continue
		}
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, url, err)
	}
	return &call{t: t, resp: resp, body: string(b), status: resp.StatusCode}
}

// want checks the status.
func (c *call) want(status int) *call {
	c.t.Helper()
	if c.status != status {
		c.t.Fatalf("%s %s: status %d, want %d; body %s", c.resp.Request.Method, c.resp.Request.URL, c.status, status, c.body)
	}
	return c
}

// wantErr checks an error response's status and code.
func (c *call) wantErr(status int, code string) *call {
	c.t.Helper()
	c.want(status)
	if ct := c.resp.Header.Get("Content-Type"); ct != "application/json" {
		c.t.Fatalf("error Content-Type %q, want application/json", ct)
	}
	if !strings.Contains(c.body, `"code":"`+code+`"`) {
		c.t.Fatalf("%s %s: body %s, want code %q", c.resp.Request.Method, c.resp.Request.URL, c.body, code)
	}
	return c
}

// header checks one response header.
func (c *call) header(name, want string) *call {
	c.t.Helper()
	if got := c.resp.Header.Get(name); got != want {
		c.t.Fatalf("%s %s: header %s = %q, want %q", c.resp.Request.Method, c.resp.Request.URL, name, got, want)
	}
	return c
}
