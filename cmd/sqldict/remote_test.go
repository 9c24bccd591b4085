package main

import (
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sqldict/sqldict/server"
	"github.com/sqldict/sqldict/sqldict"
)

// TestRemote: the verbs that work against a server do, through package
// client, with the token from SQLDICT_TOKEN; the others refuse the URL.
func TestRemote(t *testing.T) {
	local := newCLI(t)
	local.ok("", "set", "seed", "x")
	d := local.dict()
	toks, err := server.ParseTokens(strings.NewReader("tok write\n"))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(server.Config{Tables: map[string]*sqldict.Dict{d.Table(): d}, Tokens: toks, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	c := &cli{t: t, dir: local.dir, url: ts.URL}

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
	c.fails(exitUsage, "is a server", "", "export")
	c.fails(exitUsage, "is a server", "", "serve")
	if v, err := d.Get(t.Context(), "cfg"); err != nil || string(v) != "two" {
		t.Fatalf("the server's journal holds %q, %v", v, err)
	}
}
