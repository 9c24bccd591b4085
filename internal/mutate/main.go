// Command mutate checks that the tests catch the bugs that would cost data
// or access. It applies each one-line mutation of a kept list
// (internal/mutate/mutants.txt) to a scratch copy of its file, runs the
// package tests it names on SQLite with that copy swapped in through go
// build's -overlay (passed in GOFLAGS, so that binaries the tests build
// themselves carry the mutation too; the working tree is never written), and
// fails when any mutant survives, that is when every test still passes.
//
// Before the mutants it runs each test selection once unmutated: a
// selection that fails on its own would count every mutant as caught. A
// mutant whose original snippet no longer occurs exactly once in its file,
// or whose mutation does not compile, is an error, never a silent pass.
//
// Usage, from the module root:
//
//	go run ./internal/mutate [-list FILE] [-j N] [-only REGEXP] [-timeout D]
//
// Exit status: 0 every mutant killed, 1 one survived, 2 the list or the
// unmutated tests are broken.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"time"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout))
}

// config is the command line.
type config struct {
	list    string
	jobs    int
	only    *regexp.Regexp
	timeout time.Duration
	root    string
}

func parseFlags(args []string) (config, error) {
	var c config
	fs := flag.NewFlagSet("mutate", flag.ContinueOnError)
	fs.StringVar(&c.list, "list", "internal/mutate/mutants.txt", "the mutants file")
	fs.IntVar(&c.jobs, "j", 2, "go test runs at once")
	only := fs.String("only", "", "run only the mutants whose name matches this regexp")
	fs.DurationVar(&c.timeout, "timeout", 4*time.Minute, "go test -timeout of each run")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	var err error
	if c.only, err = regexp.Compile(*only); err != nil {
		return c, fmt.Errorf("-only: %w", err)
	}
	if c.jobs < 1 {
		return c, fmt.Errorf("-j %d: want at least 1", c.jobs)
	}
	c.root, err = os.Getwd()
	if err == nil {
		_, err = os.Stat("go.mod")
	}
	return c, err
}

func run(args []string, out io.Writer) int {
	c, err := parseFlags(args)
	if err != nil {
		fmt.Fprintln(out, "mutate:", err)
		return 2
	}
	ms, err := selected(c)
	if err != nil {
		fmt.Fprintln(out, "mutate:", err)
		return 2
	}
	start := time.Now()
	if err := baseline(c, ms, out); err != nil {
		fmt.Fprintln(out, "mutate:", err)
		return 2
	}
	res := runAll(c, ms, out)
	return summary(res, time.Since(start), out)
}

// selected parses the list, keeps the mutants -only selects and checks
// every one of them, reporting all problems at once.
func selected(c config) ([]mutant, error) {
	all, err := parseList(c.list)
	if err != nil {
		return nil, err
	}
	var ms []mutant
	var bad []error
	seen := map[string]bool{}
	for _, m := range all {
		if seen[m.name] {
			bad = append(bad, fmt.Errorf("%s: two mutants of that name", m.name))
		}
		seen[m.name] = true
		if err := m.check(c.root); err != nil {
			bad = append(bad, err)
		}
		if c.only.MatchString(m.name) {
			ms = append(ms, m)
		}
	}
	if len(bad) > 0 {
		msg := fmt.Sprintf("%d broken mutants in %s:", len(bad), c.list)
		for _, err := range bad {
			msg += "\n  " + err.Error()
		}
		return nil, fmt.Errorf("%s", msg)
	}
	if len(ms) == 0 {
		return nil, fmt.Errorf("no mutant in %s matches -only %q", c.list, c.only)
	}
	return ms, nil
}
