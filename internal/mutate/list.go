package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// A mutant is one small bug: in file, the one occurrence of orig becomes
// repl; the tests in pkgs matching run must then fail.
type mutant struct {
	name string
	file string   // relative to the module root
	pkgs []string // go test package patterns
	run  string   // go test -run; empty runs every test of pkgs
	why  string
	orig string
	repl string
	line int // where the list defines it, for messages
}

// parseList reads a mutants file: records separated by blank lines, each
// of "key: value" lines (name, file, pkg, run, why) and one "- ORIGINAL"
// and one "+ REPLACEMENT" line; # starts a comment line. Snippets are taken
// without their surrounding spaces.
func parseList(path string) ([]mutant, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var ms []mutant
	var cur *mutant
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasPrefix(line, "#"):
			continue
		case line == "":
			cur = nil
			continue
		}
		if cur == nil {
			ms = append(ms, mutant{line: n})
			cur = &ms[len(ms)-1]
		}
		if err := cur.set(line); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, n, err)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return ms, nil
}

// set reads one line of a record.
func (m *mutant) set(line string) error {
	if s, ok := strings.CutPrefix(line, "- "); ok {
		m.orig = strings.TrimSpace(s)
		return nil
	}
	if s, ok := strings.CutPrefix(line, "+ "); ok {
		m.repl = strings.TrimSpace(s)
		return nil
	}
	key, val, ok := strings.Cut(line, ":")
	if !ok {
		return fmt.Errorf("want KEY: VALUE, - ORIGINAL or + REPLACEMENT, got %q", line)
	}
	val = strings.TrimSpace(val)
	switch key {
	case "name":
		m.name = val
	case "file":
		m.file = val
	case "pkg":
		m.pkgs = strings.Fields(val)
	case "run":
		m.run = val
	case "why":
		m.why = val
	default:
		return fmt.Errorf("unknown key %q", key)
	}
	return nil
}

// check reports what is wrong with m in the module at root: a missing
// field, or an original snippet that does not occur exactly once (code
// moved or changed: the mutant would test nothing).
func (m mutant) check(root string) error {
	switch {
	case m.name == "" || m.file == "" || len(m.pkgs) == 0 || m.why == "":
		return fmt.Errorf("line %d: a mutant needs name, file, pkg and why", m.line)
	case m.orig == "" || m.repl == "" || m.orig == m.repl:
		return fmt.Errorf("%s: needs a - ORIGINAL and a different + REPLACEMENT line", m.name)
	}
	src, err := os.ReadFile(filepath.Join(root, m.file))
	if err != nil {
		return fmt.Errorf("%s: %w", m.name, err)
	}
	if n := strings.Count(string(src), m.orig); n != 1 {
		return fmt.Errorf("%s: the original snippet occurs %d times in %s, want once (did the code change? update the list): %q", m.name, n, m.file, m.orig)
	}
	return nil
}

// apply returns the file's source with the mutation made.
func (m mutant) apply(root string) ([]byte, error) {
	src, err := os.ReadFile(filepath.Join(root, m.file))
	if err != nil {
		return nil, err
	}
	return []byte(strings.Replace(string(src), m.orig, m.repl, 1)), nil
}
