package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sqldict/sqldict/sqldict"
)

// TestMain lets the test binary stand in for the sqldict binary: scripted
// editors run it as a second writer process.
func TestMain(m *testing.M) {
	if os.Getenv("SQLDICT_TEST_MAIN") == "1" {
		os.Exit(Run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// cli runs commands against one fresh SQLite file.
type cli struct {
	t    *testing.T
	dir  string
	path string
	url  string
}

func newCLI(t *testing.T) *cli {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "journal.db")
	t.Setenv("SQLDICT_URL", "")
	t.Setenv("SQLDICT_TABLE", "")
	t.Setenv("SQLDICT_AUTHOR", "")
	t.Setenv("VISUAL", "")
	return &cli{t: t, dir: dir, path: path, url: "sqlite:" + path}
}

type result struct {
	out, err string
	code     int
}

// run runs sqldict --db URL args… with stdin.
func (c *cli) run(stdin string, args ...string) result {
	c.t.Helper()
	var out, errb bytes.Buffer
	code := Run(context.Background(), append([]string{"--db", c.url}, args...), strings.NewReader(stdin), &out, &errb)
	return result{out.String(), errb.String(), code}
}

// ok runs a command that must succeed and returns its stdout.
func (c *cli) ok(stdin string, args ...string) string {
	c.t.Helper()
	r := c.run(stdin, args...)
	if r.code != 0 {
		c.t.Fatalf("sqldict %s: exit %d, stderr %q", strings.Join(args, " "), r.code, r.err)
	}
	return r.out
}

// fails runs a command that must fail with code and a one-line message
// containing want.
func (c *cli) fails(code int, want string, stdin string, args ...string) result {
	c.t.Helper()
	r := c.run(stdin, args...)
	if r.code != code {
		c.t.Fatalf("sqldict %s: exit %d, want %d (stderr %q)", strings.Join(args, " "), r.code, code, r.err)
	}
	msg := r.err
	if strings.HasPrefix(msg, "{") { // --json: the message is in a JSON object
		msg = jsonErrorLine(c.t, r, code)
	}
	if strings.Count(r.err, "\n") != 1 || !strings.HasPrefix(msg, "sqldict") {
		c.t.Errorf("sqldict %s: stderr %q, want one line", strings.Join(args, " "), r.err)
	}
	if !strings.Contains(msg, want) {
		c.t.Errorf("sqldict %s: stderr %q, want it to mention %q", strings.Join(args, " "), r.err, want)
	}
	return r
}

// dict opens the journal directly, to check what the commands did.
func (c *cli) dict() *sqldict.Dict {
	c.t.Helper()
	d, err := sqldict.OpenURL(context.Background(), c.url, sqldict.Options{})
	if err != nil {
		c.t.Fatal(err)
	}
	c.t.Cleanup(func() { d.Close() })
	return d
}

func (c *cli) head() int64 {
	c.t.Helper()
	d, err := sqldict.OpenURL(context.Background(), c.url, sqldict.Options{})
	if err != nil {
		c.t.Fatal(err)
	}
	defer d.Close()
	st, err := d.Stat(context.Background())
	if err != nil {
		c.t.Fatal(err)
	}
	return st.Sequence
}

func (c *cli) file(name, content string) string {
	c.t.Helper()
	p := filepath.Join(c.dir, name)
	if err := os.WriteFile(p, []byte(content), 0o755); err != nil {
		c.t.Fatal(err)
	}
	return p
}
