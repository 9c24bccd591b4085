package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestRun_QuotesControlCharacters: keys, authors and comments with
// newlines or escapes are quoted in human output, so they cannot pass for
// other lines; --json carries them raw.
func TestRun_QuotesControlCharacters(t *testing.T) {
	c := newCLI(t)
	key := "a\nb"
	author := "eve\nDate:    2001-01-01T00:00:00Z"
	comment := "fix \x1b[2Jcleared"
	c.ok("", "set", key, "v", "--author", author, "--comment", comment)
	c.ok("", "set", "plain key", "v", "--author", "ana", "--comment", "no change")

	keys := c.ok("", "keys")
	if keys != "\"a\\nb\"\nplain key\n" {
		t.Errorf("keys:\n%s", keys)
	}
	log := c.ok("", "log", key)
	for _, want := range []string{`Author:  "eve\nDate:    2001-01-01T00:00:00Z"`, `Comment: "fix \x1b[2Jcleared"`} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %s:\n%s", want, log)
		}
	}
	if strings.Contains(log, "\nDate:    2001") || strings.Contains(log, "\x1b") {
		t.Errorf("log shows a forged line or a raw escape:\n%q", log)
	}
	if out := c.ok("", "log", "plain key"); !strings.Contains(out, "Author:  ana\n") || !strings.Contains(out, "Comment: no change\n") {
		t.Errorf("plain fields are quoted:\n%s", out)
	}

	var got []string
	if err := json.Unmarshal([]byte(c.ok("", "--json", "keys")), &got); err != nil || got[0] != key {
		t.Errorf("--json keys: %q %v", got, err)
	}
	raw := c.ok("", "--json", "log", key)
	var entries []struct{ Author, Comment string }
	if err := json.Unmarshal([]byte(raw), &entries); err != nil || len(entries) != 1 ||
		entries[0].Author != author || entries[0].Comment != comment {
		t.Errorf("--json log: %v %s", err, raw)
	}
}
