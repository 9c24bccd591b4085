package main

import (
	"strings"
	"testing"
	"time"
)

func TestTyped_EncryptedCompressedValues(t *testing.T) {
	c := newCLI(t)
	keys := c.dir + "/keys.json"
	c.ok("", "typed", "keygen", "--id", "k1", keys)
	value := `{"limit": 10, "name": "` + strings.Repeat("x", 400) + `"}`
	c.ok(value, "typed", "set", "config", "-", "--compress", "--keyring", keys, "--author", "ana")

	stored := c.ok("", "get", "config")
	if !strings.HasPrefix(stored, "\xfeSD") || strings.Contains(stored, "xxxx") || !strings.Contains(stored, "aes256gcm\x02k1") {
		t.Fatalf("stored value %q: want an envelope, encrypted with k1", stored[:min(len(stored), 40)])
	}
	compact := `{"limit":10,"name":"` + strings.Repeat("x", 400) + `"}`
	if got := c.ok("", "typed", "get", "config", "--keyring", keys); got != compact {
		t.Fatalf("typed get = %q, want %q", got, compact)
	}
	if got := c.ok("", "typed", "get", "config", "--keyring", keys, "--json"); !strings.HasPrefix(got, "{\n  \"limit\": 10,\n  \"name\": \"xxx") {
		t.Fatalf("typed get --json = %q, want it pretty-printed", got)
	}
	c.fails(1, "aes256gcm", "", "typed", "get", "config")

	// Rotation: a new primary key; the old version still reads.
	c.ok("", "typed", "keygen", "--id", "k2", keys)
	c.ok(`"v2"`, "typed", "set", "config", "-", "--keyring", keys)
	if got := c.ok("", "get", "config"); !strings.Contains(got, "aes256gcm\x02k2") {
		t.Fatalf("after rotation the new version is not under k2: %q", got[:min(len(got), 40)])
	}
	if got := c.ok("", "typed", "get", "config", "--keyring", keys, "--at", "1"); got != compact {
		t.Fatalf("typed get --at 1 after rotation = %q", got)
	}
	if got := c.ok("", "typed", "get", "config", "--keyring", keys); got != `"v2"` {
		t.Fatalf("typed get after rotation = %q", got)
	}
	c.fails(2, "already holds", "", "typed", "keygen", "--id", "k2", keys)
	if got := c.ok("", "typed", "reseal", "--keyring", keys); got != "resealed 0 keys\n" {
		t.Fatalf("reseal with every live value under k2: %q", got)
	}
	c.ok("", "typed", "set", "old", `"under k2"`, "--keyring", keys)
	c.ok("", "typed", "keygen", "--id", "k3", keys)
	if got := c.ok("", "typed", "reseal", "--keyring", keys); got != "resealed 2 keys\n" {
		t.Fatalf("reseal after rotating to k3: %q", got)
	}
	if got := c.ok("", "get", "old"); !strings.Contains(got, "aes256gcm\x02k3") {
		t.Fatalf("old after reseal is not under k3: %q", got[:min(len(got), 40)])
	}
	c.fails(2, "needs --keyring", "", "typed", "reseal")
	c.fails(2, "keyring", "", "typed", "get", "config", "--keyring", c.file("bad.json", "{}"))
}

func TestTyped_CodecsAndExpiry(t *testing.T) {
	c := newCLI(t)
	c.fails(2, "not JSON", "", "typed", "set", "k", "not json")
	c.fails(2, "--codec", "", "typed", "set", "k", "v", "--codec", "gob")
	c.fails(2, "not both", "", "typed", "set", "k", `"v"`, "--ttl", "1h", "--expires", "now")
	c.fails(2, "unknown subcommand", "", "typed", "frob")
	if c.head() != 0 {
		t.Fatal("refused writes wrote")
	}
	c.ok("", "typed", "set", "r", "raw\x00bytes", "--codec", "raw")
	if got := c.ok("", "typed", "get", "r", "--json"); !strings.Contains(got, `"codec": "raw"`) || !strings.Contains(got, `"value_base64"`) {
		t.Fatalf("typed get --json of raw binary = %q", got)
	}

	start := time.Now()
	defer func(f func() time.Time) { now = f }(now)
	now = func() time.Time { return start }
	c.ok("", "typed", "set", "session/1", `"alice"`, "--ttl", "30m")
	c.ok("", "typed", "set", "session/2", `"bob"`, "--expires", start.Add(2*time.Hour).Format(time.RFC3339Nano))
	if got := c.ok("", "typed", "get", "session/1"); got != `"alice"` {
		t.Fatalf("typed get before expiry = %q", got)
	}
	if got := c.ok("", "typed", "sweep"); got != "expired 0 keys\n" {
		t.Fatalf("sweep before expiry: %q", got)
	}
	now = func() time.Time { return start.Add(time.Hour) }
	c.fails(3, "expired", "", "typed", "get", "session/1")
	if got := c.ok("", "typed", "get", "session/2"); got != `"bob"` {
		t.Fatalf("session/2 an hour later = %q", got)
	}
	if got := c.ok("", "typed", "sweep", "--prefix", "session/"); got != "expired 1 keys\n" {
		t.Fatalf("sweep after expiry: %q", got)
	}
	if got := c.ok("", "log", "session/1"); !strings.Contains(got, "deleted") || !strings.Contains(got, "Comment: expired") {
		t.Fatalf("log after sweep:\n%s", got)
	}
	if got := c.ok("", "typed", "get", "session/1", "--at", "3"); got != `"alice"` {
		t.Fatalf("typed get --at 3 judged at that commit's time = %q", got)
	}
}
