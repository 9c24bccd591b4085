package migrations

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/golang-migrate/migrate/v4/database"

	"github.com/sqldict/sqldict/dialects"
)

// driver is a golang-migrate database.Driver over one connection of the
// caller's pool. golang-migrate's interface has no context; the driver lives
// for one Up call and carries that call's context.
type driver struct {
	ctx     context.Context
	conn    *sql.Conn
	dialect dialects.Dialect
	table   string // version table
	unlock  func(ok bool) error
	failed  bool // a statement failed since Lock
}

var _ database.Driver = (*driver)(nil)

// newDriver returns a driver for the journal j on a connection of db of
// its own; the caller closes drv.conn.
func newDriver(ctx context.Context, db *sql.DB, d dialects.Dialect, j Journal) (*driver, error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	return &driver{ctx: ctx, conn: conn, dialect: d, table: MigrationsTable(j.Table)}, nil
}

func (d *driver) Open(string) (database.Driver, error) {
	return nil, errors.New("sqldict migrations driver is opened by the runner only")
}

// Close releases nothing: the runner owns the connection.
func (d *driver) Close() error { return nil }

func (d *driver) Lock() error {
	if d.unlock != nil {
		return database.ErrLocked
	}
	unlock, err := d.dialect.LockSchema(d.ctx, d.conn, d.table)
	if err != nil {
		return fmt.Errorf("lock schema: %w", err)
	}
	d.unlock = unlock
	return nil
}

func (d *driver) Unlock() error {
	if d.unlock == nil {
		return database.ErrNotLocked
	}
	unlock := d.unlock
	d.unlock = nil
	return unlock(!d.failed)
}

// Run executes a migration file statement by statement: our files end each
// statement with ";" at the end of a line (or with the DELIMITER a MySQL
// file sets around a procedure) and put none inside literals, and not every
// driver accepts several statements in one Exec (MySQL needs a DSN flag the
// caller may not have set).
func (d *driver) Run(migration io.Reader) error {
	text, err := io.ReadAll(migration)
	if err != nil {
		return err
	}
	for _, stmt := range Statements(string(text)) {
		if _, err := d.conn.ExecContext(d.ctx, stmt); err != nil {
			d.failed = true
			return fmt.Errorf("%w\n in statement: %s", err, stmt)
		}
	}
	return nil
}

// Statements splits a migration file into statements, dropping comment-only
// lines. A statement ends with a line that ends in ";", except inside a
// body quoted by $$ (a PostgreSQL function's), whose statements end in ";"
// too. A MySQL compound statement (a procedure's BEGIN … END) has no such
// quotes, so its file changes the terminator as the mysql client does: a
// line "DELIMITER //" between two statements makes "//" end the next ones,
// and "DELIMITER ;" restores ";". The directive is recognised only where no
// statement has begun and only as a line's first word; it is not a
// statement.
func Statements(text string) []string {
	var out []string
	var cur strings.Builder
	quoted := false
	delim := ";"
	for line := range strings.Lines(text) {
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "--") {
			continue
		}
		if word, rest, _ := strings.Cut(trimmed, " "); cur.Len() == 0 && strings.EqualFold(word, "DELIMITER") && strings.TrimSpace(rest) != "" {
			delim = strings.TrimSpace(rest)
			continue
		}
		cur.WriteString(line)
		if strings.Count(line, "$$")%2 == 1 {
			quoted = !quoted
		}
		if strings.HasSuffix(trimmed, delim) && !quoted {
			out = append(out, strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(cur.String()), delim)))
			cur.Reset()
		}
	}
	if s := strings.TrimSpace(cur.String()); s != "" {
		out = append(out, s)
	}
	return out
}

// ensureTable creates the version table when missing, holding the schema
// lock: openers of a new journal race here, and on PostgreSQL the loser of
// two concurrent CREATE TABLE IF NOT EXISTS fails on the catalog's unique
// indexes instead of finding the table. A journal that has the table is
// not locked at all (read-only opens stay read-only).
func (d *driver) ensureTable() error {
	if _, _, err := d.Version(); err == nil {
		return nil
	}
	if err := d.Lock(); err != nil {
		return err
	}
	_, err := d.conn.ExecContext(d.ctx, "CREATE TABLE IF NOT EXISTS "+d.table+
		" (version BIGINT NOT NULL PRIMARY KEY, dirty BOOLEAN NOT NULL)")
	d.failed = err != nil
	return errors.Join(err, d.Unlock())
}

func (d *driver) SetVersion(version int, dirty bool) error {
	if _, err := d.conn.ExecContext(d.ctx, "DELETE FROM "+d.table); err != nil {
		d.failed = true
		return err
	}
	if version < 0 {
		return nil
	}
	q := "INSERT INTO " + d.table + " (version, dirty) VALUES (" +
		d.dialect.Placeholder(1) + ", " + d.dialect.Placeholder(2) + ")"
	_, err := d.conn.ExecContext(d.ctx, q, version, dirty)
	return err
}

func (d *driver) Version() (int, bool, error) {
	var v int
	var dirty bool
	err := d.conn.QueryRowContext(d.ctx, "SELECT version, dirty FROM "+d.table).Scan(&v, &dirty)
	if errors.Is(err, sql.ErrNoRows) {
		return database.NilVersion, false, nil
	}
	return v, dirty, err
}

// lockedVersion reads the version holding the schema lock.
func (d *driver) lockedVersion() (version int, dirty bool, err error) {
	if err := d.Lock(); err != nil {
		return 0, false, err
	}
	version, dirty, err = d.Version()
	return version, dirty, errors.Join(err, d.Unlock())
}

// Drop is refused: dropping a journal destroys its history and is not a
// migration step.
func (d *driver) Drop() error {
	return errors.New("sqldict migrations driver does not drop journals")
}
