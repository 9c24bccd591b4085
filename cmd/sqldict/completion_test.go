package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// script writes 'sqldict completion shell' to a file and returns its path.
func script(t *testing.T, c *cli, shell string) string {
	t.Helper()
	return c.file("sqldict."+shell, c.ok("", "completion", shell))
}

// shellRun runs a shell command line with its own deadline.
func shellRun(t *testing.T, shell string, args ...string) string {
	t.Helper()
	path, err := exec.LookPath(shell)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not installed", shell)
		}
		t.Skipf("%s is not installed: %v", shell, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, path, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", shell, args, err, out)
	}
	return string(out)
}

// TestCompletion_Bash: the script parses, and a real bash completes verbs,
// subcommands, flags and words from it.
func TestCompletion_Bash(t *testing.T) {
	c := newCLI(t)
	path := script(t, c, "bash")
	shellRun(t, "bash", "-n", path)
	cases := []struct {
		line string // the words typed; the last one is being completed
		want string // COMPREPLY, space-separated
	}{
		{"sqldict se", "set serve"},
		{"sqldict --table t --json ke", "keys"},
		{"sqldict wa", "watch"},
		{"sqldict get k --as", "--as-of"},
		{"sqldict watch --pr", "--prefix --prune-on-write"},
		{"sqldict typed s", "set sweep"},
		{"sqldict typed set k --co", "--codec --comment --compress"},
		{"sqldict completion z", "zsh"},
		{"sqldict help ty", "typed"},
		{"sqldict serve --log", "--log-format"},
		{"sqldict keys --d", "--db"},
		{"sqldict --table s", ""}, // a table name, not a verb
		{"sqldict help --db s", ""},
		{"sqldict --json ke", "keys"},
	}
	for _, tc := range cases {
		t.Run(tc.line, func(t *testing.T) {
			words := strings.Fields(tc.line)
			prog := `source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _sqldict; echo "${COMPREPLY[*]}"`
			got := strings.TrimSpace(shellRun(t, "bash", append([]string{"-c", prog, "bash", path}, words...)...))
			if got != tc.want {
				t.Errorf("%q completes to %q, want %q", tc.line, got, tc.want)
			}
		})
	}
}

// TestCompletion_Scripts: each shell's script names every verb of the
// table and every flag of every verb, and parses in its shell.
func TestCompletion_Scripts(t *testing.T) {
	c := newCLI(t)
	specs := verbSpecs()
	for _, shell := range shellNames() {
		t.Run(shell, func(t *testing.T) {
			out := c.ok("", "completion", shell)
			for _, s := range specs {
				if !strings.Contains(out, s.path[len(s.path)-1]) {
					t.Errorf("%s script lacks %v", shell, s.path)
				}
				for _, f := range s.flags {
					if !strings.Contains(out, f.Name) {
						t.Errorf("%s script lacks %v's flag %s", shell, s.path, f.Name)
					}
				}
			}
			if shell != "bash" {
				shellRun(t, shell, "-n", c.file(filepath.Base("sqldict."+shell), out))
			}
		})
	}
	if n := len(specs); n < len(commands)+5 {
		t.Errorf("%d verbs and subcommands, want the %d verbs and typed's 5", n, len(commands))
	}
	c.fails(exitUsage, "want bash, zsh or fish", "", "completion", "tcsh")
	c.fails(exitUsage, "missing arguments", "", "completion")
}

// TestCompletion_Zsh: zsh, with the script loaded through bashcompinit,
// completes a verb and a flag.
func TestCompletion_Zsh(t *testing.T) {
	c := newCLI(t)
	path := script(t, c, "zsh")
	prog := `autoload -U +X compinit && compinit -u -d "$2"; source "$1"; shift 2
COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); emulate sh -c '_sqldict; echo "${COMPREPLY[*]}"'`
	for line, want := range map[string]string{"sqldict wat": "watch", "sqldict serve --log": "--log-format"} {
		args := append([]string{"-f", "-c", prog, "zsh", path, filepath.Join(c.dir, "zcompdump")}, strings.Fields(line)...)
		if got := strings.TrimSpace(shellRun(t, "zsh", args...)); got != want {
			t.Errorf("zsh completes %q to %q, want %q", line, got, want)
		}
	}
}

// TestCompletion_Fish: fish, given the script, completes a verb.
func TestCompletion_Fish(t *testing.T) {
	c := newCLI(t)
	path := script(t, c, "fish")
	got := shellRun(t, "fish", "--no-config", "-c", "source "+path+"; complete -C 'sqldict wat'")
	if !strings.HasPrefix(got, "watch\t") {
		t.Errorf("fish completes 'sqldict wat' to %q, want watch", got)
	}
	got = shellRun(t, "fish", "--no-config", "-c", "source "+path+"; complete -C 'sqldict serve --log-'")
	if !strings.HasPrefix(got, "--log-format\t") {
		t.Errorf("fish completes 'sqldict serve --log-' to %q", got)
	}
}

// TestHelp_Defaults: every flag whose default is not its zero value shows
// it in its verb's help.
func TestHelp_Defaults(t *testing.T) {
	c := newCLI(t)
	checked := 0
	for _, s := range verbSpecs() {
		help := c.ok("", append(s.path, "--help")...)
		for _, f := range s.flags {
			if defaultText(f, "") == "" {
				continue
			}
			block := flagBlock(help, dashName(f.Name))
			if !strings.Contains(block, "default") || !strings.Contains(block, f.DefValue) && !strings.Contains(block, "default:") {
				t.Errorf("sqldict %s --help: %s does not show its default %q:\n%s", strings.Join(s.path, " "), f.Name, f.DefValue, block)
			}
			checked++
		}
	}
	if checked < 8 {
		t.Errorf("checked %d flags with defaults, want the serve timeouts and more", checked)
	}
}

// flagBlock is the help text of the flag (its two lines).
func flagBlock(help, dashed string) string {
	i := strings.Index(help, "\n  "+dashed+" ")
	if i < 0 {
		i = strings.Index(help, "\n  "+dashed+"\n")
	}
	if i < 0 {
		return ""
	}
	rest := help[i+1:]
	if j := strings.Index(rest[2:], "\n  -"); j >= 0 {
		rest = rest[:j+2]
	}
	return rest
}
