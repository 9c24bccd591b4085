package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// jsonErrorLine decodes the --json error on r's stderr, checks its shape
// and exit code, and returns it as the text line it stands for.
func jsonErrorLine(t *testing.T, r result, code int) string {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(r.err))
	dec.DisallowUnknownFields()
	var e jsonError
	if err := dec.Decode(&e); err != nil {
		t.Fatalf("stderr %q: not a JSON error: %v", r.err, err)
	}
	if e.Error.Exit != code || e.Error.Code == "" || e.Error.Message == "" {
		t.Errorf("stderr %q: want exit %d, a code and a message", r.err, code)
	}
	if e.Error.Command == "" {
		return "sqldict: " + e.Error.Message
	}
	return "sqldict " + e.Error.Command + ": " + e.Error.Message
}

// TestRun_JSONErrors: under --json, wherever it is given, an error is one
// JSON object on stderr with the HTTP API's code and the exit code.
func TestRun_JSONErrors(t *testing.T) {
	c := newCLI(t)
	c.ok("", "set", "k", "v")
	cases := []struct {
		args []string
		code string
		exit int
	}{
		{[]string{"get", "nope", "--json"}, "not_found", exitNotFound},
		{[]string{"--json", "get", "nope"}, "not_found", exitNotFound},
		{[]string{"set", "k", "w", "--if-version", "7", "--json"}, "conflict", exitConflict},
		{[]string{"get", "k", "--as-of", "+1h", "--json"}, "future", exitPruned},
		{[]string{"get", "k", "--json", "--bogus"}, "usage", exitUsage},
		{[]string{"--json", "frobnicate"}, "usage", exitUsage},
		{[]string{"--json", "--bogus", "get", "k"}, "usage", exitUsage},
		{[]string{"set", "k", "ww", "--max-value-size", "1", "--json"}, "value_too_large", exitUsage},
		{[]string{"get", "k", "--json", "--db", "sqlite:" + c.dir + "/missing.db"}, "error", exitError},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			r := c.run("", tc.args...)
			if r.code != tc.exit {
				t.Fatalf("exit %d, want %d (stderr %q)", r.code, tc.exit, r.err)
			}
			if strings.Count(r.err, "\n") != 1 {
				t.Errorf("stderr %q: want one line", r.err)
			}
			var e jsonError
			if err := json.Unmarshal([]byte(r.err), &e); err != nil {
				t.Fatalf("stderr %q: %v", r.err, err)
			}
			if e.Error.Code != tc.code || e.Error.Exit != tc.exit || e.Error.Message == "" {
				t.Errorf("got %+v, want code %q exit %d", e.Error, tc.code, tc.exit)
			}
			if r.out != "" {
				t.Errorf("stdout %q, want nothing", r.out)
			}
		})
	}
	// --json=false, or after "--", keeps the text line.
	for _, args := range [][]string{{"get", "nope", "--json=false"}, {"get", "--", "--json"}} {
		var out, errb bytes.Buffer
		code := Run(context.Background(), append([]string{"--db", c.url}, args...), strings.NewReader(""), &out, &errb)
		if code != exitNotFound || !strings.HasPrefix(errb.String(), "sqldict get: ") {
			t.Errorf("%v: exit %d, stderr %q; want a text line", args, code, errb.String())
		}
	}
}

// TestRun_JSONErrors_Remote: errors from a server keep their API codes.
func TestRun_JSONErrors_Remote(t *testing.T) {
	local := newCLI(t)
	local.ok("", "set", "k", "v")
	c := serveCLI(t, local, local.dict(), "rtok read\n")
	t.Setenv("SQLDICT_TOKEN", "")
	for token, want := range map[string]string{"": "unauthorized", "rtok": "forbidden"} {
		t.Setenv("SQLDICT_TOKEN", token)
		r := c.run("", "set", "k", "w", "--json")
		var e jsonError
		if err := json.Unmarshal([]byte(r.err), &e); err != nil || e.Error.Code != want || e.Error.Exit != r.code || r.code != exitError {
			t.Errorf("token %q: exit %d, stderr %q; want code %s, exit 1", token, r.code, r.err, want)
		}
	}
}
