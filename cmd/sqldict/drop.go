package main

import (
	"errors"
	"fmt"

	"github.com/sqldict/sqldict/sqldict"
)

// errNotConfirmed is a destructive verb run without --yes; it comes
// wrapped with a usage error: exit code 2.
var errNotConfirmed = errors.New("refused without --yes")

var cmdDrop = &command{
	name:    "drop",
	args:    "--table NAME --yes",
	summary: "remove a journal, its history and everything sqldict created for it",
	help: `
Removes the journal named by --table from the database: its journal, head
and meta tables with their indexes, its schema version table and its
commit routine (a PostgreSQL function, a MySQL procedure). Other journals
in the database are untouched. There is no undo: export first to keep a
copy. Without --yes nothing is removed and the exit code is 2. A journal
that does not exist exits with 1 and creates nothing. A journal whose
schema is older than this build's is migrated first (unless --no-migrate).

Examples:
  sqldict export --table configs > configs.jsonl
  sqldict drop --table configs --yes
  sqldict drop --db postgres://me@db/prod --table old_configs --yes`,
	run: func(a *app, c *command, args []string) error {
		fs := a.flagSet(c.name, c.args)
		yes := fs.Bool("yes", false, "confirm: remove the journal and its history (default false: refuse)")
		if _, err := a.parse(c, fs, args, 0, 0); err != nil {
			return err
		}
		if !given(fs, "table") && env("SQLDICT_TABLE") == "" {
			return usagef("drop needs --table NAME: it does not drop the default journal %q unnamed", a.table)
		}
		if !*yes {
			return fmt.Errorf("drop %s: %w (%w)", a.table, errNotConfirmed,
				usagef("it removes the journal and all its history"))
		}
		return a.drop()
	},
}

// drop opens the journal without creating anything (a missing database
// file or journal is ErrNoJournal, as for the verbs that read), then drops
// it.
func (a *app) drop() error {
	d, err := a.openRead()
	if err != nil {
		return err
	}
	if err := d.Close(); err != nil {
		return err
	}
	opts := a.options()
	opts.SkipMigrate = true
	d, err = sqldict.OpenURL(a.ctx, a.db, opts)
	if err != nil {
		return err
	}
	if err := d.Drop(a.ctx); err != nil {
		return errors.Join(err, d.Close())
	}
	if a.json {
		return a.printJSON(map[string]any{"table": a.table, "dropped": true})
	}
	_, err = fmt.Fprintf(a.stdout, "dropped journal %s\n", a.table)
	return err
}
