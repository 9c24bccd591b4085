package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"
)

// outcome is what one go test run showed.
type outcome int

const (
	passed   outcome = iota // every test passed
	failed                  // a test failed, panicked or timed out
	unusable                // the code did not build: no test ran
)

// result is one mutant's run.
type result struct {
	m        mutant
	outcome  outcome
	evidence string // the failing test's first lines, or the build error
	took     time.Duration
}

// goTest runs the tests of pkgs matching run, with overlay (an -overlay
// file, "" for none) in GOFLAGS.
func goTest(c config, pkgs []string, run, overlay string) (outcome, string) {
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout+time.Minute)
	defer cancel()
	args := []string{"test", "-count=1", "-vet=off", "-failfast", "-timeout", c.timeout.String()}
	if run != "" {
		args = append(args, "-run", run)
	}
	cmd := exec.CommandContext(ctx, "go", append(args, pkgs...)...)
	cmd.Dir = c.root
	cmd.Env = os.Environ()
	if overlay != "" {
		cmd.Env = append(cmd.Env, "GOFLAGS="+strings.TrimSpace(os.Getenv("GOFLAGS")+" -overlay="+overlay))
	}
	out, err := cmd.CombinedOutput()
	switch {
	case err == nil:
		return passed, ""
	case buildFailed.Match(out):
		return unusable, tail(string(out), 15)
	}
	return failed, evidence(string(out))
}

var (
	buildFailed = regexp.MustCompile(`\[(build|setup) failed\]`)
	failLine    = regexp.MustCompile(`(?m)^\s*(--- FAIL: .*|panic: .*|\S+\.go:\d+: .*)$`)
)

// evidence picks the lines that say which test failed and why.
func evidence(out string) string {
	lines := failLine.FindAllString(out, 4)
	if len(lines) == 0 {
		return tail(out, 5)
	}
	for i := range lines {
		lines[i] = strings.TrimSpace(lines[i])
		if len(lines[i]) > 240 {
			lines[i] = lines[i][:240] + "…"
		}
	}
	return strings.Join(lines, "\n")
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// baseline runs each distinct test selection once without a mutant; all
// must pass.
func baseline(c config, ms []mutant, out io.Writer) error {
	type sel struct{ pkgs, run string }
	var sels []sel
	seen := map[sel]bool{}
	for _, m := range ms {
		s := sel{strings.Join(m.pkgs, " "), m.run}
		if !seen[s] {
			seen[s] = true
			sels = append(sels, s)
		}
	}
	fmt.Fprintf(out, "mutate: %d test selections unmutated first\n", len(sels))
	errs := make([]error, len(sels))
	parallel(c.jobs, len(sels), func(i int) {
		s := sels[i]
		if o, ev := goTest(c, strings.Fields(s.pkgs), s.run, ""); o != passed {
			errs[i] = fmt.Errorf("without any mutant, go test -run %q %s fails:\n%s", s.run, s.pkgs, ev)
		}
	})
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// runAll runs every mutant, c.jobs at a time, printing each result as it
// comes.
func runAll(c config, ms []mutant, out io.Writer) []result {
	res := make([]result, len(ms))
	var mu sync.Mutex
	parallel(c.jobs, len(ms), func(i int) {
		r := runOne(c, ms[i])
		res[i] = r
		mu.Lock()
		defer mu.Unlock()
		report(out, r)
	})
	return res
}

// runOne applies m to a scratch copy of its file and runs its tests.
func runOne(c config, m mutant) result {
	start := time.Now()
	r := result{m: m, outcome: unusable}
	dir, err := os.MkdirTemp("", "sqldict-mutate")
	if err != nil {
		r.evidence = err.Error()
		return r
	}
	defer os.RemoveAll(dir)
	overlay, err := writeOverlay(c.root, dir, m)
	if err != nil {
		r.evidence = err.Error()
		return r
	}
	r.outcome, r.evidence = goTest(c, m.pkgs, m.run, overlay)
	r.took = time.Since(start)
	return r
}

// writeOverlay writes the mutated file and an -overlay file naming it in
// dir, and returns the overlay file's path.
func writeOverlay(root, dir string, m mutant) (string, error) {
	src, err := m.apply(root)
	if err != nil {
		return "", err
	}
	mutated := filepath.Join(dir, filepath.Base(m.file))
	if err := os.WriteFile(mutated, src, 0o600); err != nil {
		return "", err
	}
	b, err := json.Marshal(map[string]map[string]string{"Replace": {filepath.Join(root, m.file): mutated}})
	if err != nil {
		return "", err
	}
	overlay := filepath.Join(dir, "overlay.json")
	return overlay, os.WriteFile(overlay, b, 0o600)
}

// parallel calls fn(0..n-1), jobs at a time.
func parallel(jobs, n int, fn func(i int)) {
	sem := make(chan struct{}, jobs)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			fn(i)
		}()
	}
	wg.Wait()
}

func report(out io.Writer, r result) {
	verdict := map[outcome]string{passed: "SURVIVED", failed: "killed", unusable: "BROKEN"}[r.outcome]
	fmt.Fprintf(out, "%-8s %s (%s, %s, %.0fs)\n", verdict, r.m.name, r.m.file, strings.Join(r.m.pkgs, " "), r.took.Seconds())
	switch r.outcome {
	case passed:
		fmt.Fprintf(out, "         every test passed with %q -> %q\n         why it matters: %s\n", r.m.orig, r.m.repl, r.m.why)
	default:
		fmt.Fprintf(out, "         %s\n", strings.ReplaceAll(r.evidence, "\n", "\n         "))
	}
}

// summary prints the score and returns the exit status.
func summary(res []result, took time.Duration, out io.Writer) int {
	var killed, survived, broken int
	for _, r := range res {
		switch r.outcome {
		case failed:
			killed++
		case passed:
			survived++
		default:
			broken++
		}
	}
	fmt.Fprintf(out, "mutate: %d of %d mutants killed, %d survived, %d broken, in %s\n", killed, len(res), survived, broken, took.Round(time.Second))
	switch {
	case broken > 0:
		return 2
	case survived > 0:
		return 1
	}
	return 0
}
