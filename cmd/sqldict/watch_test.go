package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"
)

// watchCLI starts sqldict watch args… and returns its output lines and a
// stop function that interrupts it and returns its exit code.
func (c *cli) watch(args ...string) (*bufio.Scanner, func() (int, string)) {
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	var errb strings.Builder
	done := make(chan int, 1)
	go func() {
		code := Run(ctx, append([]string{"--db", c.url, "watch"}, args...), strings.NewReader(""), pw, &errb)
		pw.Close()
		done <- code
	}()
	lines := bufio.NewScanner(pr)
	return lines, func() (int, string) {
		cancel()
		for lines.Scan() {
		}
		return <-done, errb.String()
	}
}

func TestRun_Watch(t *testing.T) {
	c := newCLI(t)
	c.ok("", "set", "cfg/old", "1")
	c.ok("", "set", "other", "x")

	// Replay from the start, then follow; only the prefix.
	lines, stop := c.watch("--prefix", "cfg/", "--after", "0")
	next := func() string {
		t.Helper()
		if !lines.Scan() {
			t.Fatal("watch ended early")
		}
		return lines.Text()
	}
	if got := next(); !strings.HasPrefix(got, "1 ") || !strings.HasSuffix(got, `set "cfg/old" (version 1) "1"`) {
		t.Fatalf("first line %q", got)
	}
	c.ok("", "set", "other", "y")
	c.ok("", "set", "cfg/new", "a\x00b")
	c.ok("", "del", "cfg/old")
	if got := next(); !strings.HasPrefix(got, "4 ") || !strings.HasSuffix(got, `set "cfg/new" (version 1) <3 bytes binary>`) {
		t.Fatalf("second line %q", got)
	}
	if got := next(); !strings.HasPrefix(got, "5 ") || !strings.HasSuffix(got, `del "cfg/old" (version 2)`) {
		t.Fatalf("third line %q", got)
	}
	if code, stderr := stop(); code != exitOK {
		t.Fatalf("interrupted watch: exit %d, stderr %q", code, stderr)
	}

	// JSON lines; by default only commits after the start. The watch may
	// start after any of these sets: none before it may show.
	lines, stop = c.watch("--json")
	first := make(chan string, 1)
	go func() {
		if lines.Scan() {
			first <- lines.Text()
		}
		close(first)
	}()
	var line string
	for i := 0; line == ""; i++ {
		c.ok("", "set", "k", fmt.Sprint(i))
		select {
		case l, ok := <-first:
			if !ok {
				t.Fatal("json watch ended early")
			}
			line = l
		default:
		}
	}
	var e jsonEntry
	if err := json.Unmarshal([]byte(line), &e); err != nil {
		t.Fatal(err)
	}
	if e.Key != "k" || e.Value == nil || e.Sequence < 6 || e.Sequence != e.Version+5 {
		t.Fatalf("json watch %+v", e)
	}
	if code, stderr := stop(); code != exitOK {
		t.Fatalf("interrupted json watch: exit %d, stderr %q", code, stderr)
	}

	c.fails(exitUsage, "--after", "", "watch", "--after", "-3")
	c.fails(exitUsage, "too many arguments", "", "watch", "extra")
}
