package main

import (
	"fmt"
	"io"
	"regexp"
	"strings"
	"testing"
)

// fakeTerminal makes Run draw progress on its stderr buffer, as it does on
// a terminal, for the rest of the test.
func fakeTerminal(t *testing.T) {
	t.Helper()
	saved := terminal
	terminal = func(io.Writer) bool { return true }
	t.Cleanup(func() { terminal = saved })
}

// TestRun_Progress: prune, import and export draw progress on a terminal
// and print a one-line summary always, also when redirected (they used to
// print nothing redirected).
func TestRun_Progress(t *testing.T) {
	for _, tty := range []bool{false, true} {
		t.Run(fmt.Sprintf("terminal=%v", tty), func(t *testing.T) {
			if tty {
				fakeTerminal(t)
			}
			c := newCLI(t)
			for i := range 5 {
				c.ok("", "set", "k", fmt.Sprint(i))
			}
			c.ok("", "set", "other", "x")
			// export to stdout: the data on stdout, the summary on stderr.
			r := c.run("", "export")
			if r.code != 0 || !strings.HasSuffix(r.out, "{\"end\":true,\"rows\":6}\n") {
				t.Fatalf("export: exit %d, stdout %q", r.code, r.out)
			}
			checkSummary(t, "export", r.err, `exported 6 rows of sqldict through sequence 6, horizon 0 \(in .*\)\n$`, tty)
			dump := r.out
			// export -o: the summary on stdout.
			c.ok("", "export", "-o", c.dir+"/dump.jsonl")
			r = c.run("", "export", "-o", c.dir+"/dump.jsonl")
			checkSummary(t, "export -o", r.out, `^exported 6 rows`, false)

			other := newCLI(t)
			r = other.run(dump, "import")
			if r.code != 0 {
				t.Fatalf("import: exit %d, %q", r.code, r.err)
			}
			checkSummary(t, "import", r.out, `^imported 6 rows into sqldict: sequence 6, horizon 0 \(in .*\)\n$`, false)
			checkProgress(t, "import", r.err, "importing", tty)

			r = c.run("", "prune", "--keep-versions", "1")
			if r.code != 0 {
				t.Fatalf("prune: exit %d, %q", r.code, r.err)
			}
			checkSummary(t, "prune", r.out, `^pruned 4 rows in 1 transaction \(in .*\); points before sequence 5 are no longer readable\n$`, false)
			checkProgress(t, "prune", r.err, "pruning: 4 rows", tty)
		})
	}
}

// checkSummary checks the one-line summary a verb printed (on out) against
// a regexp; with progress the bar precedes it on the same stream.
func checkSummary(t *testing.T, verb, out, pattern string, withBar bool) {
	t.Helper()
	if withBar {
		checkProgress(t, verb, out, "exporting", true)
		// The bar is cleared with a carriage return; the summary follows.
		out = out[strings.LastIndex(out, "\r")+1:]
	}
	if !regexp.MustCompile(pattern).MatchString(out) {
		t.Errorf("%s summary %q, want %s", verb, out, pattern)
	}
}

// checkProgress checks that the bar was drawn exactly when on a terminal.
func checkProgress(t *testing.T, verb, stderr, want string, tty bool) {
	t.Helper()
	if tty && !strings.Contains(stderr, want) {
		t.Errorf("%s on a terminal: stderr %q lacks progress %q", verb, stderr, want)
	}
	if !tty && strings.Contains(stderr, want) {
		t.Errorf("%s redirected drew progress: %q", verb, stderr)
	}
}

// TestRun_Prune_Summary: the summary says what happened in words that are
// true: nothing pruned is not "0 rows ... before sequence 0 are no longer
// readable", and rows removed without moving the horizon lose no point.
func TestRun_Prune_Summary(t *testing.T) {
	c := newCLI(t)
	c.ok("", "set", "k", "1")
	if got := c.ok("", "prune", "--keep-versions", "1"); got != "nothing to prune; all history stays readable\n" {
		t.Errorf("prune of nothing printed %q", got)
	}
	c.ok("", "set", "k", "2")
	c.ok("", "set", "k", "3")
	c.ok("", "prune", "--keep-versions", "1")
	if got := c.ok("", "prune", "--keep-versions", "1"); got != "nothing to prune; points from sequence 3 on stay readable\n" {
		t.Errorf("second prune printed %q", got)
	}
	// A deleted key dropped behind the horizon: rows go, the horizon stays.
	c.ok("", "set", "gone", "x") // 4
	c.ok("", "del", "gone")      // 5
	c.ok("", "prune", "--through", "5")
	got := c.ok("", "prune", "--drop-deleted")
	if !strings.HasPrefix(got, "pruned 1 row in 1 transaction") || !strings.Contains(got, "no readable point was lost (horizon still 5)") {
		t.Errorf("drop-deleted printed %q", got)
	}
	// --keep-for takes days, like --as-of.
	if got := c.ok("", "prune", "--keep-for", "30d"); !strings.HasPrefix(got, "nothing to prune") {
		t.Errorf("prune --keep-for 30d printed %q", got)
	}
}
