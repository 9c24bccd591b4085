// Package migrations holds the schema of a journal, one set of golang-migrate
// files per dialect, and the runner that applies them.
//
// golang-migrate does not template names, and sqldict keeps many journals in
// one database, so the files here are text/template sources: the runner
// renders them for one journal ({{.Table}}, {{.Meta}}, {{.Head}},
// {{.KeyLength}}) into an
// in-memory file system and hands that to golang-migrate. Each journal keeps
// its own version table, named by MigrationsTable, so journals migrate
// independently and never share index or table names.
//
// The runner drives golang-migrate through a small database.Driver written
// over one *sql.Conn of the caller's pool rather than golang-migrate's own
// drivers: those close the whole *sql.DB when they are closed, and sqldict
// runs migrations on the pool its caller owns. Cross-process exclusion is the
// dialect's LockSchema (a write transaction on SQLite, advisory locks on the
// servers).
package migrations

import (
	"bytes"
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"
	"testing/fstest"
	"text/template"

	"github.com/golang-migrate/migrate/v4"
	"github.com/golang-migrate/migrate/v4/source/iofs"

	"github.com/sqldict/sqldict/dialects"
)

//go:embed sqlite mysql postgres
var files embed.FS

// ErrSchemaTooNew is returned when a journal's schema version is newer than
// this build of sqldict knows: a newer release migrated it, and writing with
// an older one could corrupt it.
var ErrSchemaTooNew = errors.New("journal schema is newer than this sqldict")

// ErrDirty is returned when a previous migration of the journal failed half
// way; the schema needs a person's attention (see the CLI's migrate verb).
var ErrDirty = errors.New("journal schema migration left dirty")

// Journal names one journal to migrate.
type Journal struct {
	Table     string // validated journal table name
	KeyLength int    // maximum key length in bytes, baked into the schema
}

// MigrationsTable is the golang-migrate version table of the journal table.
func MigrationsTable(table string) string { return table + "_migrations" }

// Latest returns the newest schema version known for dialect.
func Latest(dialect string) (uint, error) {
	versions, err := sourceVersions(dialect)
	if err != nil {
		return 0, err
	}
	if len(versions) == 0 {
		return 0, fmt.Errorf("no migrations for dialect %q", dialect)
	}
	return versions[len(versions)-1], nil
}

// Current returns the journal's schema version; 0 and no error when the
// journal has never been migrated. It only reads: a journal never created
// stays absent (its version table too).
func Current(ctx context.Context, db *sql.DB, d dialects.Dialect, j Journal) (version uint, dirty bool, err error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return 0, false, err
	}
	defer conn.Close()
	drv := &driver{ctx: ctx, conn: conn, dialect: d, table: MigrationsTable(j.Table)}
	v, dirty, err := drv.Version()
	if errors.Is(d.Classify(err), dialects.ErrNoTable) {
		return 0, false, nil
	}
	if err == nil && dirty {
		// Dirty is also what a migration running right now in another
		// process looks like where DDL is not transactional (MySQL): wait
		// for the schema lock it holds, then look again.
		v, dirty, err = drv.lockedVersion()
	}
	if err != nil || v < 0 {
		return 0, false, err
	}
	return uint(v), dirty, nil
}

// Up migrates the journal to the newest schema. A journal already there is
// left untouched; one at a newer version fails with ErrSchemaTooNew; one
// left dirty by a failed migration fails with ErrDirty.
func Up(ctx context.Context, db *sql.DB, d dialects.Dialect, j Journal) error {
	latest, err := Latest(d.Name())
	if err != nil {
		return err
	}
	return To(ctx, db, d, j, latest)
}

// To migrates the journal to schema version, up or down: the CLI's migrate
// verb, and tests that build a journal as an older release left it. A
// journal already there is left untouched; one at a version newer than
// this build knows fails with ErrSchemaTooNew; one left dirty by a failed
// migration fails with ErrDirty. A new journal whose tables or indexes
// would take names already in use fails with ErrNameTaken, and one whose
// creation fails leaves nothing behind. Migrations run under the schema
// lock and golang-migrate reads the version again once it holds it, so
// concurrent callers migrate once.
func To(ctx context.Context, db *sql.DB, d dialects.Dialect, j Journal, version uint) error {
	latest, err := Latest(d.Name())
	if err != nil {
		return err
	}
	if version < 1 || version > latest {
		return fmt.Errorf("migrate %s: no schema version %d (this build knows 1 to %d)", j.Table, version, latest)
	}
	files, err := renderFS(d.Name(), j)
	if err != nil {
		return err
	}
	isNew, err := claimNames(ctx, db, d, j, files)
	if err != nil {
		return err
	}
	cur, dirty, err := Current(ctx, db, d, j)
	if err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	switch {
	case dirty:
		return fmt.Errorf("%w: %s at version %d", ErrDirty, j.Table, cur)
	case cur > latest:
		return fmt.Errorf("%w: %s is at version %d, this build knows up to %d", ErrSchemaTooNew, j.Table, cur, latest)
	case cur == version:
		return nil
	}

	src, err := iofs.New(files, ".")
	if err != nil {
		return err
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	drv := &driver{ctx: ctx, conn: conn, dialect: d, table: MigrationsTable(j.Table)}
	if err := drv.ensureTable(); err != nil {
		return err
	}
	m, err := migrate.NewWithInstance("iofs", src, d.Name(), drv)
	if err != nil {
		return err
	}
	// m.Close would close drv, which only releases conn; the deferred
	// conn.Close does that.
	if err := m.Migrate(version); err != nil && !errors.Is(err, migrate.ErrNoChange) {
		err = fmt.Errorf("migrate %s: %w", j.Table, err)
		if isNew {
			// A journal that failed to come into being leaves nothing
			// behind, so the next open starts afresh.
			err = errors.Join(err, discard(ctx, db, d, j, files))
		}
		return err
	}
	return nil
}

// renderFS renders the migrations of dialect for the journal j.
func renderFS(dialect string, j Journal) (fstest.MapFS, error) {
	data := struct {
		Table, Meta, Head string
		KeyLength         int
	}{j.Table, dialects.MetaTable(j.Table), dialects.HeadTable(j.Table), j.KeyLength}
	entries, err := fs.ReadDir(files, dialect)
	if err != nil {
		return nil, fmt.Errorf("no migrations for dialect %q: %w", dialect, err)
	}
	out := fstest.MapFS{}
	for _, e := range entries {
		text, err := fs.ReadFile(files, path.Join(dialect, e.Name()))
		if err != nil {
			return nil, err
		}
		tmpl, err := template.New(e.Name()).Option("missingkey=error").Parse(string(text))
		if err != nil {
			return nil, fmt.Errorf("migration %s: %w", e.Name(), err)
		}
		var b bytes.Buffer
		if err := tmpl.Execute(&b, data); err != nil {
			return nil, fmt.Errorf("migration %s: %w", e.Name(), err)
		}
		out[e.Name()] = &fstest.MapFile{Data: b.Bytes()}
	}
	return out, nil
}

func sourceVersions(dialect string) ([]uint, error) {
	entries, err := fs.ReadDir(files, dialect)
	if err != nil {
		return nil, fmt.Errorf("no migrations for dialect %q: %w", dialect, err)
	}
	var out []uint
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".up.sql")
		if !ok {
			continue
		}
		n, _, _ := strings.Cut(name, "_")
		v, err := strconv.ParseUint(n, 10, 32)
		if err != nil {
			return nil, fmt.Errorf("migration %s: bad version: %w", e.Name(), err)
		}
		out = append(out, uint(v))
	}
	// fs.ReadDir sorts by name; versions are zero-free integers of growing
	// width, so sort numerically to be safe.
	for i := 1; i < len(out); i++ {
		for k := i; k > 0 && out[k] < out[k-1]; k-- {
			out[k], out[k-1] = out[k-1], out[k]
		}
	}
	return out, nil
}
