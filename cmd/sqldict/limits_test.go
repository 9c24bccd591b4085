package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
)

// TestRun_Set_TooLarge: a value over the limit read from stdin is refused
// with its real size when stdin is a file and as "more than the limit" when
// it is a stream (it used to report the limit plus one byte as its size);
// --max-value-size raises the limit.
func TestRun_Set_TooLarge(t *testing.T) {
	c := newCLI(t)
	c.ok("", "set", "k", "v")
	const size = 9_000_000
	huge := bytes.Repeat([]byte{'x'}, size)
	r := c.fails(exitUsage, "value on stdin is more than the limit of 8388608 bytes", string(huge), "set", "huge", "-")
	if !strings.Contains(r.err, "--max-value-size") || strings.Contains(r.err, "8388609") {
		t.Errorf("stream over the limit: %q", r.err)
	}

	path := c.file("huge.bin", string(huge))
	runFile := func(args ...string) result {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		var out, errb bytes.Buffer
		code := Run(context.Background(), append([]string{"--db", c.url}, args...), f, &out, &errb)
		return result{out.String(), errb.String(), code}
	}
	if r := runFile("set", "huge", "-"); r.code != exitUsage || !strings.Contains(r.err, "value on stdin of 9000000 bytes exceeds the limit of 8388608 bytes") {
		t.Errorf("file over the limit: exit %d, %q", r.code, r.err)
	}
	if c.head() != 1 {
		t.Fatalf("a refused value was written")
	}
	if r := runFile("set", "huge", "-", "--max-value-size", "16M"); r.code != exitOK {
		t.Fatalf("set with --max-value-size 16M: exit %d, %q", r.code, r.err)
	}
	if got := c.ok("", "get", "huge"); len(got) != size {
		t.Errorf("stored %d bytes, want %d", len(got), size)
	}
	// The limit applies to values given as arguments too.
	c.fails(exitUsage, "exceeds MaxValueSize 4", "", "set", "small", "12345", "--max-value-size", "4")
}

// TestRun_PruneOnWrite: --prune-on-write makes a write remove the older
// versions of the key it writes.
func TestRun_PruneOnWrite(t *testing.T) {
	c := newCLI(t)
	c.ok("", "set", "k", "1")
	c.ok("", "set", "k", "2")
	if n := strings.Count(c.ok("", "log", "k"), "version "); n != 2 {
		t.Fatalf("log shows %d versions before, want 2", n)
	}
	c.ok("", "--prune-on-write", "set", "k", "3")
	if n := strings.Count(c.ok("", "log", "k"), "version "); n != 1 {
		t.Errorf("log shows %d versions after a pruning write, want 1", n)
	}
	c.fails(exitPruned, "pruned", "", "get", "k", "--at", "2")
	if got := c.ok("", "get", "k"); got != "3" {
		t.Errorf("get k = %q", got)
	}
	if got := c.ok("", "help"); !strings.Contains(got, "--prune-on-write") || !strings.Contains(got, "--max-value-size") {
		t.Errorf("help does not list the new global flags:\n%s", got)
	}
}
