package benchsuite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/sqldict/sqldict/sqldict"
)

// plain is the table people hand-roll instead of a journal: one row per key,
// written with the engine's upsert, in the same database as the journal.
type plain struct {
	db                           *sql.DB
	table                        string
	create, upsert               string
	get, keys, count, drop, scan string
}

func plainFor(d *sqldict.Dict) plain {
	t := d.Table() + "_plain"
	p := plain{db: d.DB(), table: t,
		get:   "SELECT v FROM " + t + " WHERE k = ?",
		keys:  "SELECT k FROM " + t + " ORDER BY k",
		count: "SELECT COUNT(*) FROM " + t,
		scan:  "SELECT k, v FROM " + t + " ORDER BY k",
		drop:  "DROP TABLE IF EXISTS " + t,
	}
	switch d.Dialect().Name() {
	case "mysql":
		p.create = "CREATE TABLE IF NOT EXISTS " + t + " (k VARBINARY(255) PRIMARY KEY, v LONGBLOB NOT NULL) ENGINE=InnoDB"
		p.upsert = "INSERT INTO " + t + " (k, v) VALUES (?, ?) ON DUPLICATE KEY UPDATE v = VALUES(v)"
	case "postgres":
		p.create = "CREATE TABLE IF NOT EXISTS " + t + ` (k TEXT COLLATE "C" PRIMARY KEY, v BYTEA NOT NULL)`
		p.upsert = "INSERT INTO " + t + " (k, v) VALUES ($1, $2) ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v"
		p.get = strings.Replace(p.get, "?", "$1", 1)
	default:
		p.create = "CREATE TABLE IF NOT EXISTS " + t + " (k TEXT PRIMARY KEY, v BLOB NOT NULL)"
		p.upsert = "INSERT INTO " + t + " (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v"
	}
	return p
}

func (p plain) ensure(ctx context.Context) error {
	_, err := p.db.ExecContext(ctx, p.create)
	return err
}

// fill upserts keys [0, n) with values of round r, in transactions of a
// few thousand rows.
func (p plain) fill(ctx context.Context, n, r int) error {
	stmt, err := p.db.PrepareContext(ctx, p.upsert)
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
func (p plain) multiUpsert(d *sqldict.Dict, n int) string {
	head, tail, _ := strings.Cut(p.upsert, " VALUES ")
	_, tail, _ = strings.Cut(tail, ") ") // after the first row's group
	var q strings.Builder
	q.WriteString(head + " VALUES ")
	for r := range n {
		if r > 0 {
			q.WriteByte(',')
		}
		fmt.Fprintf(&q, "(%s,%s)", d.Dialect().Placeholder(2*r+1), d.Dialect().Placeholder(2*r+2))
	}
	q.WriteString(" " + tail)
	return q.String()
}
