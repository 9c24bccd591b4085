package main

import (
	"fmt"
	"strings"

	"github.com/sqldict/sqldict/sqldict"
)

var cmdGet = &command{
	name:    "get",
	args:    "KEY [--as-of TIME | --at SEQ | --version N]",
	summary: "print a key's value, now or at a point in history",
	help: `
The value is written to stdout exactly as stored (binary-safe); on a terminal
a newline is added when the value lacks one. With --json the entry is printed
with its version, sequence, time, author and comment.

Examples:
  sqldict get config
  sqldict get config --as-of -2h
  sqldict get config --as-of 2024-05-01
  sqldict get config --version 3 > config.v3
  sqldict get config --json`,
	run: func(a *app, c *command, args []string) error {
		fs := a.flagSet(c.name, c.args)
		var p point
		p.register(fs)
		version := fs.Int64("version", 0, "read version `N` of the key (from 1)")
		pos, err := a.parse(c, fs, args, 1, 1)
		if err != nil {
			return err
		}
		if err := a.checkPoint(&p); err != nil {
			return err
		}
		byVersion := given(fs, "version")
		if byVersion && p.set() {
			return usagef("give --version or a point (--as-of, --at), not both")
		}
		if byVersion && *version < 1 {
			return usagef("--version %d: versions start at 1", *version)
		}
		key := pos[0]
		return a.readJournal(func(d journal) error {
			var e sqldict.Entry
			switch {
			case byVersion:
				e, err = d.Version(a.ctx, key, *version)
				if err == nil && e.Deleted {
					err = fmt.Errorf("%w: %q version %d is a deletion", sqldict.ErrNotFound, key, *version)
				}
			case !a.json:
				r, err := a.reader(d, &p)
				if err != nil {
					return err
				}
				v, err := r.Get(a.ctx, key)
				if err != nil {
					return a.notFoundAt(&p, key, err)
				}
				return a.writeValue(v)
			default:
				e, err = a.current(d, &p, key)
			}
			if err != nil {
				return err
			}
			if a.json {
				return a.printJSON(a.jsonEntry(e, true))
			}
			return a.writeValue(e.Value)
		})
	},
}

// current returns the live entry of key at the point (the head when p is
// unset); ErrNotFound when it has none.
func (a *app) current(d journal, p *point, key string) (sqldict.Entry, error) {
	r, err := a.reader(d, p)
	if err != nil {
		return sqldict.Entry{}, err
	}
	e, err := r.Entry(a.ctx, key)
	if err != nil {
		return sqldict.Entry{}, a.notFoundAt(p, key, err)
	}
	if e.Deleted {
		return sqldict.Entry{}, fmt.Errorf("%w: %q was deleted at sequence %d", sqldict.ErrNotFound, key, e.Sequence)
	}
	return e, nil
}

var cmdKeys = &command{
	name:    "keys",
	args:    "[--prefix P] [--as-of TIME | --at SEQ]",
	summary: "list the live keys in bytewise order",
	help: `
Examples:
  sqldict keys
  sqldict keys --prefix app/
  sqldict keys --as-of 2024-05-01T09:00:00+02:00
  sqldict keys --at 42 --json`,
	run: func(a *app, c *command, args []string) error {
		return a.listing(c, args, func(r reader, rg sqldict.Range) error {
			keys, err := r.KeysIn(a.ctx, rg)
			if err != nil {
				return err
			}
			if a.json {
				return a.printJSON(keys)
			}
			var b strings.Builder
			for _, k := range keys {
				b.WriteString(quoted(k))
				b.WriteByte('\n')
			}
			_, err = fmt.Fprint(a.stdout, b.String())
			return err
		})
	},
}

var cmdLen = &command{
	name:    "len",
	args:    "[--prefix P] [--as-of TIME | --at SEQ]",
	summary: "count the live keys",
	help: `
Examples:
  sqldict len
  sqldict len --prefix app/ --as-of -1d`,
	run: func(a *app, c *command, args []string) error {
		return a.listing(c, args, func(r reader, rg sqldict.Range) error {
			n, err := r.LenIn(a.ctx, rg)
			if err != nil {
				return err
			}
			if a.json {
				return a.printJSON(map[string]int{"len": n})
			}
			_, err = fmt.Fprintln(a.stdout, n)
			return err
		})
	},
}

// listing parses the flags keys and len share (--prefix and a point) and
// runs fn on the reader and range they select.
func (a *app) listing(c *command, args []string, fn func(r reader, rg sqldict.Range) error) error {
	fs := a.flagSet(c.name, c.args)
	var p point
	p.register(fs)
	prefix := fs.String("prefix", "", "only keys starting with `P`")
	if _, err := a.parse(c, fs, args, 0, 0); err != nil {
		return err
	}
	if err := a.checkPoint(&p); err != nil {
		return err
	}
	return a.readJournal(func(d journal) error {
		r, err := a.reader(d, &p)
		if err != nil {
			return err
		}
		return fn(r, sqldict.Range{Prefix: *prefix})
	})
}

var cmdLog = &command{
	name:    "log",
	args:    "KEY [-p] [-n N]",
	summary: "show a key's versions, newest first, with author, comment and time",
	help: `
Each version shows its number, the commit's sequence number and time, the
author and the comment; a deletion is marked. With -p each version is followed
by the unified diff from the version before it. Versions removed by pruning
are not shown.

Examples:
  sqldict log config
  sqldict log config -p
  sqldict log config -n 5 --utc
  sqldict log config --json`,
	run: func(a *app, c *command, args []string) error {
		fs := a.flagSet(c.name, c.args)
		patch := fs.Bool("p", false, "show the diff each version made")
		limit := fs.Int("n", 0, "show at most `N` versions (0: all)")
		pos, err := a.parse(c, fs, args, 1, 1)
		if err != nil {
			return err
		}
		if *limit < 0 {
			return usagef("-n %d: want 0 or more", *limit)
		}
		key := pos[0]
		return a.readJournal(func(d journal) error {
			hist, err := d.History(a.ctx, key)
			if err != nil {
				return err
			}
			shown := len(hist)
			if *limit > 0 {
				shown = min(shown, *limit)
			}
			if a.json {
				out := make([]jsonEntry, 0, shown)
				for i := len(hist) - 1; i >= len(hist)-shown; i-- {
					out = append(out, a.jsonEntry(hist[i], true))
				}
				return a.printJSON(out)
			}
			var b strings.Builder
			for i := len(hist) - 1; i >= len(hist)-shown; i-- {
				e := hist[i]
				if i < len(hist)-1 {
					b.WriteByte('\n')
				}
				fmt.Fprintf(&b, "version %d  (sequence %d)", e.Version, e.Sequence)
				if e.Deleted {
					b.WriteString("  deleted")
				}
				fmt.Fprintf(&b, "\nDate:    %s\n", a.formatTime(e.Created))
				if e.Author != "" {
					fmt.Fprintf(&b, "Author:  %s\n", quoted(e.Author))
				}
				if e.Comment != "" {
					fmt.Fprintf(&b, "Comment: %s\n", quoted(e.Comment))
				}
				if *patch {
					b.WriteString(versionPatch(hist, i))
				}
			}
			_, err = fmt.Fprint(a.stdout, b.String())
			return err
		})
	},
}

// versionPatch is the diff hist[i] made to the version before it.
func versionPatch(hist []sqldict.Entry, i int) string {
	e := hist[i]
	var prev sqldict.Entry
	switch {
	case i > 0 && hist[i-1].Version == e.Version-1:
		prev = hist[i-1]
	case e.Version > 1:
		return fmt.Sprintf("\n(version %d was pruned: no diff)\n", e.Version-1)
	}
	from, to := versionLabel(e.Key, prev.Version), versionLabel(e.Key, e.Version)
	if prev.Deleted {
		from = "/dev/null"
	}
	if e.Deleted {
		to = "/dev/null"
	}
	d := unified(from, to, prev.Value, e.Value)
	if d == "" {
		return "\n(value unchanged)\n"
	}
	return "\n" + d
}
