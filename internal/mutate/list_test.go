package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestList_StaleSnippetsFailLoudly: a mutant whose original snippet is
// gone, or no longer unique, is an error naming it, never a silent pass;
// the kept list itself parses and matches the code.
func TestList_StaleSnippetsFailLoudly(t *testing.T) {
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "f.go"), []byte("a := b\nc := b\nd := e\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	list := filepath.Join(root, "mutants.txt")
	text := "# comment\nname: ok\nfile: f.go\npkg: ./x/\nwhy: w\n- d := e\n+ d := f\n\n" +
		"name: gone\nfile: f.go\npkg: ./x/\nwhy: w\n- x := y\n+ x := z\n\n" +
		"name: twice\nfile: f.go\npkg: ./x/\nwhy: w\n- := b\n+ := c\n"
	if err := os.WriteFile(list, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	ms, err := parseList(list)
	if err != nil || len(ms) != 3 {
		t.Fatalf("parseList = %d mutants, %v; want 3", len(ms), err)
	}
	if err := ms[0].check(root); err != nil {
		t.Fatalf("check(ok) = %v", err)
	}
	if src, err := ms[0].apply(root); err != nil || string(src) != "a := b\nc := b\nd := f\n" {
		t.Fatalf("apply(ok) = %q, %v", src, err)
	}
	for _, m := range ms[1:] {
		err := m.check(root)
		if err == nil || !strings.Contains(err.Error(), m.name) || !strings.Contains(err.Error(), "occurs") {
			t.Fatalf("check(%s) = %v, want an error naming it and the count", m.name, err)
		}
	}

	// The kept list, checked by go test too, so that a code move that
	// strands a mutant fails the unit tests, not only make mutate.
	all, err := parseList("mutants.txt")
	if err != nil || len(all) < 20 {
		t.Fatalf("the kept list: %d mutants, %v", len(all), err)
	}
	for _, m := range all {
		if err := m.check(filepath.Join("..", "..")); err != nil {
			t.Errorf("the kept list: %v", err)
		}
	}
}
