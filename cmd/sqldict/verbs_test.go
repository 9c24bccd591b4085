package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/sqldict/sqldict/sqldict"
)

func TestRun_SetGet(t *testing.T) {
	c := newCLI(t)
	if got := c.ok("", "set", "greeting", "hello", "--author", "ana", "--comment", "hi"); got != "set greeting: version 1, sequence 1\n" {
		t.Errorf("set printed %q", got)
	}
	if got := c.ok("", "get", "greeting"); got != "hello" {
		t.Errorf("get %q, want %q", got, "hello")
	}
	bin := "a\x00b\xff\xfe\n\x00"
	c.ok(bin, "set", "bin", "-")
	if got := c.ok("", "get", "bin"); got != bin {
		t.Errorf("get bin %q, want %q", got, bin)
	}
	// Flags after the arguments, a value that looks like a flag after --.
	c.ok("", "set", "neg", "--comment", "x", "--", "-5")
	if got := c.ok("", "get", "neg"); got != "-5" {
		t.Errorf("get neg %q", got)
	}

	var e jsonEntry
	if err := json.Unmarshal([]byte(c.ok("", "get", "greeting", "--json")), &e); err != nil {
		t.Fatal(err)
	}
	if e.Value == nil || *e.Value != "hello" || e.Version != 1 || e.Author != "ana" || e.Comment != "hi" || e.Sequence != 1 {
		t.Errorf("get --json %+v", e)
	}
	var be jsonEntry
	if err := json.Unmarshal([]byte(c.ok("", "get", "bin", "--json")), &be); err != nil {
		t.Fatal(err)
	}
	if be.Value != nil || be.ValueBase64 == nil || *be.ValueBase64 != base64.StdEncoding.EncodeToString([]byte(bin)) {
		t.Errorf("binary value in JSON: %+v", be)
	}
}

func TestRun_Set_IfVersion(t *testing.T) {
	c := newCLI(t)
	c.ok("", "set", "k", "one", "--if-version", "0")
	c.fails(exitConflict, "version conflict", "", "set", "k", "two", "--if-version", "0")
	c.ok("", "set", "k", "two", "--if-version", "1")
	c.fails(exitConflict, "expected version 1, found 2", "", "set", "k", "three", "--if-version", "1")
	if got := c.ok("", "get", "k"); got != "two" {
		t.Errorf("get %q after a conflict, want two", got)
	}
}

func TestRun_Del(t *testing.T) {
	c := newCLI(t)
	c.ok("", "set", "k", "v")
	if got := c.ok("", "del", "k", "--comment", "bye"); got != "deleted k: version 2, sequence 2\n" {
		t.Errorf("del printed %q", got)
	}
	c.fails(exitNotFound, "not found", "", "get", "k")
	c.fails(exitNotFound, "not found", "", "del", "k")
	c.fails(exitNotFound, "not found", "", "del", "never")
	if got := c.ok("", "get", "k", "--at", "1"); got != "v" {
		t.Errorf("get --at 1 %q, want v", got)
	}
}

func TestRun_KeysLen(t *testing.T) {
	c := newCLI(t)
	for _, k := range []string{"app/b", "app/a", "zeta", "app/c"} {
		c.ok("", "set", k, "v")
	}
	c.ok("", "del", "app/c")
	if got := c.ok("", "keys"); got != "app/a\napp/b\nzeta\n" {
		t.Errorf("keys %q", got)
	}
	if got := c.ok("", "keys", "--prefix", "app/"); got != "app/a\napp/b\n" {
		t.Errorf("keys --prefix %q", got)
	}
	if got := c.ok("", "keys", "--at", "2"); got != "app/a\napp/b\n" {
		t.Errorf("keys --at 2 %q", got)
	}
	if got := c.ok("", "keys", "--at", "4", "--json"); strings.Join(strings.Fields(got), "") != `["app/a","app/b","app/c","zeta"]` {
		t.Errorf("keys --json %q", got)
	}
	if got := c.ok("", "len"); got != "3\n" {
		t.Errorf("len %q", got)
	}
	if got := c.ok("", "len", "--prefix", "app/", "--at", "4"); got != "3\n" {
		t.Errorf("len --prefix --at %q", got)
	}
	if got := c.ok("", "keys", "--at", "0"); got != "" {
		t.Errorf("keys --at 0 %q", got)
	}
	c.fails(exitPruned, "after the newest commit", "", "keys", "--at", "99")
}

func TestRun_Get_AsOf(t *testing.T) {
	c := newCLI(t)
	c.ok("", "set", "k", "one")
	var e jsonEntry
	if err := json.Unmarshal([]byte(c.ok("", "get", "k", "--json", "--utc")), &e); err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * time.Millisecond)
	c.ok("", "set", "k", "two")
	if got := c.ok("", "get", "k", "--as-of", e.Created); got != "one" {
		t.Errorf("get --as-of %s: %q, want one", e.Created, got)
	}
	first, _ := time.Parse(time.RFC3339Nano, e.Created)
	if got := c.ok("", "get", "k", "--as-of", first.Local().Format(time.RFC3339Nano)); got != "one" {
		t.Errorf("get --as-of in the local zone: %q, want one", got)
	}
	if got := c.ok("", "get", "k", "--as-of", "now"); got != "two" {
		t.Errorf("get --as-of now: %q, want two", got)
	}
	// Before the first commit nothing exists, and the message says why.
	c.fails(exitNotFound, "before the journal's first commit", "", "get", "k", "--as-of", "2000-01-01")
	c.fails(exitNotFound, "before the journal's first commit", "", "get", "k", "--as-of", "-1000d")
	c.fails(exitNotFound, "before the journal's first commit", "", "get", "k", "--as-of", "-1000d", "--json")
	c.fails(exitNotFound, `"k" at sequence 0: that is before the journal's first commit`, "", "get", "k", "--at", "0")
	r := c.fails(exitNotFound, "not found", "", "get", "absent", "--at", "1")
	if strings.Contains(r.err, "first commit") {
		t.Errorf("a key missing after the first commit: %q", r.err)
	}
	c.fails(exitPruned, "after the newest commit", "", "get", "k", "--as-of", "+1h")
	c.fails(exitUsage, "not both", "", "get", "k", "--as-of", "now", "--at", "1")
	if got := c.ok("", "get", "k", "--version", "1"); got != "one" {
		t.Errorf("get --version 1: %q", got)
	}
	c.fails(exitNotFound, "version 3", "", "get", "k", "--version", "3")
}

func TestRun_Log(t *testing.T) {
	c := newCLI(t)
	c.ok("", "set", "cfg", "a\nb\n", "--author", "ana", "--comment", "first")
	c.ok("", "set", "cfg", "a\nB\n", "--author", "bob", "--comment", "second")
	c.ok("", "del", "cfg", "--author", "cy")
	out := c.ok("", "log", "cfg")
	i3, i2, i1 := strings.Index(out, "version 3"), strings.Index(out, "version 2"), strings.Index(out, "version 1")
	if i3 < 0 || i2 < i3 || i1 < i2 {
		t.Fatalf("log not newest first:\n%s", out)
	}
	for _, want := range []string{"deleted", "Author:  bob", "Comment: second", "Author:  ana", "Date:    "} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	out = c.ok("", "log", "cfg", "-p")
	for _, want := range []string{"--- cfg@1\n+++ cfg@2\n", "-b\n+B\n", "--- /dev/null\n+++ cfg@1\n", "--- cfg@2\n+++ /dev/null\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("log -p lacks %q:\n%s", want, out)
		}
	}
	var es []jsonEntry
	if err := json.Unmarshal([]byte(c.ok("", "log", "cfg", "--json", "-n", "2")), &es); err != nil {
		t.Fatal(err)
	}
	if len(es) != 2 || es[0].Version != 3 || !es[0].Deleted || es[1].Author != "bob" {
		t.Errorf("log --json -n 2: %+v", es)
	}
	c.fails(exitNotFound, "no history", "", "log", "nothing")
}

func TestRun_Diff_Versions(t *testing.T) {
	c := newCLI(t)
	c.ok("", "set", "cfg", "a\nb\nc\n")
	c.ok("", "set", "cfg", "a\nB\nc\n")
	want := "--- cfg@1\n+++ cfg@2\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n"
	if got := c.ok("", "diff", "cfg", "1", "2"); got != want {
		t.Errorf("diff:\n%s\nwant:\n%s", got, want)
	}
	if got := c.ok("", "diff", "cfg", "2", "2"); got != "" {
		t.Errorf("diff of equal versions %q", got)
	}
	c.fails(exitNotFound, "version 3", "", "diff", "cfg", "1", "3")
	c.fails(exitUsage, "malformed version", "", "diff", "cfg", "x", "2")
	c.fails(exitUsage, "want KEY A B", "", "diff", "cfg", "1")
}

func TestRun_Diff_Dict(t *testing.T) {
	c := newCLI(t)
	c.ok("", "set", "keep", "1")
	c.ok("", "set", "change", "1")
	c.ok("", "set", "gone", "1")
	c.ok("", "set", "same", "x")
	time.Sleep(5 * time.Millisecond)
	mid := time.Now().UTC().Format(time.RFC3339Nano)
	time.Sleep(5 * time.Millisecond)
	c.ok("", "set", "change", "2")
	c.ok("", "del", "gone")
	c.ok("", "set", "new", "1")
	c.ok("", "set", "same", "y")
	c.ok("", "set", "same", "x") // back to what it was: no change
	c.ok("", "set", "brief", "1")
	c.ok("", "del", "brief") // born and gone in between: no change

	out := c.ok("", "diff", "--from", mid)
	want := "changed  change  (version 1 → 2)\ndeleted  gone  (was version 1)\nadded    new  (version 1)\n"
	if !strings.HasSuffix(out, want) || !strings.Contains(out, "1 added, 1 changed, 1 deleted") {
		t.Errorf("diff --from:\n%s\nwant it to end with:\n%s", out, want)
	}
	out = c.ok("", "diff", "--from", mid, "-p")
	if !strings.Contains(out, "    -1\n    \\ No newline at end of file\n    +2\n") {
		t.Errorf("diff -p lacks the value diff:\n%s", out)
	}
	var j struct {
		From, To struct{ Sequence int64 }
		Changes  []struct {
			Key, Change   string
			Before, After *jsonEntry
		}
	}
	if err := json.Unmarshal([]byte(c.ok("", "diff", "--from", mid, "--to", "now", "--json")), &j); err != nil {
		t.Fatal(err)
	}
	if j.From.Sequence != 4 || j.To.Sequence != 11 || len(j.Changes) != 3 || j.Changes[2].Before != nil || j.Changes[1].After != nil || j.Changes[0].Change != "changed" {
		t.Errorf("diff --json: %+v", j)
	}
	if got := c.ok("", "diff", "--from", "now", "--to", "now"); !strings.Contains(got, "0 added, 0 changed, 0 deleted") {
		t.Errorf("empty diff: %q", got)
	}
	c.fails(exitUsage, "malformed time", "", "diff", "--from", "yesterday")
	c.fails(exitUsage, "after --to", "", "diff", "--from", "now", "--to", "2000-01-01")
}

// editor writes a script that runs before as a shell command line, then
// replaces old with new in the file to edit.
func (c *cli) editor(before, old, new string) {
	c.t.Helper()
	script := fmt.Sprintf("#!/bin/sh\nset -e\n%s\nsed -i 's/%s/%s/' \"$1\"\n", before, old, new)
	c.t.Setenv("EDITOR", c.file("editor.sh", script))
}

func TestRun_Edit(t *testing.T) {
	c := newCLI(t)
	c.ok("", "set", "greeting", "hello old world\n")
	c.editor(":", "old", "new")

	out := c.ok("", "edit", "greeting", "--yes", "--author", "ana", "--comment", "fresher")
	if !strings.Contains(out, "-hello old world\n+hello new world\n") || !strings.Contains(out, "edited greeting: version 2") {
		t.Errorf("edit printed:\n%s", out)
	}
	var e jsonEntry
	if err := json.Unmarshal([]byte(c.ok("", "get", "greeting", "--json")), &e); err != nil {
		t.Fatal(err)
	}
	if *e.Value != "hello new world\n" || e.Author != "ana" || e.Comment != "fresher" || e.Version != 2 {
		t.Errorf("after edit: %+v", e)
	}

	// Asked, answered no: nothing written, exit 1.
	c.editor(":", "new", "newer")
	r := c.run("n\n", "edit", "greeting")
	if r.code != exitError || !strings.HasPrefix(r.err, "Commit this change to greeting? [y/N] sqldict edit: not committed; your edit is kept in ") {
		t.Errorf("declined edit: exit %d, stderr %q", r.code, r.err)
	} else {
		os.Remove(strings.TrimSpace(r.err[strings.LastIndex(r.err, " ")+1:]))
	}
	if c.head() != 2 {
		t.Errorf("a declined edit wrote something")
	}
	// Answered yes.
	c.ok("y\n", "edit", "greeting")
	if got := c.ok("", "get", "greeting"); got != "hello newer world\n" {
		t.Errorf("after edit: %q", got)
	}
	// The editor changes nothing: nothing to commit.
	c.editor(":", "absent", "x")
	if got := c.ok("", "edit", "greeting"); got != "edit greeting: no change\n" {
		t.Errorf("unchanged edit printed %q", got)
	}
	// A new key starts empty.
	c.t.Setenv("EDITOR", c.file("fill.sh", "#!/bin/sh\necho created > \"$1\"\n"))
	c.ok("", "edit", "fresh", "--yes")
	if got := c.ok("", "get", "fresh"); got != "created\n" {
		t.Errorf("edit of a new key: %q", got)
	}
	// A new key whose empty buffer comes back unchanged: nothing written
	// (it used to create an empty version 1).
	c.t.Setenv("EDITOR", "true")
	if got := c.ok("", "edit", "brandnew", "--yes"); got != "edit brandnew: no change\n" {
		t.Errorf("unchanged edit of a new key printed %q", got)
	}
	c.fails(exitNotFound, "no history", "", "log", "brandnew")
	// A failing editor writes nothing.
	c.t.Setenv("EDITOR", "false")
	c.fails(exitError, "editor", "", "edit", "greeting", "--yes")
	if c.head() != 4 {
		t.Errorf("a failed editor wrote something")
	}
}

// TestRun_Edit_Conflict: another process commits to the key while the
// editor is open; the edit must be refused, not overwrite that commit.
func TestRun_Edit_Conflict(t *testing.T) {
	c := newCLI(t)
	c.ok("", "set", "k", "old value\n")
	other := fmt.Sprintf("SQLDICT_TEST_MAIN=1 %q --db %q set k 'concurrent value' --author other >/dev/null", os.Args[0], c.url)
	c.editor(other, "old", "new")

	r := c.fails(exitConflict, "changed while you edited it", "", "edit", "k", "--yes", "--author", "me")
	if !strings.Contains(r.err, "kept in ") {
		t.Errorf("the edit's file is not named: %q", r.err)
	}
	kept := r.err[strings.LastIndex(r.err, "kept in ")+len("kept in ") : len(r.err)-1]
	defer os.Remove(kept)
	if b, err := os.ReadFile(kept); err != nil || string(b) != "new value\n" {
		t.Errorf("kept edit %q, %v", b, err)
	}
	hist, err := c.dict().History(context.Background(), "k")
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 2 || string(hist[1].Value) != "concurrent value" || hist[1].Author != "other" {
		t.Errorf("history after the conflict: %+v", hist)
	}
}

func TestRun_Patch(t *testing.T) {
	c := newCLI(t)
	c.ok("", "set", "a", "one\ntwo\nthree\n")
	c.ok("", "set", "a", "one\n2\nthree\n")
	c.ok("", "set", "b", "one\ntwo\nthree\n")
	p := c.file("fix.diff", c.ok("", "diff", "a", "1", "2"))
	out := c.ok("", "patch", "b", p, "--author", "ana", "--comment", "same fix")
	if out != "patched b: version 2, sequence 4\n" {
		t.Errorf("patch printed %q", out)
	}
	if got := c.ok("", "get", "b"); got != "one\n2\nthree\n" {
		t.Errorf("patched value %q", got)
	}
	// The same patch again no longer applies: refused, nothing written.
	c.fails(exitConflict, "does not apply", "", "patch", "b", p)
	if c.head() != 4 {
		t.Errorf("a refused patch wrote something")
	}
	// From stdin, a git diff with a different file name.
	git := "diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1,3 +1,3 @@\n one\n 2\n-three\n+3\n"
	c.ok(git, "patch", "b", "-")
	if got := c.ok("", "get", "b"); got != "one\n2\n3\n" {
		t.Errorf("patched from stdin: %q", got)
	}
	c.fails(exitUsage, "want a diff of exactly one value", "just text\n", "patch", "b", "-")
	c.fails(exitError, "no such file", "", "patch", "b", c.dir+"/missing.diff")
	if c.head() != 5 {
		t.Errorf("bad patches wrote something")
	}
}

func TestRun_Migrate(t *testing.T) {
	c := newCLI(t)
	if got := c.ok("", "migrate"); !strings.Contains(got, "schema version 3, up to date") {
		t.Errorf("migrate printed %q", got)
	}
	var j map[string]any
	if err := json.Unmarshal([]byte(c.ok("", "migrate", "--status", "--json")), &j); err != nil {
		t.Fatal(err)
	}
	if j["version"] != float64(3) || j["dirty"] != false {
		t.Errorf("migrate --status --json: %v", j)
	}
	// A journal never created: --status reports it and creates nothing.
	if got := c.ok("", "migrate", "--status", "--table", "other"); !strings.Contains(got, "journal other: not created") {
		t.Errorf("migrate --status of a new journal printed %q", got)
	}
	c.fails(exitError, "journal other does not exist", "", "keys", "--table", "other")
}

func TestRun_Prune(t *testing.T) {
	c := newCLI(t)
	c.ok("", "set", "k", "v")
	c.fails(exitUsage, "at least one policy", "", "prune")
	c.fails(exitUsage, "malformed time", "", "prune", "--before", "soon")
	for i := range 4 {
		c.ok("", "set", "k", fmt.Sprint("v", i)) // sequences 2..5
	}
	c.ok("", "set", "other", "o") // 6
	got := c.ok("", "prune", "--keep-versions", "2")
	if !strings.Contains(got, "pruned 3 rows") || !strings.Contains(got, "before sequence 4") {
		t.Errorf("prune printed %q", got)
	}
	hist := c.ok("", "log", "k")
	if strings.Count(hist, "version ") != 2 {
		t.Errorf("after --keep-versions 2, log k shows:\n%s", hist)
	}
	c.fails(exitPruned, "pruned", "", "get", "k", "--at", "3")
	if got := c.ok("", "get", "k", "--at", "4"); got != "v2" {
		t.Errorf("get --at 4 after prune = %q, want v2", got)
	}
	var j map[string]any
	if err := json.Unmarshal([]byte(c.ok("", "prune", "--keep-versions", "1", "--json")), &j); err != nil {
		t.Fatal(err)
	}
	if j["removed"] != float64(1) || j["horizon"] != float64(5) {
		t.Errorf("prune --json = %v", j)
	}
}

func TestRun_Help(t *testing.T) {
	c := newCLI(t)
	if got := c.ok("", "--help"); !strings.Contains(got, "Exit codes") || !strings.Contains(got, "patch") {
		t.Errorf("--help:\n%s", got)
	}
	for _, cmd := range commands {
		for _, args := range [][]string{{cmd.name, "--help"}, {"help", cmd.name}, {cmd.name, "-h"}} {
			out := c.ok("", args...)
			if !strings.Contains(out, "Usage: sqldict "+cmd.name) || !strings.Contains(out, "Examples:") {
				t.Errorf("%v:\n%s", args, out)
			}
		}
	}
	if _, err := os.Stat(c.path); err == nil {
		t.Errorf("help created the database")
	}
}

func TestRun_GlobalFlags(t *testing.T) {
	c := newCLI(t)
	t.Setenv("SQLDICT_URL", c.url)
	var out strings.Builder
	if code := Run(context.Background(), []string{"--table", "other", "set", "k", "v"}, strings.NewReader(""), &out, &out); code != 0 {
		t.Fatalf("exit %d: %s", code, out.String())
	}
	d, err := sqldict.OpenURL(context.Background(), c.url, sqldict.Options{Table: "other"})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if v, err := d.Get(context.Background(), "k"); err != nil || string(v) != "v" {
		t.Errorf("get from table other: %q, %v", v, err)
	}
	// --table after the verb, --utc printing.
	got := c.ok("", "log", "k", "--table", "other", "--utc")
	if !strings.Contains(got, "Z\n") {
		t.Errorf("log --utc printed %q", got)
	}
	c.fails(exitError, "journal sqldict does not exist", "", "get", "k")
}

// TestRun_BadInput: every mistake gets one line, a usage exit code, and
// changes nothing.
func TestRun_BadInput(t *testing.T) {
	c := newCLI(t)
	c.ok("", "set", "k", "v")
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"frobnicate"}, exitUsage, `unknown command "frobnicate"`},
		{[]string{"get", "k", "--as-of", "last tuesday"}, exitUsage, "malformed time"},
		{[]string{"get", "k", "--as-of", "-2x"}, exitUsage, "malformed relative time"},
		{[]string{"keys", "--as-of", "2024-13-45"}, exitUsage, "malformed time"},
		{[]string{"set", "k"}, exitUsage, "missing VALUE"},
		{[]string{"set"}, exitUsage, "missing arguments"},
		{[]string{"set", "k", "v", "extra"}, exitUsage, "too many arguments"},
		{[]string{"set", "", "v"}, exitUsage, "empty key"},
		{[]string{"set", "k", "v", "--bogus"}, exitUsage, "unknown flag --bogus"},
		{[]string{"set", "k", "v", "--if-version", "x"}, exitUsage, "invalid value"},
		{[]string{"set", "k", "v", "--db", "nothing-like-a-url"}, exitUsage, "has no scheme"},
		{[]string{"set", "k", "v", "--db", "ftp://host/x"}, exitUsage, `scheme "ftp"`},
		{[]string{"set", "k", "v", "--table", "Bad-Name"}, exitUsage, "table name"},
		{[]string{"del"}, exitUsage, "missing arguments"},
		{[]string{"get", "k", "--version", "-1"}, exitUsage, "versions start at 1"},
		{[]string{"log", "k", "-n", "-1"}, exitUsage, "-n -1"},
		{[]string{"diff", "--from", "now", "k"}, exitUsage, "takes no arguments"},
		{[]string{"diff", "--to", "now"}, exitUsage, "need --from"},
		{[]string{"import", "a", "b"}, exitUsage, "too many arguments"},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			c.fails(tc.code, tc.want, "", tc.args...)
			if got := c.head(); got != 1 {
				t.Errorf("journal at sequence %d, want 1", got)
			}
		})
	}
	var out strings.Builder
	if code := Run(context.Background(), nil, strings.NewReader(""), &out, &out); code != exitUsage || !strings.Contains(out.String(), "Commands:") {
		t.Errorf("no arguments: exit %d, %q", code, out.String())
	}
}

func TestParseTime(t *testing.T) {
	fixed := time.Date(2024, 5, 10, 12, 0, 0, 0, time.UTC)
	defer func(f func() time.Time) { now = f }(now)
	now = func() time.Time { return fixed }
	a := &app{utc: true}
	for in, want := range map[string]time.Time{
		"now":                       fixed,
		"-2h":                       fixed.Add(-2 * time.Hour),
		"-30m":                      fixed.Add(-30 * time.Minute),
		"-1d":                       fixed.Add(-24 * time.Hour),
		"-1d12h":                    fixed.Add(-36 * time.Hour),
		"+90s":                      fixed.Add(90 * time.Second),
		"2024-05-01":                time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC),
		"2024-05-01 08:30":          time.Date(2024, 5, 1, 8, 30, 0, 0, time.UTC),
		"2024-05-01T10:00:00+02:00": time.Date(2024, 5, 1, 8, 0, 0, 0, time.UTC),
		"2024-05-01T08:00:00.5Z":    time.Date(2024, 5, 1, 8, 0, 0, 5e8, time.UTC),
	} {
		got, err := a.parseTime(in)
		if err != nil || !got.Equal(want) {
			t.Errorf("parseTime(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	local := &app{}
	if got, _ := local.parseTime("2024-05-01"); got.Location() != time.Local || got.Hour() != 0 {
		t.Errorf("a date is not local midnight: %v", got)
	}
	for _, in := range []string{"", "-", "-d", "-2x", "--2h", "-1d-2h", "2024-05-01T25:00:00Z", "tomorrow", "5"} {
		if _, err := a.parseTime(in); err == nil || exitCode(err) != exitUsage {
			t.Errorf("parseTime(%q): %v, want a usage error", in, err)
		}
	}
}
