package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/sqldict/sqldict/migrations"
	"github.com/sqldict/sqldict/prune"
	"github.com/sqldict/sqldict/sqldict"
)

var cmdMigrate = &command{
	name:    "migrate",
	args:    "[--status]",
	summary: "report or bring up to date the journal's schema version",
	help: `
Every command that writes migrates the journal to the schema this build
knows when it opens it (unless --no-migrate is given), creating the journal
if needed; verbs that only read migrate an existing journal but never
create one. 'migrate' does that explicitly and reports the version;
--status only reports and changes nothing: a journal that does not exist
yet is reported as not created.

Examples:
  sqldict migrate --db postgres://me@db/prod --table configs
  sqldict migrate --status`,
	run: func(a *app, c *command, args []string) error {
		fs := a.flagSet(c.name, c.args)
		status := fs.Bool("status", false, "report the schema version, change nothing")
		if _, err := a.parse(c, fs, args, 0, 0); err != nil {
			return err
		}
		if *status {
			return a.migrateStatus()
		}
		return a.withDict(a.reportSchema)
	},
}

// migrateStatus reports the schema without changing anything: a read-only
// open creates neither the database file nor the journal.
func (a *app) migrateStatus() error {
	if err := a.local(); err != nil {
		return err
	}
	opts := a.options()
	opts.ReadOnly = true
	d, err := sqldict.OpenURL(a.ctx, a.db, opts)
	var state string
	switch {
	case errors.Is(err, sqldict.ErrNoJournal):
		state = "not created"
		if errors.Is(err, os.ErrNotExist) {
			state += " (the database file does not exist)"
		}
		state += "; 'sqldict migrate' or any write creates it"
	case errors.Is(err, sqldict.ErrSchemaOld):
		state = strings.TrimPrefix(errorText(err), "open "+a.table+": ") + "; 'sqldict migrate' brings it up to date"
	case err != nil:
		return err
	default:
		defer d.Close()
		return a.reportSchema(d)
	}
	if a.json {
		return a.printJSON(map[string]any{"table": a.table, "created": !errors.Is(err, sqldict.ErrNoJournal), "up_to_date": false, "status": state})
	}
	_, err = fmt.Fprintf(a.stdout, "journal %s: %s\n", a.table, state)
	return err
}

// reportSchema prints the schema version of an open journal.
func (a *app) reportSchema(d *sqldict.Dict) error {
	latest, err := migrations.Latest(d.Dialect().Name())
	if err != nil {
		return err
	}
	cur, dirty, err := migrations.Current(a.ctx, d.DB(), d.Dialect(), migrations.Journal{Table: d.Table()})
	if err != nil {
		return err
	}
	if a.json {
		return a.printJSON(map[string]any{"table": d.Table(), "dialect": d.Dialect().Name(), "created": true, "up_to_date": cur == latest && !dirty,
			"version": cur, "latest": latest, "dirty": dirty})
	}
	_, err = fmt.Fprintf(a.stdout, "journal %s (%s): schema version %d, up to date (this build knows up to %d)\n", d.Table(), d.Dialect().Name(), cur, latest)
	return err
}

var cmdPrune = &command{
	name:    "prune",
	args:    "[--keep-versions N] [--keep-for DURATION] [--through SEQ] [--before TIME] [--drop-deleted] [--batch N]",
	summary: "remove old history by policy (snapshots before the new horizon become unreadable)",
	help: `
Removes rows of history that the chosen policies no longer need; policies
combine (a row is removed only when every policy given allows it). Current
values are never removed; --drop-deleted also removes deleted keys entirely.
Reads as of a point before the new prune horizon then fail with exit code 5.
On a terminal, progress (rows removed, rate) is shown on stderr; a one-line
summary is always printed. Against a server (--db http://…) the token in
$SQLDICT_TOKEN needs admin scope, and no progress is shown.

Examples:
  sqldict prune --keep-versions 10
  sqldict prune --keep-for 30d
  sqldict prune --before 2024-01-01 --drop-deleted --batch 5000`,
	run: func(a *app, c *command, args []string) error {
		fs := a.flagSet(c.name, c.args)
		keepVersions := fs.Int("keep-versions", 0, "keep the newest `N` versions of every key (from 1)")
		var keepFor days
		fs.Var(&keepFor, "keep-for", "keep all history younger than `DURATION` (30d, 720h, 1d12h)")
		through := fs.Int64("through", 0, "prune what only points up to sequence `SEQ` need (from 1)")
		before := fs.String("before", "", "prune what only points before `TIME` need")
		dropDeleted := fs.Bool("drop-deleted", false, "remove deleted keys entirely, history included")
		batch := fs.Int("batch", 0, "rows per transaction (0: the library's default)")
		if _, err := a.parse(c, fs, args, 0, 0); err != nil {
			return err
		}
		switch {
		case given(fs, "keep-versions") && *keepVersions < 1:
			return usagef("--keep-versions %d: want 1 or more (current values are always kept)", *keepVersions)
		case given(fs, "through") && *through < 1:
			return usagef("--through %d: want a sequence number from 1", *through)
		case *batch < 0:
			return usagef("--batch %d: want 0 (the default) or more", *batch)
		}
		if !given(fs, "keep-versions") && !given(fs, "keep-for") && !given(fs, "through") && !given(fs, "before") && !*dropDeleted {
			return usagef("give at least one policy: --keep-versions, --keep-for, --through, --before or --drop-deleted")
		}
		policy := prune.Policy{
			KeepVersions: *keepVersions,
			KeepFor:      time.Duration(keepFor),
			Through:      *through,
			DropDeleted:  *dropDeleted,
			BatchSize:    *batch,
		}
		if given(fs, "before") {
			t, err := a.parseTime(*before)
			if err != nil {
				return err
			}
			policy.Before = t
		}
		return a.withJournal(func(d journal) error { return a.prune(d, policy) })
	},
}

// pruner is a journal that prunes itself: a server's client (POST
// /prune, admin scope), which reports no progress.
type pruner interface {
	Prune(ctx context.Context, policy prune.Policy) (prune.Result, error)
}

func (a *app) prune(d journal, policy prune.Policy) error {
	st, err := d.Stat(a.ctx)
	if err != nil {
		return err
	}
	p := a.progress("pruning", "rows", -1)
	policy.Progress = func(r prune.Result) { p.set(r.Removed) }
	var res prune.Result
	if r, ok := d.(pruner); ok {
		res, err = r.Prune(a.ctx, policy)
	} else {
		res, err = prune.Compact(a.ctx, d.(*sqldict.Dict), policy)
	}
	p.done()
	if err != nil {
		return err
	}
	if a.json {
		return a.printJSON(struct {
			Removed       int64 `json:"removed"`
			Batches       int   `json:"batches"`
			Horizon       int64 `json:"horizon"`
			HorizonBefore int64 `json:"horizon_before"`
		}{res.Removed, res.Batches, res.Horizon, st.Horizon})
	}
	var msg string
	switch {
	case res.Removed == 0 && res.Horizon == 0:
		msg = "nothing to prune; all history stays readable"
	case res.Removed == 0:
		msg = fmt.Sprintf("nothing to prune; points from sequence %d on stay readable", res.Horizon)
	default:
		msg = fmt.Sprintf("pruned %s in %s (%s); ", plural(res.Removed, "row", "rows"),
			plural(int64(res.Batches), "transaction", "transactions"), p.rate(res.Removed, "rows"))
		if res.Horizon > st.Horizon {
			msg += fmt.Sprintf("points before sequence %d are no longer readable", res.Horizon)
		} else {
			msg += fmt.Sprintf("no readable point was lost (horizon still %d)", res.Horizon)
		}
	}
	_, err = fmt.Fprintln(a.stdout, msg)
	return err
}
