package main

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// TestRun_OutOfRange: every numeric and time flag of every verb refuses a
// value outside its domain with exit 2 and changes nothing. Before, --at -1,
// --version 0 and --as-of "" read the head and --if-version -2 wrote
// blindly: defaults that mean "unset" were indistinguishable from values
// given.
func TestRun_OutOfRange(t *testing.T) {
	c := newCLI(t)
	c.ok("", "set", "k", "v")
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"set", "k", "w", "--if-version", "-2"}, "--if-version -2"},
		{[]string{"set", "k", "w", "--if-version", "-1"}, "--if-version -1"},
		{[]string{"del", "k", "--if-version", "-1"}, "--if-version -1"},
		{[]string{"get", "k", "--at", "-1"}, "--at -1"},
		{[]string{"get", "k", "--at", "-1", "--json"}, "--at -1"},
		{[]string{"get", "k", "--version", "0"}, "versions start at 1"},
		{[]string{"get", "k", "--version", "-1"}, "versions start at 1"},
		{[]string{"get", "k", "--as-of", ""}, "malformed time"},
		{[]string{"get", "k", "--as-of", " "}, "malformed time"},
		{[]string{"get", "k", "--as-of", "", "--json"}, "malformed time"},
		{[]string{"keys", "--at", "-3"}, "--at -3"},
		{[]string{"keys", "--as-of", ""}, "malformed time"},
		{[]string{"len", "--at", "-2"}, "--at -2"},
		{[]string{"len", "--as-of", ""}, "malformed time"},
		{[]string{"log", "k", "-n", "-1"}, "-n -1"},
		{[]string{"diff", "k", "0", "1"}, "malformed version"},
		{[]string{"diff", "k", "1", "--", "-1"}, "malformed version"},
		{[]string{"diff", "--from", ""}, "malformed time"},
		{[]string{"diff", "--from", "-1h", "--to", ""}, "malformed time"},
		{[]string{"prune", "--keep-versions", "0"}, "--keep-versions 0"},
		{[]string{"prune", "--keep-versions", "-1"}, "--keep-versions -1"},
		{[]string{"prune", "--keep-for", "0"}, "positive duration"},
		{[]string{"prune", "--keep-for", "-1d"}, "positive duration"},
		{[]string{"prune", "--keep-for", ""}, "positive duration"},
		{[]string{"prune", "--through", "0"}, "--through 0"},
		{[]string{"prune", "--through", "-5"}, "--through -5"},
		{[]string{"prune", "--before", ""}, "malformed time"},
		{[]string{"prune", "--keep-versions", "1", "--batch", "-1"}, "--batch -1"},
		{[]string{"export", "-o", ""}, "-o needs a file name"},
		{[]string{"--max-value-size", "0", "set", "k", "w"}, "positive number of bytes"},
		{[]string{"set", "k", "w", "--max-value-size", "-5"}, "positive number of bytes"},
		{[]string{"set", "k", "w", "--max-value-size", "3X"}, "positive number of bytes"},
		{[]string{"--table", "", "set", "k", "w"}, "--table needs a table name"},
		{[]string{"set", "k", "w", "--table", ""}, "--table needs a table name"},
		{[]string{"set", "k", "w", "--db", ""}, "--db needs a database URL"},
		// Malformed URLs are usage errors on every scheme, and the
		// password stays out of the message.
		{[]string{"set", "k", "w", "--db", "postgres://u:secret@host/db?sslmode=bogus"}, "postgres URL"},
		{[]string{"set", "k", "w", "--db", "postgres://%zz"}, "postgres URL"},
		{[]string{"set", "k", "w", "--db", "mysql://u:secret@host:port/db"}, "mysql URL"},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			r := c.fails(exitUsage, tc.want, "", tc.args...)
			if strings.Contains(r.err, "secret") {
				t.Errorf("the message shows the password: %q", r.err)
			}
			if got := c.head(); got != 1 {
				t.Errorf("journal at sequence %d, want 1", got)
			}
		})
	}
	if got := c.ok("", "get", "k"); got != "v" {
		t.Errorf("after refused commands get k = %q, want v", got)
	}
	// The boundaries themselves are accepted.
	c.ok("", "keys", "--at", "0")
	c.ok("", "log", "k", "-n", "0")
	c.ok("", "set", "n", "x", "--if-version", "0")
}

func TestParseByteSize(t *testing.T) {
	for in, want := range map[string]int{"1": 1, "8388608": 8 << 20, "16M": 16 << 20, "16MiB": 16 << 20, "64k": 64 << 10, "1G": 1 << 30, "2GiB": 2 << 30, "3MB": 3 << 20} {
		if got, err := parseByteSize(in); err != nil || got != want {
			t.Errorf("parseByteSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "0", "-1", "M", "1.5M", "1T", "16MB8", "2000G"} {
		if got, err := parseByteSize(in); err == nil {
			t.Errorf("parseByteSize(%q) = %d, want an error", in, got)
		}
	}
}

func TestDaysFlag(t *testing.T) {
	for in, want := range map[string]time.Duration{"30d": 30 * 24 * time.Hour, "720h": 720 * time.Hour, "1d12h": 36 * time.Hour, "90m": 90 * time.Minute} {
		var d days
		if err := d.Set(in); err != nil || time.Duration(d) != want {
			t.Errorf("--keep-for %s = %v, %v; want %v", in, time.Duration(d), err, want)
		}
	}
	for _, in := range []string{"", "0", "0d", "-1d", "+1d", "d", "30", "1y"} {
		var d days
		if err := d.Set(in); err == nil {
			t.Errorf("--keep-for %q = %v, want an error", in, time.Duration(d))
		}
	}
}

// TestErrorText: the library's "sqldict: " prefixes go, the default table's
// name in "open sqldict: …" stays.
func TestErrorText(t *testing.T) {
	for in, want := range map[string]string{
		"sqldict: key not found":                      "key not found",
		"open sqldict: sqldict: schema older":         "open sqldict: schema older",
		"as of X: sqldict: sqldict: point pruned":     "as of X: point pruned",
		"compact t after key \"a\":\nsqldict: closed": "compact t after key \"a\": closed",
	} {
		if got := errorText(errors.New(in)); got != want {
			t.Errorf("errorText(%q) = %q, want %q", in, got, want)
		}
	}
}
