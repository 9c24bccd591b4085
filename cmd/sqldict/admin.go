package main

import (
	"errors"
	"fmt"

	"github.com/sqldict/sqldict/migrations"
	"github.com/sqldict/sqldict/prune"
	"github.com/sqldict/sqldict/sqldict"
)

var cmdMigrate = &command{
	name:    "migrate",
	args:    "[--status]",
	summary: "report or bring up to date the journal's schema version",
	help: `
Every command migrates the journal to the schema this build knows when it
opens it (unless --no-migrate is given), creating the journal if needed.
'migrate' does that explicitly and reports the version; --status only reports
and never changes the schema.

Examples:
  sqldict migrate --db postgres://me@db/prod --table configs
  sqldict migrate --status`,
	run: func(a *app, c *command, args []string) error {
		fs := a.flagSet(c.name, c.args)
		status := fs.Bool("status", false, "report the schema version, change nothing")
		if _, err := a.parse(c, fs, args, 0, 0); err != nil {
			return err
		}
		opts := sqldict.Options{Table: a.table, SkipMigrate: *status || a.noMigrate}
		d, err := sqldict.OpenURL(a.ctx, a.db, opts)
		if err != nil {
			if *status && !errors.Is(err, sqldict.ErrInvalidArgument) {
				return fmt.Errorf("journal %s is not at the schema this build knows: %w", a.table, err)
			}
			return err
		}
		defer d.Close()
		latest, err := migrations.Latest(d.Dialect().Name())
		if err != nil {
			return err
		}
		cur, dirty, err := migrations.Current(a.ctx, d.DB(), d.Dialect(), migrations.Journal{Table: d.Table()})
		if err != nil {
			return err
		}
		if a.json {
			return a.printJSON(map[string]any{"table": d.Table(), "dialect": d.Dialect().Name(), "version": cur, "latest": latest, "dirty": dirty})
		}
		_, err = fmt.Fprintf(a.stdout, "journal %s (%s): schema version %d, up to date (this build knows up to %d)\n", d.Table(), d.Dialect().Name(), cur, latest)
		return err
	},
}

var cmdPrune = &command{
	name:    "prune",
	args:    "[--keep-versions N] [--keep-for DURATION] [--through SEQ] [--before TIME] [--drop-deleted] [--batch N]",
	summary: "remove old history by policy (snapshots before the new horizon become unreadable)",
	help: `
Removes rows of history that the chosen policies no longer need; policies
combine (a row is kept when any policy keeps it). Current values are never
removed; --drop-deleted also removes deleted keys entirely. Reads as of a point before the new prune horizon then fail with exit
code 5. Progress is reported on stderr.

Examples:
  sqldict prune --keep-versions 10
  sqldict prune --keep-for 720h
  sqldict prune --before 2024-01-01 --drop-deleted --batch 5000`,
	run: func(a *app, c *command, args []string) error {
		fs := a.flagSet(c.name, c.args)
		keepVersions := fs.Int("keep-versions", 0, "keep the newest `N` versions of every key")
		keepFor := fs.Duration("keep-for", 0, "keep all history younger than `DURATION` (e.g. 720h)")
		through := fs.Int64("through", 0, "prune what only points up to sequence `SEQ` need")
		before := fs.String("before", "", "prune what only points before `TIME` need")
		dropDeleted := fs.Bool("drop-deleted", false, "remove deleted keys entirely, history included")
		batch := fs.Int("batch", 0, "rows per transaction (0: the library's default)")
		if _, err := a.parse(c, fs, args, 0, 0); err != nil {
			return err
		}
		if *keepVersions < 0 || *keepFor < 0 || *through < 0 || *batch < 0 {
			return usagef("policy values must not be negative")
		}
		if *keepVersions == 0 && *keepFor == 0 && *through == 0 && *before == "" && !*dropDeleted {
			return usagef("give at least one policy: --keep-versions, --keep-for, --through, --before or --drop-deleted")
		}
		policy := prune.Policy{
			KeepVersions: *keepVersions,
			KeepFor:      *keepFor,
			Through:      *through,
			DropDeleted:  *dropDeleted,
			BatchSize:    *batch,
		}
		if *before != "" {
			t, err := a.parseTime(*before)
			if err != nil {
				return err
			}
			policy.Before = t
		}
		d, err := a.open()
		if err != nil {
			return err
		}
		defer d.Close()
		tty := isTerminal(a.stderr)
		policy.Progress = func(r prune.Result) {
			if tty {
				fmt.Fprintf(a.stderr, "\rpruning: %d rows removed in %d batches", r.Removed, r.Batches)
			}
		}
		res, err := prune.Compact(a.ctx, d, policy)
		if tty {
			fmt.Fprintln(a.stderr)
		}
		if err != nil {
			return err
		}
		if a.json {
			return a.printJSON(struct {
				Removed int64 `json:"removed"`
				Batches int   `json:"batches"`
				Horizon int64 `json:"horizon"`
			}{res.Removed, res.Batches, res.Horizon})
		}
		_, err = fmt.Fprintf(a.stdout, "pruned %d rows in %d batches; snapshots before sequence %d are no longer readable\n",
			res.Removed, res.Batches, res.Horizon)
		return err
	},
}
