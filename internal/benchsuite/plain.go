package benchsuite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/sqldict/sqldict/sqldict"
)

// Plain is the table people hand-roll instead of a journal: one row per key,
// written with the engine's upsert, in the same database as the journal.
type Plain struct {
	db    *sql.DB
	table string
	// Statement texts in the engine's placeholder style: Create (IF NOT
	// EXISTS), Upsert (k, v), Get (k) → v, Keys → k in order, Count, Drop.
	Create, Upsert, Get, Keys, Count, Drop string
}

// PlainFor returns the plain table beside d's journal, named <table>_plain.
func PlainFor(d *sqldict.Dict) Plain {
	t := d.Table() + "_plain"
	p := Plain{db: d.DB(), table: t,
		Get:   "SELECT v FROM " + t + " WHERE k = ?",
		Keys:  "SELECT k FROM " + t + " ORDER BY k",
		Count: "SELECT COUNT(*) FROM " + t,
		Drop:  "DROP TABLE IF EXISTS " + t,
	}
	switch d.Dialect().Name() {
	case "mysql":
		p.Create = "CREATE TABLE IF NOT EXISTS " + t + " (k VARBINARY(255) PRIMARY KEY, v LONGBLOB NOT NULL) ENGINE=InnoDB"
		p.Upsert = "INSERT INTO " + t + " (k, v) VALUES (?, ?) ON DUPLICATE KEY UPDATE v = VALUES(v)"
	case "postgres":
		p.Create = "CREATE TABLE IF NOT EXISTS " + t + ` (k TEXT COLLATE "C" PRIMARY KEY, v BYTEA NOT NULL)`
		p.Upsert = "INSERT INTO " + t + " (k, v) VALUES ($1, $2) ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v"
		p.Get = strings.Replace(p.Get, "?", "$1", 1)
	default:
		p.Create = "CREATE TABLE IF NOT EXISTS " + t + " (k TEXT PRIMARY KEY, v BLOB NOT NULL)"
		p.Upsert = "INSERT INTO " + t + " (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v"
	}
	return p
}

// Ensure creates the table when missing.
func (p Plain) Ensure(ctx context.Context) error {
	_, err := p.db.ExecContext(ctx, p.Create)
	return err
}

// fill upserts keys [0, n) with values of round r, in transactions of a
// few thousand rows.
func (p Plain) fill(ctx context.Context, n, r int) error {
	stmt, err := p.db.PrepareContext(ctx, p.Upsert)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for lo := 0; lo < n; lo += 5000 {
		tx, err := p.db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		ts := tx.StmtContext(ctx, stmt)
		for i := lo; i < min(lo+5000, n); i++ {
			if _, err := ts.ExecContext(ctx, Key(i), value(i, r)); err != nil {
				tx.Rollback()
				return fmt.Errorf("fill %s: %w", p.table, err)
			}
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	return nil
}

// multiUpsert is the upsert of n rows in one statement.
func (p Plain) multiUpsert(d *sqldict.Dict, n int) string {
	head, tail, _ := strings.Cut(p.Upsert, " VALUES ")
	_, tail, _ = strings.Cut(tail, ") ") // after the first row's group
	return head + " VALUES " + groups(d, n, 2) + " " + tail
}
