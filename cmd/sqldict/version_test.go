package main

import (
	"encoding/json"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

func TestReadVersion(t *testing.T) {
	bi := &debug.BuildInfo{
		GoVersion: "go1.99.1",
		Main:      debug.Module{Path: "github.com/sqldict/sqldict", Version: "v1.2.3"},
		Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "0123abcd"},
			{Key: "vcs.time", Value: "2026-01-02T03:04:05Z"},
			{Key: "vcs.modified", Value: "true"},
		},
	}
	got := readVersion(bi)
	want := buildVersion{Version: "v1.2.3", Commit: "0123abcd", CommitTime: "2026-01-02T03:04:05Z", Modified: true,
		Go: "go1.99.1", Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if got != want {
		t.Errorf("readVersion = %+v, want %+v", got, want)
	}
	if got := readVersion(nil); got.Version != "(devel)" || got.Go != runtime.Version() || got.Commit != "" {
		t.Errorf("readVersion(nil) = %+v", got)
	}
}

// TestRun_Version: "version" and "--version" print this binary's build
// information, the same in both forms; --json carries the same fields.
func TestRun_Version(t *testing.T) {
	c := newCLI(t)
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		t.Fatal("the test binary has no build information")
	}
	want := readVersion(bi)
	out := c.ok("", "version")
	for _, s := range []string{"sqldict " + want.Version + "\n", "\ngo " + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH + "\n", "\ncommit "} {
		if !strings.Contains(out, s) {
			t.Errorf("version printed %q, want it to contain %q", out, s)
		}
	}
	if flag := c.ok("", "--version"); flag != out {
		t.Errorf("--version printed %q, version %q", flag, out)
	}
	var got buildVersion
	if err := json.Unmarshal([]byte(c.ok("", "--json", "version")), &got); err != nil || got != want {
		t.Errorf("version --json = %+v (%v), want %+v", got, err, want)
	}
	c.fails(exitUsage, "too many arguments", "", "version", "extra")
}
