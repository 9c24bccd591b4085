package sqldict

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/sqldict/sqldict/dialects"
	"github.com/sqldict/sqldict/migrations"
)

// Drop removes the journal from its database, with everything sqldict
// created for it: the journal, head and meta tables and their indexes, the
// journal's golang-migrate version table and its commit routine
// (PostgreSQL function, MySQL procedure). Other journals in the database
// are untouched. Drop then closes d.
//
// Drop waits for the Dict's writes in flight and holds the journal's schema
// lock, so it does not interleave with a migration in another process. On
// PostgreSQL and SQLite the drop is one transaction; on MySQL a drop that
// fails half way can be run again to finish. Other handles on the journal
// (in this process or another) fail from then on; a later Open without
// Options.SkipMigrate creates a new, empty journal of the same name.
//
// A journal dropped meanwhile by someone else fails with ErrNoJournal; a
// Dict opened with Options.ReadOnly (or a replica's) with ErrReadOnly, and
// after Close with ErrClosed. In those cases d stays open.
func (d *Dict) Drop(ctx context.Context) error {
	if err := d.begin(ctx); err != nil {
		return err
	}
	if d.opts.ReadOnly || d.isReplica {
		return fmt.Errorf("drop %s: %w", d.opts.Table, ErrReadOnly)
	}
	d.gate.Lock() // wait for the write transactions in flight
	err := DropDB(ctx, d.db, d.dialect, d.opts.Table)
	d.gate.Unlock()
	if err != nil {
		return err
	}
	return d.Close()
}

// DropDB removes the journal table from db as Dict.Drop does, without
// opening it: for a journal whose schema is too old or too new to open, or
// left dirty by a failed migration. dialect is the one of db's engine. A
// table name that is not valid fails with ErrInvalidArgument, a journal that
// does not exist with ErrNoJournal; neither changes anything.
func DropDB(ctx context.Context, db *sql.DB, dialect dialects.Dialect, table string) error {
	if db == nil || dialect == nil {
		return fmt.Errorf("%w: nil database or dialect", ErrInvalidArgument)
	}
	if err := ValidTable(table); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	err := migrations.Drop(ctx, db, dialect, migrations.Journal{Table: table})
	if errors.Is(err, migrations.ErrNoJournal) {
		return fmt.Errorf("drop %s: %w", table, ErrNoJournal)
	}
	return unavailable(dialect.Classify(err))
}
