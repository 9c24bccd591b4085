// Package servetest runs the real sqldict binary's "serve" for black-box
// tests: Build compiles it once, Start runs it on a free loopback port and
// stops it with SIGTERM when the test ends. The server package's tests and
// the integration module (MariaDB, PostgreSQL) share it.
package servetest

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

	"github.com/sqldict/sqldict/client"
	"github.com/sqldict/sqldict/sqldict"
	"github.com/sqldict/sqldict/sqldict/sqldicttest"

	_ "github.com/sqldict/sqldict/dialects/all" // the URL names the engine
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// Binary returns the path of the sqldict binary, built on first use into a
// temporary directory (removed by Cleanup).
func Binary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "sqldict-servetest")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "sqldict")
		// Built inside the library's own module, whose go.sum covers the
		// CLI's dependencies, whichever module the test runs in.
		root, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/sqldict/sqldict").Output()
		if err != nil {
			buildErr = fmt.Errorf("find the sqldict module: %v", err)
			return
		}
		build := exec.Command("go", "build", "-o", binPath, "./cmd/sqldict")
		build.Dir = strings.TrimSpace(string(root))
		out, err := build.CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("build sqldict: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// Cleanup removes the built binary; call it from TestMain after m.Run.
func Cleanup() {
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
}

// Proc is a running "sqldict serve".
type Proc struct {
	t      testing.TB
	cmd    *exec.Cmd
	URL    string // http://127.0.0.1:PORT (https:// with TLS)
	DB     string // the database URL it serves
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

// Start runs "sqldict --db db serve --listen 127.0.0.1:0 args…" and, for
// plain HTTP, waits until /healthz answers 200. The process gets SIGTERM
// when the test ends.
func Start(t testing.TB, db string, args ...string) *Proc {
	t.Helper()
	p := &Proc{t: t, DB: db, stderr: &syncBuffer{}, done: make(chan error, 1)}
	all := append([]string{"--db", db, "serve", "--listen", "127.0.0.1:0"}, args...)
	p.cmd = exec.Command(Binary(t), all...)
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
	t.Cleanup(func() { _ = p.Stop() })
	if strings.HasPrefix(p.URL, "https") {
		return p // the caller has the certificate to check health with
	}
	for i := 0; ; i++ {
		resp, err := http.Get(p.URL + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p
			}
		}
		if i == 400 {
			t.Fatalf("serve never got healthy: %v\n%s", err, p.stderr)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// Signal sends sig to the process (SIGHUP reloads its tokens).
func (p *Proc) Signal(sig os.Signal) {
	p.t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		p.t.Fatal(err)
	}
}

// Stderr returns what the server logged so far.
func (p *Proc) Stderr() string { return p.stderr.String() }

// Stop sends SIGTERM and waits for the exit; nil means exit status 0.
// Stopping twice returns the first result.
func (p *Proc) Stop() error {
	select {
	case err := <-p.done:
		p.done <- err
		return err
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.done:
		p.done <- err
		return err
	case <-time.After(60 * time.Second):
		_ = p.cmd.Process.Kill()
		p.t.Errorf("serve did not stop within 60s after SIGTERM\n%s", p.stderr)
		err := <-p.done
		p.done <- err
		return err
	}
}

// Dict opens the served journal directly, to check what the server did.
func (p *Proc) Dict(table string) *sqldict.Dict {
	p.t.Helper()
	d, err := sqldict.OpenURL(context.Background(), p.DB, sqldict.Options{Table: table})
	if err != nil {
		p.t.Fatal(err)
	}
	p.t.Cleanup(func() { d.Close() })
	return d
}

// Store serves a fresh journal of db (its own table) with the binary and
// returns a client of it, for sqldicttest.RunStore. The journal's
// invariants are checked when the test ends; drop, when set, then removes
// its tables.
func Store(t *testing.T, db string, drop func(t testing.TB, table string)) *client.Client {
	t.Helper()
	table := sqldicttest.UniqueTable()
	p := Start(t, db, "--table", table)
	d := p.Dict(table)
	t.Cleanup(func() {
		sqldicttest.CheckInvariants(t, d)
		if drop != nil {
			drop(t, table)
		}
	})
	c, err := client.New(p.URL, client.Options{Table: table})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}
