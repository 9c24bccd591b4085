package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/sqldict/sqldict/sqldict"
)

var cmdEdit = &command{
	name:    "edit",
	args:    "KEY [--yes] [--author NAME] [--comment TEXT]",
	summary: "edit a key's value in $EDITOR, review the diff, commit",
	help: `
Opens the current value (empty for a new key) in $VISUAL, $EDITOR or vi,
shows the diff of your change and asks before committing. A buffer left
unchanged writes nothing, for a new key too ('sqldict set KEY ""' stores an
empty value). The commit expects
the version the edit started from: if someone else changed the key in the
meantime, nothing is overwritten, the exit code is 4 and your edited text is
kept in a file whose name is printed. --yes commits without asking.

Examples:
  sqldict edit config --author ana --comment "raise the limit"
  EDITOR="sed -i s/old/new/" sqldict edit greeting --yes`,
	run: func(a *app, c *command, args []string) error {
		fs := a.flagSet(c.name, c.args)
		var m meta
		m.register(fs, false)
		yes := fs.Bool("yes", false, "commit without asking")
		pos, err := a.parse(c, fs, args, 1, 1)
		if err != nil {
			return err
		}
		key := pos[0]
		return a.withJournal(func(d journal) error {
			b, err := a.base(d, key)
			if err != nil {
				return err
			}
			path, err := writeTemp(key, b.value)
			if err != nil {
				return err
			}
			keep := false
			defer func() {
				if !keep {
					os.Remove(path)
				}
			}()
			if err := a.runEditor(path); err != nil {
				return err
			}
			edited, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			if bytes.Equal(edited, b.value) {
				// Also for a new key: an empty buffer left as it was is
				// no request to create an empty value.
				_, err := fmt.Fprintf(a.stdout, "edit %s: no change\n", quoted(key))
				return err
			}
			out := a.stdout
			if a.json {
				out = a.stderr
			}
			fmt.Fprint(out, unified(b.label(key), versionLabel(key, b.version+1), b.value, edited))
			if !*yes && !a.confirm(fmt.Sprintf("Commit this change to %s? [y/N] ", key)) {
				keep = true
				return fmt.Errorf("%w; your edit is kept in %s", errDeclined, path)
			}
			err = a.commit(d, "edited", m.write(sqldict.Write{Key: key, Value: edited, IfVersion: sqldict.Expect(b.version)}))
			if errors.Is(err, sqldict.ErrConflict) {
				keep = true
				return fmt.Errorf("%w; %s changed while you edited it, nothing written; your edit is kept in %s", err, key, path)
			}
			return err
		})
	},
}

var safeExt = regexp.MustCompile(`^\.[A-Za-z0-9]{1,10}$`)

// writeTemp stores value in a new temporary file, named after the key's
// extension so that editors pick a syntax.
func writeTemp(key string, value []byte) (string, error) {
	ext := filepath.Ext(key)
	if !safeExt.MatchString(ext) {
		ext = ".txt"
	}
	f, err := os.CreateTemp("", "sqldict-edit-*"+ext)
	if err != nil {
		return "", err
	}
	_, err = f.Write(value)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}

// runEditor runs $VISUAL or $EDITOR (a shell command line, so it may carry
// arguments) on path, on the controlling terminal when there is one.
func (a *app) runEditor(path string) error {
	editor := env("VISUAL")
	if editor == "" {
		editor = env("EDITOR")
	}
	if editor == "" {
		editor = "vi"
	}
	cmd := exec.CommandContext(a.ctx, "sh", "-c", editor+` "$1"`, "sqldict-editor", path)
	cmd.Stdout, cmd.Stderr = a.stderr, a.stderr
	if tty, err := os.OpenFile("/dev/tty", os.O_RDWR, 0); err == nil {
		defer tty.Close()
		cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
	}
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("editor %q: %w; nothing written", editor, err)
	}
	return nil
}

// confirm asks a yes/no question on stderr and reads the answer from stdin.
func (a *app) confirm(question string) bool {
	fmt.Fprint(a.stderr, question)
	line, _ := bufio.NewReader(a.stdin).ReadString('\n')
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return true
	}
	return false
}
