package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

var cmdVersion = &command{
	name:    "version",
	args:    "",
	summary: "print sqldict's module version, VCS commit and Go version",
	help: `
Prints what the binary was built from, as Go recorded it in the build: the
module version (a release tag such as v1.2.0, a pseudo-version for a commit
between tags, "(devel)" when no version control was at hand), the VCS
commit with its time ("+ local changes" when the tree had uncommitted
changes), and the Go version and platform. 'sqldict --version' is the same.

Examples:
  sqldict version
  sqldict version --json`,
	run: func(a *app, c *command, args []string) error {
		if _, err := a.parse(c, a.flagSet(c.name, c.args), args, 0, 0); err != nil {
			return err
		}
		return a.version()
	},
}

// buildVersion is what the binary was built from.
type buildVersion struct {
	Version    string `json:"version"`               // module version, "(devel)" when unknown
	Commit     string `json:"commit,omitempty"`      // VCS revision
	CommitTime string `json:"commit_time,omitempty"` // RFC 3339, UTC
	Modified   bool   `json:"modified"`              // the tree had uncommitted changes
	Go         string `json:"go"`                    // the Go toolchain's version
	Platform   string `json:"platform"`              // GOOS/GOARCH
}

// readVersion reads the build information Go embeds in the binary; bi nil
// (no build information, as in a binary built without module support)
// gives "(devel)" and the running Go version.
func readVersion(bi *debug.BuildInfo) buildVersion {
	v := buildVersion{Version: "(devel)", Go: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if bi == nil {
		return v
	}
	if bi.Main.Version != "" {
		v.Version = bi.Main.Version
	}
	if bi.GoVersion != "" {
		v.Go = bi.GoVersion
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			v.Commit = s.Value
		case "vcs.time":
			v.CommitTime = s.Value
		case "vcs.modified":
			v.Modified = s.Value == "true"
		}
	}
	return v
}

func (a *app) version() error {
	bi, _ := debug.ReadBuildInfo()
	v := readVersion(bi)
	if a.json {
		return a.printJSON(v)
	}
	commit := "unknown (built without version control information)"
	if v.Commit != "" {
		commit = v.Commit
		if v.CommitTime != "" {
			commit += " (" + v.CommitTime + ")"
		}
		if v.Modified {
			commit += " + local changes"
		}
	}
	_, err := fmt.Fprintf(a.stdout, "sqldict %s\ncommit %s\ngo %s %s\n", v.Version, commit, v.Go, v.Platform)
	return err
}
