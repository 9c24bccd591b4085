package main

import (
	"fmt"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/sqldict/sqldict/server"
	"github.com/sqldict/sqldict/sqldict"
)

// TestRemote: the verbs that work against a server do, through package
// client, with the token from SQLDICT_TOKEN; the others refuse the URL.
func TestRemote(t *testing.T) {
	local := newCLI(t)
	local.ok("", "set", "seed", "x")
	d := local.dict()
	c := serveCLI(t, local, d, "tok write\n")

	c.fails(1, "unauthorized", "", "get", "seed")
	t.Setenv("SQLDICT_TOKEN", "tok")
	if out := c.ok("", "get", "seed"); out != "x" {
		t.Fatalf("get: %q", out)
	}
	c.ok("", "set", "cfg", "one", "--author", "ana")
	c.ok("two", "set", "cfg", "-", "--if-version", "1")
	c.fails(exitConflict, "conflict", "", "set", "cfg", "three", "--if-version", "1")
	if out := c.ok("", "get", "cfg", "--at", "2"); out != "one" {
		t.Fatalf("get --at 2: %q", out)
	}
	if out := c.ok("", "get", "cfg", "--version", "1"); out != "one" {
		t.Fatalf("get --version 1: %q", out)
	}
	if out := c.ok("", "keys"); out != "cfg\nseed\n" {
		t.Fatalf("keys: %q", out)
	}
	if out := c.ok("", "len", "--at", "1"); strings.TrimSpace(out) != "1" {
		t.Fatalf("len --at 1: %q", out)
	}
	if out := c.ok("", "log", "cfg"); !strings.Contains(out, "version 2") || !strings.Contains(out, "Author:  ana") {
		t.Fatalf("log: %q", out)
	}
	c.ok("", "del", "seed")
	c.fails(exitNotFound, "not found", "", "get", "seed")
	c.fails(exitUsage, "is a server", "", "serve")
	if v, err := d.Get(t.Context(), "cfg"); err != nil || string(v) != "two" {
		t.Fatalf("the server's journal holds %q, %v", v, err)
	}
}

// serveCLI serves d (the journal of local) in-process with the tokens and
// returns a cli whose --db is the server's URL.
func serveCLI(t *testing.T, local *cli, d *sqldict.Dict, tokens string) *cli {
	t.Helper()
	toks, err := server.ParseTokens(strings.NewReader(tokens))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(server.Config{Tables: map[string]*sqldict.Dict{d.Table(): d}, Tokens: toks, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(func() { srv.Close(); ts.Close() })
	return &cli{t: t, dir: local.dir, url: ts.URL}
}

// TestRemote_JournalVerbs: diff, export, watch and prune print over HTTP
// exactly what they print on the database; import, migrate, typed and
// serve refuse the URL, naming the verbs that do work.
func TestRemote_JournalVerbs(t *testing.T) {
	local := newCLI(t)
	d := local.dict()
	ctx := t.Context()
	// More rows than one page of GET /log (1000), a tombstone, an empty
	// and a binary value, metadata.
	var ws []sqldict.Write
	for i := range 1100 {
		ws = append(ws, sqldict.Write{Key: fmt.Sprintf("bulk/%04d", i), Value: []byte{byte(i), 0, 0xff}, Author: "bulk"})
	}
	if _, err := d.Commit(ctx, ws...); err != nil {
		t.Fatal(err)
	}
	local.ok("", "set", "cfg", "one", "--author", "ana", "--comment", "first é")
	local.ok("", "set", "empty", "")
	time.Sleep(20 * time.Millisecond)
	mid := time.Now().UTC().Format(time.RFC3339Nano)
	time.Sleep(20 * time.Millisecond)
	local.ok("", "set", "cfg", "two")
	local.ok("", "del", "bulk/0007")
	local.ok("", "set", "new", "x")

	t.Setenv("SQLDICT_TOKEN", "tok")
	c := serveCLI(t, local, d, "tok write\nadm admin\n")
	same := func(args ...string) string {
		t.Helper()
		want, got := local.ok("", args...), c.ok("", args...)
		if got != want {
			t.Fatalf("sqldict %s over HTTP:\n%s\nlocally:\n%s", strings.Join(args, " "), got, want)
		}
		return got
	}

	if out := same("export"); !strings.Contains(out, `"rows":1105}`) {
		t.Fatalf("export trailer: %s", out[max(0, len(out)-200):])
	}
	same("--json", "export")
	same("diff", "cfg", "1", "2")
	same("diff", "--json", "cfg", "1", "2")
	if out := same("diff", "--from", mid, "--utc", "-p"); !strings.Contains(out, "1 added, 1 changed, 1 deleted") {
		t.Fatalf("diff --from: %s", out)
	}
	same("diff", "--from", mid, "--json")
	c.fails(exitPruned, "", "", "diff", "--from", "-1h", "--to", time.Now().Add(time.Hour).Format(time.RFC3339))

	// watch --after replays the same lines, then follows a new commit.
	lines, stop := c.watch("--after", "1100", "--utc")
	want := strings.Split(strings.TrimSpace(localWatch(t, local, 1100, 5)), "\n")
	for i, w := range want {
		if !lines.Scan() {
			t.Fatalf("remote watch ended after %d lines", i)
		}
		if lines.Text() != w {
			t.Fatalf("remote watch line %d: %q, locally %q", i, lines.Text(), w)
		}
	}
	c.ok("", "set", "late", "z")
	if !lines.Scan() || !strings.Contains(lines.Text(), `set "late" (version 1) "z"`) {
		t.Fatalf("remote watch after a new commit: %q", lines.Text())
	}
	if code, stderr := stop(); code != exitOK {
		t.Fatalf("remote watch: exit %d, %s", code, stderr)
	}

	// prune: admin scope only; the server's journal is pruned.
	c.fails(exitError, "forbidden", "", "prune", "--keep-versions", "1")
	t.Setenv("SQLDICT_TOKEN", "adm")
	if out := c.ok("", "prune", "--keep-versions", "1"); !strings.HasPrefix(out, "pruned 2 rows") {
		t.Fatalf("remote prune: %q", out)
	}
	if st, err := d.Stat(ctx); err != nil || st.Horizon == 0 {
		t.Fatalf("after a remote prune: %+v, %v", st, err)
	}
	same("export")

	for _, args := range [][]string{{"import", "-"}, {"migrate"}, {"migrate", "--status"}, {"typed", "get", "k"}, {"serve"}} {
		c.fails(exitUsage, "only "+remoteVerbs+" work", "", args...)
	}
}

// localWatch returns the first n lines of a local watch --after after.
func localWatch(t *testing.T, c *cli, after int64, n int) string {
	t.Helper()
	lines, stop := c.watch("--after", fmt.Sprint(after), "--utc")
	var b strings.Builder
	for range n {
		if !lines.Scan() {
			t.Fatal("local watch ended early")
		}
		b.WriteString(lines.Text() + "\n")
	}
	stop()
	return b.String()
}
