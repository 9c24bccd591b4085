package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

var cmdDiff = &command{
	name:    "diff",
	args:    "KEY A B | --from TIME [--to TIME] [-p]",
	summary: "diff two versions of a key, or the whole dict between two times",
	help: `
With KEY A B, prints the unified diff from version A to version B of KEY
(nothing when they are equal); the output can be fed to 'sqldict patch'.

With --from (and optionally --to, default now), lists every key added,
changed or deleted between the two instants; -p adds the diff of each.

Examples:
  sqldict diff config 3 4
  sqldict diff --from -1d
  sqldict diff --from 2024-05-01 --to 2024-05-02 -p
  sqldict diff --from "2024-05-01T09:00:00+02:00" --json`,
	run: func(a *app, c *command, args []string) error {
		fs := a.flagSet(c.name, c.args)
		from := fs.String("from", "", "list the dict's changes since `TIME`")
		to := fs.String("to", "", "… until `TIME` (default: now)")
		patch := fs.Bool("p", false, "with --from: show each changed value's diff")
		pos, err := a.parse(c, fs, args, 0, 3)
		if err != nil {
			return err
		}
		if !given(fs, "from") {
			if given(fs, "to") || *patch {
				return usagef("--to and -p need --from")
			}
			if len(pos) != 3 {
				return usagef("want KEY A B (two versions) or --from TIME: usage: sqldict %s %s", c.name, c.args)
			}
			return a.diffVersions(pos[0], pos[1], pos[2])
		}
		if len(pos) != 0 {
			return usagef("--from takes no arguments: usage: sqldict %s %s", c.name, c.args)
		}
		tFrom, err := a.parseTime(*from)
		if err != nil {
			return err
		}
		var tTo time.Time // zero: the newest commit
		if given(fs, "to") {
			if tTo, err = a.parseTime(*to); err != nil {
				return err
			}
		}
		return a.diffDict(tFrom, tTo, *patch)
	},
}

func parseVersion(s string) (int64, error) {
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v < 1 {
		return 0, usagef("malformed version %q: want a number from 1", s)
	}
	return v, nil
}

func (a *app) diffVersions(key, sa, sb string) error {
	va, err := parseVersion(sa)
	if err != nil {
		return err
	}
	vb, err := parseVersion(sb)
	if err != nil {
		return err
	}
	return a.readJournal(func(d journal) error {
		ea, err := d.Version(a.ctx, key, va)
		if err != nil {
			return err
		}
		eb, err := d.Version(a.ctx, key, vb)
		if err != nil {
			return err
		}
		la, lb := versionLabel(key, va), versionLabel(key, vb)
		if ea.Deleted {
			la = "/dev/null"
		}
		if eb.Deleted {
			lb = "/dev/null"
		}
		text := unified(la, lb, ea.Value, eb.Value)
		if a.json {
			return a.printJSON(struct {
				Key  string    `json:"key"`
				From jsonEntry `json:"from"`
				To   jsonEntry `json:"to"`
				Diff string    `json:"diff"`
			}{key, a.jsonEntry(ea, true), a.jsonEntry(eb, true), text})
		}
		_, err = fmt.Fprint(a.stdout, text)
		return err
	})
}

func (a *app) diffDict(tFrom, tTo time.Time, patch bool) error {
	return a.readJournal(func(d journal) error {
		from, err := a.resolve(d, tFrom)
		if err != nil {
			return err
		}
		var to int64
		if tTo.IsZero() {
			st, err := d.Stat(a.ctx)
			if err != nil {
				return err
			}
			to = st.Sequence
		} else if to, err = a.resolve(d, tTo); err != nil {
			return err
		}
		if from > to {
			return usagef("--from %s is after --to %s", a.formatTime(tFrom), a.formatTime(tTo))
		}
		changes, err := diffPoints(a.ctx, d, from, to)
		if err != nil {
			return err
		}
		sa, err := d.Snapshot(a.ctx, from)
		if err != nil {
			return err
		}
		sb, err := d.Snapshot(a.ctx, to)
		if err != nil {
			return err
		}
		if a.json {
			type pointJSON struct {
				Sequence int64  `json:"sequence"`
				Time     string `json:"time"`
			}
			type changeJSON struct {
				Key    string     `json:"key"`
				Change string     `json:"change"`
				Before *jsonEntry `json:"before,omitempty"`
				After  *jsonEntry `json:"after,omitempty"`
			}
			out := struct {
				From    pointJSON    `json:"from"`
				To      pointJSON    `json:"to"`
				Changes []changeJSON `json:"changes"`
			}{pointJSON{from, a.formatTime(sa.Time())}, pointJSON{to, a.formatTime(sb.Time())}, []changeJSON{}}
			for _, ch := range changes {
				cj := changeJSON{Key: ch.Key, Change: ch.Kind}
				if ch.Kind != "added" {
					e := a.jsonEntry(ch.Before, true)
					cj.Before = &e
				}
				if ch.Kind != "deleted" {
					e := a.jsonEntry(ch.After, true)
					cj.After = &e
				}
				out.Changes = append(out.Changes, cj)
			}
			return a.printJSON(out)
		}
		var b strings.Builder
		fmt.Fprintf(&b, "from sequence %d (%s) to sequence %d (%s): ", from, orStart(a.formatTime(sa.Time())), to, orStart(a.formatTime(sb.Time())))
		counts := map[string]int{}
		for _, ch := range changes {
			counts[ch.Kind]++
		}
		fmt.Fprintf(&b, "%d added, %d changed, %d deleted\n", counts["added"], counts["changed"], counts["deleted"])
		for _, ch := range changes {
			switch ch.Kind {
			case "added":
				fmt.Fprintf(&b, "added    %s  (version %d)\n", quoted(ch.Key), ch.After.Version)
			case "changed":
				fmt.Fprintf(&b, "changed  %s  (version %d → %d)\n", quoted(ch.Key), ch.Before.Version, ch.After.Version)
			case "deleted":
				fmt.Fprintf(&b, "deleted  %s  (was version %d)\n", quoted(ch.Key), ch.Before.Version)
			}
			if patch {
				la, lb := versionLabel(ch.Key, ch.Before.Version), versionLabel(ch.Key, ch.After.Version)
				b.WriteString(indent(unified(la, lb, ch.Before.Value, ch.After.Value)))
			}
		}
		_, err = fmt.Fprint(a.stdout, b.String())
		return err
	})
}

func orStart(s string) string {
	if s == "" {
		return "the start"
	}
	return s
}

func indent(s string) string {
	if s == "" {
		return ""
	}
	return "    " + strings.ReplaceAll(strings.TrimSuffix(s, "\n"), "\n", "\n    ") + "\n"
}
