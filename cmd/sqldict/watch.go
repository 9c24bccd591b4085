package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/sqldict/sqldict/sqldict"
)

var cmdWatch = &command{
	name:    "watch",
	args:    "[--prefix P] [--after N]",
	summary: "stream changes as they are committed, until interrupted",
	help: `
Prints every change committed to the journal, in commit order, each once, as
it happens, until interrupted (Ctrl-C, SIGTERM); then exits 0. By default
only commits made after the watch starts are shown; --after N replays the
journal from sequence N+1 first (--after 0: from the beginning), so a script
that remembers the last sequence it handled can resume without loss or
repetition. If pruning removed entries the watch needs, it fails with exit
code 5.

Each change prints as one line: sequence, time, "set" or "del", key, version,
and for a set the value (text, or its size when binary). With --json each
change is one JSON object per line (JSON Lines), with the fields of 'get
--json'.

Examples:
  sqldict watch
  sqldict watch --prefix cfg/ --after 0
  sqldict watch --json | jq -r .key`,
	run: func(a *app, c *command, args []string) error {
		fs := a.flagSet(c.name, c.args)
		prefix := fs.String("prefix", "", "only keys starting with `P`")
		after := fs.String("after", "", "replay from after sequence `N` (default: only new commits)")
		if _, err := a.parse(c, fs, args, 0, 0); err != nil {
			return err
		}
		from := int64(-1)
		if *after != "" {
			n, err := strconv.ParseInt(*after, 10, 64)
			if err != nil || n < 0 {
				return usagef("--after %q: want a sequence number, 0 or more", *after)
			}
			from = n
		}
		return a.withJournal(func(d journal) error {
			if from < 0 {
				st, err := d.Stat(a.ctx)
				if err != nil {
					return err
				}
				from = st.Sequence
			}
			return a.watch(d, from, sqldict.Range{Prefix: *prefix})
		})
	},
}

// watch prints the stream until the context ends, which is success.
func (a *app) watch(d sqldict.Store, after int64, r sqldict.Range) error {
	enc := json.NewEncoder(a.stdout)
	enc.SetEscapeHTML(false)
	for e, err := range d.Watch(a.ctx, after, r) {
		if errors.Is(err, context.Canceled) && a.ctx.Err() != nil {
			return nil
		}
		if err != nil {
			return err
		}
		if a.json {
			err = enc.Encode(a.jsonEntry(e, true))
		} else {
			err = a.printChange(e)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (a *app) printChange(e sqldict.Entry) error {
	head := fmt.Sprintf("%d %s", e.Sequence, a.formatTime(e.Created))
	var err error
	switch {
	case e.Deleted:
		_, err = fmt.Fprintf(a.stdout, "%s del %s (version %d)\n", head, strconv.Quote(e.Key), e.Version)
	case isText(e.Value):
		_, err = fmt.Fprintf(a.stdout, "%s set %s (version %d) %s\n", head, strconv.Quote(e.Key), e.Version, strconv.Quote(string(e.Value)))
	default:
		_, err = fmt.Fprintf(a.stdout, "%s set %s (version %d) <%d bytes binary>\n", head, strconv.Quote(e.Key), e.Version, len(e.Value))
	}
	return err
}
