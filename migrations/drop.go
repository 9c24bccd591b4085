package migrations

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing/fstest"

	"github.com/golang-migrate/migrate/v4/database"

	"github.com/sqldict/sqldict/dialects"
)

// ErrNoJournal is returned by Drop for a journal that was never created
// (or was dropped already). Nothing is changed.
var ErrNoJournal = errors.New("journal does not exist")

// Drop removes the journal j and everything its migrations created: the
// journal, head and meta tables with their indexes, the commit routine
// (PostgreSQL function, MySQL procedure) and, last, the journal's version
// table. It holds the journal's schema lock, so it does not interleave with
// a migration of the journal. Where DDL is transactional (PostgreSQL,
// SQLite) the whole drop is one transaction; on MySQL a drop that fails half
// way leaves the version table, and running it again finishes it. A journal
// that was never created fails with ErrNoJournal and changes nothing.
func Drop(ctx context.Context, db *sql.DB, d dialects.Dialect, j Journal) (err error) {
	files, err := renderFS(d.Name(), j)
	if err != nil {
		return err
	}
	drv, err := newDriver(ctx, db, d, j)
	if err != nil {
		return err
	}
	defer drv.conn.Close()
	if err := drv.Lock(); err != nil {
		return err
	}
	defer func() { err = errors.Join(err, drv.Unlock()) }()
	v, _, err := drv.Version()
	switch {
	case errors.Is(d.Classify(err), dialects.ErrNoTable) || err == nil && v == database.NilVersion:
		drv.failed = true // PostgreSQL: the failed read ended the transaction
		return fmt.Errorf("drop %s: %w", j.Table, ErrNoJournal)
	case err != nil:
		drv.failed = true
		return fmt.Errorf("drop %s: read schema version: %w", j.Table, err)
	}
	for _, q := range dropStatements(files, drv.table) {
		if _, err := drv.conn.ExecContext(ctx, q); err != nil {
			drv.failed = true
			return fmt.Errorf("drop %s: %s: %w", j.Table, q, err)
		}
	}
	return nil
}

var routineRE = regexp.MustCompile(`(?i)^CREATE\s+(?:OR\s+REPLACE\s+)?(PROCEDURE|FUNCTION)\s+([a-z_][a-z0-9_]*)`)

// dropStatements are the statements that remove what the rendered
// migrations files create, versionTable last: the routines, then the
// tables in the reverse of their creation (their indexes go with them).
// Each is IF EXISTS, so the list may run on a journal created in part.
func dropStatements(files fstest.MapFS, versionTable string) []string {
	var out []string
	for _, name := range sortedUp(files) {
		for _, stmt := range Statements(string(files[name].Data)) {
			if m := routineRE.FindStringSubmatch(stmt); m != nil {
				out = append(out, "DROP "+strings.ToUpper(m[1])+" IF EXISTS "+strings.ToLower(m[2]))
			}
		}
	}
	tables, _, _ := created(files)
	slices.Reverse(tables)
	for _, t := range append(tables, versionTable) {
		out = append(out, "DROP TABLE IF EXISTS "+t)
	}
	return out
}
