package server_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sqldict/sqldict/sqldict"
)

// sqldictBin is the real sqldict binary, built once for the black-box
// tests of this package.
var sqldictBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "sqldict-serve-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	sqldictBin = filepath.Join(dir, "sqldict")
	build := exec.Command("go", "build", "-o", sqldictBin, "github.com/sqldict/sqldict/cmd/sqldict")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build sqldict:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// proc is a running "sqldict serve".
type proc struct {
	t      *testing.T
	cmd    *exec.Cmd
	URL    string // http://127.0.0.1:PORT
	db     string // the database URL
	stderr *syncBuffer
	done   chan error
}

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// sqliteURL is a fresh SQLite file of the test.
func sqliteURL(t *testing.T) string {
	return "sqlite:" + filepath.Join(t.TempDir(), "journal.db")
}

// serve starts the binary on a free loopback port with the database db and
// extra flags, and waits until /healthz answers. The process is stopped
// with SIGTERM when the test ends.
func serve(t *testing.T, db string, args ...string) *proc {
	t.Helper()
	p := &proc{t: t, db: db, stderr: &syncBuffer{}, done: make(chan error, 1)}
	all := append([]string{"--db", db, "serve", "--listen", "127.0.0.1:0"}, args...)
	p.cmd = exec.Command(sqldictBin, all...)
	p.cmd.Stderr = p.stderr
	out, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		_ = p.cmd.Wait()
		t.Fatalf("serve %v did not start: %v\n%s", args, err, p.stderr)
	}
	_, p.URL, _ = strings.Cut(strings.TrimSpace(line), "listening on ")
	go func() {
		_, _ = io.Copy(io.Discard, out)
		p.done <- p.cmd.Wait()
	}()
	t.Cleanup(func() { p.stop() })
	if strings.HasPrefix(p.URL, "https") {
		return p // the TLS test waits itself
	}
	for i := 0; ; i++ {
		resp, err := http.Get(p.URL + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p
			}
		}
		if i == 200 {
			t.Fatalf("serve never got healthy: %v\n%s", err, p.stderr)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// stop sends SIGTERM and returns the exit error (nil for exit 0).
func (p *proc) stop() error {
	if p.cmd.ProcessState != nil {
		return nil
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.done:
		p.done <- err
		return err
	case <-time.After(60 * time.Second):
		_ = p.cmd.Process.Kill()
		p.t.Errorf("serve did not stop within 60s after SIGTERM\n%s", p.stderr)
		return <-p.done
	}
}

// dict opens the served journal directly, to check what the server did.
func (p *proc) dict(table string) *sqldict.Dict {
	p.t.Helper()
	d, err := sqldict.OpenURL(context.Background(), p.db, sqldict.Options{Table: table})
	if err != nil {
		p.t.Fatal(err)
	}
	p.t.Cleanup(func() { d.Close() })
	return d
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
	for i := 0; i+1 < len(hdr); i += 2 {
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
