package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRun_Drop(t *testing.T) {
	c := newCLI(t)
	c.ok("", "--table", "gone", "set", "k", "v")
	c.ok("", "--table", "kept", "set", "k", "kept")
	before := catalog(t, c.path)

	c.fails(exitUsage, "refused without --yes", "", "drop", "--table", "gone")
	c.fails(exitUsage, "needs --table", "", "drop", "--yes")
	if got := c.ok("", "--table", "gone", "get", "k"); got != "v" {
		t.Fatalf("after refused drops, get %q, want v", got)
	}

	if got := c.ok("", "drop", "--table", "gone", "--yes"); got != "dropped journal gone\n" {
		t.Errorf("drop printed %q", got)
	}
	after := catalog(t, c.path)
	for n := range before {
		if strings.Contains(n, "gone") {
			if after[n] {
				t.Errorf("drop left %s behind", n)
			}
		} else if !after[n] {
			t.Errorf("drop of journal gone removed %s", n)
		}
	}
	if len(after) == len(before) {
		t.Errorf("drop removed nothing: %v", after)
	}
	if got := c.ok("", "--table", "kept", "get", "k"); got != "kept" {
		t.Errorf("other journal: get %q, want kept", got)
	}

	c.fails(exitError, "no such journal", "", "drop", "--table", "gone", "--yes")
	missing := filepath.Join(c.dir, "missing.db")
	r := c.run("", "--db", "sqlite:"+missing, "drop", "--table", "gone", "--yes")
	if r.code != exitError {
		t.Errorf("drop in a missing file: exit %d (%q), want %d", r.code, r.err, exitError)
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Errorf("drop in a missing file created it (%v)", err)
	}
	var got struct {
		Table   string
		Dropped bool
	}
	if err := json.Unmarshal([]byte(c.ok("", "--json", "drop", "--table", "kept", "--yes")), &got); err != nil || got.Table != "kept" || !got.Dropped {
		t.Errorf("drop --json: %+v, %v", got, err)
	}
}

// catalog is the set of names in the SQLite file's catalog.
func catalog(t *testing.T, path string) map[string]bool {
	t.Helper()
	names := map[string]bool{}
	for _, n := range sqliteNames(t, path, "") {
		names[n] = true
	}
	return names
}
