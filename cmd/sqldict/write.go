package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/bluekeyes/go-gitdiff/gitdiff"

	"github.com/sqldict/sqldict/sqldict"
)

// meta is the commit metadata flags every write takes.
type meta struct {
	fs              *flag.FlagSet
	author, comment string
	ifVersion       int64
}

func (m *meta) register(fs *flag.FlagSet, withIfVersion bool) {
	m.fs = fs
	fs.StringVar(&m.author, "author", env("SQLDICT_AUTHOR"), "record `NAME` as the commit's author (env SQLDICT_AUTHOR)")
	fs.StringVar(&m.comment, "comment", "", "record `TEXT` as the commit's comment")
	if withIfVersion {
		fs.Int64Var(&m.ifVersion, "if-version", 0, "write only if the key is at version `N` (0: only if it does not exist); exit 4 otherwise")
	}
}

// check refuses an expectation no key can meet: a negative --if-version
// must not quietly turn a conditional write into a blind one.
func (m *meta) check() error {
	if given(m.fs, "if-version") && m.ifVersion < 0 {
		return usagef("--if-version %d: want 0 (the key must not exist) or a version from 1", m.ifVersion)
	}
	return nil
}

func (m *meta) write(w sqldict.Write) sqldict.Write {
	w.Author, w.Comment = m.author, m.comment
	if given(m.fs, "if-version") {
		w.IfVersion = sqldict.Expect(m.ifVersion)
	}
	return w
}

// reportWrite prints what a commit appended.
func (a *app) reportWrite(verb string, e sqldict.Entry) error {
	if a.json {
		return a.printJSON(a.jsonEntry(e, false))
	}
	_, err := fmt.Fprintf(a.stdout, "%s %s: version %d, sequence %d\n", verb, quoted(e.Key), e.Version, e.Sequence)
	return err
}

func (a *app) commit(d journal, verb string, w sqldict.Write) error {
	es, err := d.Commit(a.ctx, w)
	if err != nil {
		return err
	}
	return a.reportWrite(verb, es[0])
}

var cmdSet = &command{
	name:    "set",
	args:    "KEY (VALUE | -) [--author NAME] [--comment TEXT] [--if-version N]",
	summary: "write a new version of a key",
	help: `
VALUE is stored as given; "-" reads the value from stdin, byte for byte (for
binary or large values). A value that starts with "-" goes after "--".

Examples:
  sqldict set greeting hello
  sqldict set config - < config.json --author ana --comment "raise the limit"
  sqldict set counter 2 --if-version 1
  sqldict set -- offset -5`,
	run: func(a *app, c *command, args []string) error {
		fs := a.flagSet(c.name, c.args)
		var m meta
		m.register(fs, true)
		pos, err := a.parse(c, fs, args, 1, 2)
		if err != nil {
			return err
		}
		if err := m.check(); err != nil {
			return err
		}
		if len(pos) < 2 {
			return usagef("missing VALUE for %q (give a value, or - to read it from stdin)", pos[0])
		}
		return a.withJournal(func(d journal) error {
			value := []byte(pos[1])
			if pos[1] == "-" {
				if value, err = a.readStdin(maxValueSize(d)); err != nil {
					return err
				}
			}
			return a.commit(d, "set", m.write(sqldict.Write{Key: pos[0], Value: value}))
		})
	},
}

// readStdin reads a value of at most limit bytes from stdin. A longer one
// is refused with its real size when stdin is a file, and as "more than
// limit" when it is a stream (which is not read to its end).
func (a *app) readStdin(limit int) ([]byte, error) {
	value, err := io.ReadAll(io.LimitReader(a.stdin, int64(limit)+1))
	if err != nil {
		return nil, fmt.Errorf("read stdin: %w", err)
	}
	if len(value) <= limit {
		return value, nil
	}
	if f, ok := a.stdin.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
			return nil, fmt.Errorf("%w: value on stdin of %d bytes exceeds the limit of %d bytes", sqldict.ErrValueTooLarge, st.Size(), limit)
		}
	}
	return nil, fmt.Errorf("%w: value on stdin is more than the limit of %d bytes", sqldict.ErrValueTooLarge, limit)
}

var cmdDel = &command{
	name:    "del",
	args:    "KEY [--author NAME] [--comment TEXT] [--if-version N]",
	summary: "delete a key (its history stays)",
	help: `
A deletion is a new version of the key, a tombstone: reads now say not found,
reads as of earlier times still see the old value. Deleting a key that does
not exist fails with exit code 3.

Examples:
  sqldict del session/42
  sqldict del config --if-version 7 --comment "retired"`,
	run: func(a *app, c *command, args []string) error {
		fs := a.flagSet(c.name, c.args)
		var m meta
		m.register(fs, true)
		pos, err := a.parse(c, fs, args, 1, 1)
		if err != nil {
			return err
		}
		if err := m.check(); err != nil {
			return err
		}
		return a.withJournal(func(d journal) error {
			return a.commit(d, "deleted", m.write(sqldict.Write{Key: pos[0], Delete: true}))
		})
	},
}

// base is a key's state a change is made against: its newest version
// (a tombstone's, or 0 when never written) and live value.
type base struct {
	version int64
	value   []byte
	exists  bool
}

func (a *app) base(d journal, key string) (base, error) {
	e, err := d.Entry(a.ctx, key)
	if errors.Is(err, sqldict.ErrNotFound) {
		return base{value: []byte{}}, nil
	}
	if err != nil {
		return base{}, err
	}
	if e.Deleted {
		return base{version: e.Version, value: []byte{}}, nil
	}
	return base{version: e.Version, value: e.Value, exists: true}, nil
}

func (b base) label(key string) string {
	if !b.exists {
		return "/dev/null"
	}
	return versionLabel(key, b.version)
}

var cmdPatch = &command{
	name:    "patch",
	args:    "KEY (FILE | -) [--author NAME] [--comment TEXT]",
	summary: "apply a unified diff to a key's current value",
	help: `
FILE holds a unified diff (as printed by 'sqldict diff' or 'sqldict log -p',
diff -u or git diff) of one value; "-" reads it from stdin. The file names in
its header are ignored. If any hunk does not apply to the current value, or
the key changes while the patch is applied, nothing is written and the exit
code is 4.

Examples:
  sqldict diff config 3 4 > fix.diff && sqldict patch other-config fix.diff
  git diff --no-index old.conf new.conf | sqldict patch config - --comment "sync"`,
	run: func(a *app, c *command, args []string) error {
		fs := a.flagSet(c.name, c.args)
		var m meta
		m.register(fs, false)
		pos, err := a.parse(c, fs, args, 2, 2)
		if err != nil {
			return err
		}
		key, name := pos[0], pos[1]
		var text []byte
		if name == "-" {
			name = "stdin"
			text, err = io.ReadAll(a.stdin)
		} else {
			text, err = os.ReadFile(name)
		}
		if err != nil {
			return err
		}
		files, _, err := gitdiff.Parse(bytes.NewReader(text))
		if err != nil {
			return usagef("malformed patch in %s: %v", name, err)
		}
		if len(files) != 1 {
			return usagef("patch in %s changes %d files: want a diff of exactly one value", name, len(files))
		}
		return a.withJournal(func(d journal) error {
			b, err := a.base(d, key)
			if err != nil {
				return err
			}
			var out bytes.Buffer
			if err := gitdiff.Apply(&out, bytes.NewReader(b.value), files[0]); err != nil {
				return fmt.Errorf("patch in %s %w to %s: %v", name, errPatch, b.label(key), err)
			}
			if bytes.Equal(out.Bytes(), b.value) && b.exists {
				_, err := fmt.Fprintf(a.stdout, "patch %s: no change\n", quoted(key))
				return err
			}
			return a.commit(d, "patched", m.write(sqldict.Write{
				Key: key, Value: out.Bytes(), IfVersion: sqldict.Expect(b.version),
			}))
		})
	},
}
