package sqldicttest

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/sqldict/sqldict/sqldict"
)

// testDrop: Drop removes every object of the journal (tables, indexes,
// routines, triggers, sequences, as the engine's catalogs list them) and
// nothing of another journal in the same database; the dropped journal is
// then absent (ErrNoJournal), and dropping it again is ErrNoJournal too.
// Read-only, closed and badly named drops are refused and change nothing.
func testDrop(t *testing.T, open Opener) {
	keep := NewDict(t, open, sqldict.Options{})
	must(t, keep.Set(bg, "k", []byte("kept")))
	gone := open(t, sqldict.Options{Table: UniqueTable()})
	must(t, gone.Set(bg, "a", []byte("1")))
	must(t, gone.Set(bg, "a", []byte("2")))
	db, dialect := keep.DB(), keep.Dialect()
	keptBefore := journalObjects(t, db, dialect.Name(), keep.Table())
	if objs := journalObjects(t, db, dialect.Name(), gone.Table()); len(objs) < 4 {
		t.Fatalf("journal %s has objects %v; want its tables at least", gone.Table(), objs)
	}

	ro, err := sqldict.OpenDB(bg, db, dialect, sqldict.Options{Table: gone.Table(), ReadOnly: true})
	must(t, err)
	wantErr(t, ro.Drop(bg), sqldict.ErrReadOnly)
	must(t, ro.Close())
	wantErr(t, ro.Drop(bg), sqldict.ErrClosed)
	wantErr(t, sqldict.DropDB(bg, db, dialect, "select"), sqldict.ErrInvalidArgument)
	wantGet(t, gone, "a", "2")

	must(t, gone.Drop(bg))
	if objs := journalObjects(t, db, dialect.Name(), gone.Table()); len(objs) > 0 {
		t.Fatalf("after Drop, journal %s left %v", gone.Table(), objs)
	}
	wantErr(t, gone.Set(bg, "a", []byte("3")), sqldict.ErrClosed)
	wantErr(t, sqldict.DropDB(bg, db, dialect, gone.Table()), sqldict.ErrNoJournal)
	_, err = sqldict.OpenDB(bg, db, dialect, sqldict.Options{Table: gone.Table(), SkipMigrate: true})
	wantErr(t, err, sqldict.ErrNoJournal)
	if objs := journalObjects(t, db, dialect.Name(), gone.Table()); len(objs) > 0 {
		t.Fatalf("a refused drop or open of %s created %v", gone.Table(), objs)
	}

	if kept := journalObjects(t, db, dialect.Name(), keep.Table()); !slices.Equal(kept, keptBefore) {
		t.Fatalf("dropping %s changed journal %s's objects: %v, were %v", gone.Table(), keep.Table(), kept, keptBefore)
	}
	wantGet(t, keep, "k", "kept")
	must(t, keep.Set(bg, "k2", []byte("v")))

	// A journal of the dropped name starts afresh.
	again := open(t, sqldict.Options{Table: gone.Table()})
	if _, err := again.Get(bg, "a"); err == nil {
		t.Fatalf("a new journal %s holds the dropped journal's key", gone.Table())
	}
	must(t, again.Drop(bg))
}

// catalogQueries list every named object of the current database or
// schema, by dialect.
var catalogQueries = map[string][]string{
	"sqlite": {`SELECT name FROM sqlite_master`},
	"mysql": {
		`SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()`,
		`SELECT CONCAT(table_name, '.', index_name) FROM information_schema.statistics WHERE table_schema = DATABASE()`,
		`SELECT routine_name FROM information_schema.routines WHERE routine_schema = DATABASE()`,
		`SELECT trigger_name FROM information_schema.triggers WHERE trigger_schema = DATABASE()`,
		`SELECT event_name FROM information_schema.events WHERE event_schema = DATABASE()`,
	},
	"postgres": {
		`SELECT relname FROM pg_class WHERE relnamespace = current_schema()::regnamespace`,
		`SELECT proname FROM pg_proc WHERE pronamespace = current_schema()::regnamespace`,
		`SELECT typname FROM pg_type WHERE typnamespace = current_schema()::regnamespace`,
		`SELECT tgname FROM pg_trigger`,
	},
}

// journalObjects returns, sorted, the names in the engine's catalogs that
// contain table (the suite's table names are random, so no other object's
// name contains one).
func journalObjects(t *testing.T, db *sql.DB, dialect, table string) []string {
	t.Helper()
	queries, ok := catalogQueries[dialect]
	if !ok {
		t.Fatalf("no catalog queries for dialect %q", dialect)
	}
	var out []string
	for _, q := range queries {
		names, err := queryNames(db, q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		for _, n := range names {
			if strings.Contains(strings.ToLower(n), table) {
				out = append(out, n)
			}
		}
	}
	slices.Sort(out)
	return out
}

func queryNames(db *sql.DB, q string) ([]string, error) {
	ctx, cancel := context.WithTimeout(bg, checkTimeout)
	defer cancel()
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, fmt.Errorf("scan: %w", err)
		}
		out = append(out, n)
	}
	return out, rows.Err()
}
