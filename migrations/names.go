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

// ErrNameTaken is returned by Up when a journal that does not exist yet
// would create a table or index under a name the database already uses:
// another journal's head or meta table, or a table of the application's;
// on MySQL also a stored procedure named like its commit procedure (one a
// journal dropped by hand left behind, say). Nothing is created.
var ErrNameTaken = errors.New("journal name collides with an existing table or index")

// existsQuery counts the relations with the name given (lower case) in the
// namespace the journal's CREATE TABLE and CREATE INDEX statements use: on
// MySQL indexes belong to their table and cannot collide.
var existsQuery = map[string]string{
	"sqlite":   `SELECT COUNT(*) FROM sqlite_master WHERE lower(name) = ?`,
	"mysql":    `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND lower(table_name) = ?`,
	"postgres": `SELECT COUNT(*) FROM pg_class WHERE relname = $1 AND relnamespace = current_schema()::regnamespace`,
}

// routineQuery counts the stored routines with the name given (lower case)
// in the journal's database, where a migration creates one with CREATE
// PROCEDURE, which fails on a name in use. PostgreSQL's CREATE OR REPLACE
// FUNCTION replaces one instead, and is not checked.
var routineQuery = map[string]string{
	"mysql": `SELECT COUNT(*) FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE() AND lower(ROUTINE_NAME) = ?`,
}

var createRE = regexp.MustCompile(`(?i)^CREATE\s+(?:UNIQUE\s+)?(TABLE|INDEX|PROCEDURE)\s+(?:IF\s+NOT\s+EXISTS\s+)?([a-z_][a-z0-9_]*)`)

// created returns the tables, the indexes and the procedures the rendered
// up migrations create, in the order they create them.
func created(files fstest.MapFS) (tables, indexes, procedures []string) {
	for _, name := range sortedUp(files) {
		for _, stmt := range Statements(string(files[name].Data)) {
			m := createRE.FindStringSubmatch(stmt)
			switch {
			case m == nil:
			case strings.EqualFold(m[1], "TABLE"):
				tables = append(tables, strings.ToLower(m[2]))
			case strings.EqualFold(m[1], "PROCEDURE"):
				procedures = append(procedures, strings.ToLower(m[2]))
			default:
				indexes = append(indexes, strings.ToLower(m[2]))
			}
		}
	}
	return tables, indexes, procedures
}

// sortedUp returns the names of the up migrations in files, oldest first.
func sortedUp(files fstest.MapFS) []string {
	names := make([]string, 0, len(files))
	for name := range files {
		if strings.HasSuffix(name, ".up.sql") {
			names = append(names, name)
		}
	}
	slices.SortFunc(names, func(a, b string) int { return versionOf(a) - versionOf(b) })
	return names
}

func versionOf(file string) int {
	n := 0
	for _, c := range file {
		if c < '0' || c > '9' {
			break
		}
		n = 10*n + int(c-'0')
	}
	return n
}

// claimNames decides, holding the journal's schema lock, whether the
// journal is new (it has no version yet), and refuses a new one with
// ErrNameTaken when any name its migrations create is in use.
func claimNames(ctx context.Context, db *sql.DB, d dialects.Dialect, j Journal, files fstest.MapFS) (isNew bool, err error) {
	q, ok := existsQuery[d.Name()]
	if !ok {
		return false, nil // a dialect this check does not know: migrate as before
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return false, err
	}
	defer conn.Close()
	drv := &driver{ctx: ctx, conn: conn, dialect: d, table: MigrationsTable(j.Table)}
	if err := drv.Lock(); err != nil {
		return false, err
	}
	defer func() { err = errors.Join(err, drv.Unlock()) }()
	exists := func(q, name string) (bool, error) {
		var n int
		if err := conn.QueryRowContext(ctx, q, name).Scan(&n); err != nil {
			drv.failed = true
			return false, fmt.Errorf("look up %s: %w", name, err)
		}
		return n > 0, nil
	}
	has, err := exists(q, drv.table)
	if err != nil {
		return false, err
	}
	if has {
		v, _, err := drv.Version()
		if err != nil {
			drv.failed = true
			return false, fmt.Errorf("%w: %s is not a migrations table (%v)", ErrNameTaken, drv.table, err)
		}
		if v != database.NilVersion {
			return false, nil // the journal exists, or its creation failed half way (ErrDirty)
		}
	}
	tables, indexes, procedures := created(files)
	var taken []string
	for _, name := range slices.Concat(tables, indexes) {
		has, err := exists(q, name)
		if err != nil {
			return false, err
		}
		if has {
			taken = append(taken, name)
		}
	}
	if rq, ok := routineQuery[d.Name()]; ok {
		for _, name := range procedures {
			has, err := exists(rq, name)
			if err != nil {
				return false, err
			}
			if has {
				taken = append(taken, "procedure "+name)
			}
		}
	}
	if len(taken) > 0 {
		return false, fmt.Errorf("%w: journal %s needs %s, already in the database", ErrNameTaken, j.Table, strings.Join(taken, ", "))
	}
	return true, nil
}

// discard removes what a failed creation of a new journal left, holding
// the schema lock: on engines without transactional DDL (MySQL) the tables
// created before the failing statement, and everywhere the version table.
// A journal some other process finished creating meanwhile is left alone.
func discard(ctx context.Context, db *sql.DB, d dialects.Dialect, j Journal, files fstest.MapFS) (err error) {
	ctx = context.WithoutCancel(ctx)
	drv, err := newDriver(ctx, db, d, j)
	if err != nil {
		return err
	}
	defer drv.conn.Close()
	if err := drv.Lock(); err != nil {
		return err
	}
	defer func() { err = errors.Join(err, drv.Unlock()) }()
	first, err := sourceVersions(d.Name())
	if err != nil || len(first) == 0 {
		return err
	}
	if v, dirty, verr := drv.Version(); verr == nil && v != database.NilVersion && (!dirty || v != int(first[0])) {
		return nil
	}
	for _, q := range dropStatements(files, drv.table) {
		if _, err := drv.conn.ExecContext(ctx, q); err != nil {
			drv.failed = true
			return fmt.Errorf("%s after the failed creation of journal %s: %w", q, j.Table, err)
		}
	}
	return nil
}
