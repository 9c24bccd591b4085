package integration_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	mysqldriver "github.com/go-sql-driver/mysql"

	"github.com/sqldict/sqldict/sqldict"
	"github.com/sqldict/sqldict/sqldict/sqldicttest"
)

// TestCommitCall_MariaDBErrors makes the journal's commit procedure fail
// half way, after it took the meta row's lock and inserted a row: a
// trigger on the journal raises an error for key "boom". The call fails,
// and it must leave nothing behind: no row, and no transaction on the
// pooled connection still holding the lock (the procedure's exit handler
// rolls back). A deadlock (1213, which is also how Galera reports a failed
// certification) raised once for key "retry" is retried by the core on the
// locked path, and the write lands once. The Dict's pool has one session
// for the calls here, and after every call it is as the pool lent it: no
// transaction open, its isolation level unchanged (the procedure sets the
// level of its own transaction only).
func TestCommitCall_MariaDBErrors(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	admin := mariaDB.Admin(t)
	d := mariaDB.Open(t, "", sqldict.Options{})
	t.Cleanup(func() { sqldicttest.CheckInvariants(t, d) })
	trip, trig := d.Table()+"_trip", d.Table()+"_fail"
	for _, q := range []string{
		// Not transactional: the row that says the deadlock was raised
		// outlives the rollback of the transaction that raised it.
		`CREATE TABLE ` + trip + ` (id INT PRIMARY KEY) ENGINE=MEMORY`,
		`CREATE TRIGGER ` + trig + ` AFTER INSERT ON ` + d.Table() + ` FOR EACH ROW BEGIN ` +
			`IF NEW.label = 'boom' THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'boom'; END IF; ` +
			`IF NEW.label = 'retry' AND NOT EXISTS (SELECT 1 FROM ` + trip + `) THEN ` +
			`INSERT INTO ` + trip + ` VALUES (1); SIGNAL SQLSTATE '40001' SET MYSQL_ERRNO = 1213, MESSAGE_TEXT = 'deadlock'; END IF; END`,
	} {
		if _, err := admin.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		admin.Exec(`DROP TRIGGER IF EXISTS ` + trig)
		admin.Exec(`DROP TABLE IF EXISTS ` + trip)
	})

	d.DB().SetMaxOpenConns(1)
	session := func() (level string, open int) {
		t.Helper()
		conn, err := d.DB().Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		if err := conn.QueryRowContext(ctx, `SELECT @@SESSION.tx_isolation`).Scan(&level); err != nil {
			// MySQL 8 names it transaction_isolation only.
			if err := conn.QueryRowContext(ctx, `SELECT @@SESSION.transaction_isolation`).Scan(&level); err != nil {
				t.Fatal(err)
			}
		}
		err = conn.QueryRowContext(ctx, `SELECT COUNT(*) FROM information_schema.INNODB_TRX WHERE trx_mysql_thread_id = CONNECTION_ID()`).Scan(&open)
		if err != nil {
			t.Fatal(err)
		}
		return level, open
	}
	lent, _ := session()
	checkSession := func(after string) {
		t.Helper()
		if level, open := session(); level != lent || open != 0 {
			t.Fatalf("after %s the pooled session is at %s with %d transactions open; want %s and none", after, level, open, lent)
		}
	}
	if err := d.Set(ctx, "ok", []byte("v")); err != nil {
		t.Fatal(err)
	}
	checkSession("a call that wrote")
	if _, err := d.Commit(ctx, sqldict.Write{Key: "ok", Value: []byte("w"), IfVersion: sqldict.Expect(0)}); !errors.Is(err, sqldict.ErrConflict) {
		t.Fatalf("commit expecting ok absent: %v, want ErrConflict", err)
	}
	checkSession("a call that only checked (the conflict, decided on the head it confirmed)")

	if err := d.Set(ctx, "boom", []byte("v")); err == nil {
		t.Fatal("set boom: no error from a failing trigger")
	}
	checkSession("a call that failed")
	// The meta row's lock is free: another session takes it at once.
	conn, err := admin.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, q := range []string{
		`SET SESSION innodb_lock_wait_timeout = 2`,
		`START TRANSACTION`,
		`SELECT last_seq FROM ` + d.Table() + `_meta WHERE id = 1 FOR UPDATE`,
		`ROLLBACK`,
		`SET SESSION innodb_lock_wait_timeout = DEFAULT`,
	} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			d.Close() // ends the pool's sessions, and the transaction left open
			t.Fatalf("%s, after the failed call: %v", q, err)
		}
	}
	if _, err := d.Entry(ctx, "boom"); !errors.Is(err, sqldict.ErrNotFound) {
		t.Fatalf("entry boom after the failed call: %v, want ErrNotFound", err)
	}

	// The locked path prepares statements on the pool while its
	// transaction holds a session: one session is not enough for it.
	d.DB().SetMaxOpenConns(0)
	if err := d.Set(ctx, "retry", []byte("v")); err != nil {
		t.Fatalf("set retry: %v; a deadlock in the call was not retried", err)
	}
	var raised int
	if err := admin.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+trip).Scan(&raised); err != nil || raised != 1 {
		t.Fatalf("the deadlock was raised %d times (%v), want 1", raised, err)
	}
	st, err := d.Stat(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if e, err := d.Entry(ctx, "retry"); err != nil || e.Version != 1 || st.Sequence != 2 {
		t.Fatalf("after the retried call: version %d (%v), journal at %d; want 1, 2", e.Version, err, st.Sequence)
	}
}

// TestCommitCall_StaleBelief has two Dicts write the same keys, so that
// each one's belief about their heads (what its own commits left) is wrong
// in turn: the one-call commit must answer the heads as they are, and the
// batch, planned again from them, lands with the right versions or fails
// on a check decided against them, never on the belief.
func TestCommitCall_StaleBelief(t *testing.T) {
	forEngine(t, func(t *testing.T, e *engine) {
		ctx := context.Background()
		a := e.Open(t, "", sqldict.Options{})
		b := e.Open(t, "", sqldict.Options{Table: a.Table()})
		t.Cleanup(func() { sqldicttest.CheckInvariants(t, a) })
		write := func(d *sqldict.Dict, ws ...sqldict.Write) []sqldict.Entry {
			t.Helper()
			es, err := d.Commit(ctx, ws...)
			if err != nil {
				t.Fatal(err)
			}
			return es
		}
		write(a, sqldict.Write{Key: "x", Value: []byte("a1")}, sqldict.Write{Key: "y", Value: []byte("a1")})
		// b believes x and y were never written.
		es := write(b, sqldict.Write{Key: "x", Value: []byte("b2")}, sqldict.Write{Key: "z", Value: []byte("b1")},
			sqldict.Write{Key: "y", Delete: true})
		if es[0].Version != 2 || es[1].Version != 1 || es[2].Version != 2 || es[2].Sequence != 5 {
			t.Fatalf("b's commit: %+v; want x@2, z@1, y@2 deleted at sequence 5", es)
		}
		// a believes x@1, y@1 live; both moved. Its expectation holds on
		// the head as it is, and y, deleted, may be written again.
		es = write(a, sqldict.Write{Key: "x", Value: []byte("a3"), IfVersion: sqldict.Expect(2)},
			sqldict.Write{Key: "y", Value: []byte("a3"), IfVersion: sqldict.Expect(0)})
		if es[0].Version != 3 || es[1].Version != 3 {
			t.Fatalf("a's commit: %+v; want x@3, y@3", es)
		}
		// b believes x@2: its expectation of 2 fails on the head (3).
		_, err := b.Commit(ctx, sqldict.Write{Key: "x", Value: []byte("b4"), IfVersion: sqldict.Expect(2)})
		var ce *sqldict.ConflictError
		if !errors.As(err, &ce) || ce.Actual != 3 {
			t.Fatalf("b's stale expectation: %v, want a conflict with version 3", err)
		}
		// b deletes z, which it wrote: believed right, one call.
		write(b, sqldict.Write{Key: "z", Delete: true})
		st, err := a.Stat(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if st.Sequence != 8 || st.Live != 2 {
			t.Fatalf("journal at %d with %d live keys, want 8 and 2", st.Sequence, st.Live)
		}
	})
}

// TestCommitCall_MariaDBPrivileges checks the privileges the dialect's doc
// names: an account with CREATE ROUTINE (and no ALTER ROUTINE) migrates a
// new journal to the commit procedure, and writes through it (its creator
// may execute it); an account with the table privileges but no EXECUTE is
// refused the call, and writes once granted EXECUTE on the procedure.
func TestCommitCall_MariaDBPrivileges(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	admin := mariaDB.Admin(t)
	u, err := url.Parse(mariaDB.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	db := strings.TrimPrefix(u.Path, "/")
	table := sqldicttest.UniqueTable()
	t.Cleanup(func() { mariaDB.Drop(t, table) })
	open := func(user, grants string) *sqldict.Dict {
		t.Helper()
		for _, q := range []string{
			`CREATE USER '` + user + `'@'%'`,
			`GRANT ` + grants + ` ON ` + db + `.* TO '` + user + `'@'%'`,
		} {
			if _, err := admin.ExecContext(ctx, q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		t.Cleanup(func() { admin.Exec(`DROP USER IF EXISTS '` + user + `'@'%'`) })
		as := *u
		as.User = url.User(user)
		d, err := sqldict.OpenURL(ctx, as.String(), sqldict.Options{Table: table})
		if err != nil {
			t.Fatalf("open %s as %s (%s): %v", table, user, grants, err)
		}
		t.Cleanup(func() { d.Close() })
		return d
	}
	owner := open(table+"_o", "SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER, CREATE ROUTINE")
	if err := owner.Set(ctx, "a", []byte("1")); err != nil {
		t.Fatalf("set as the account that created the procedure: %v", err)
	}
	writer := open(table+"_w", "SELECT, INSERT, UPDATE, DELETE")
	var me *mysqldriver.MySQLError
	if err := writer.Set(ctx, "b", []byte("1")); !errors.As(err, &me) || me.Number != 1370 {
		t.Fatalf("set without EXECUTE on the procedure: %v, want error 1370 (execute command denied)", err)
	}
	grant := `GRANT EXECUTE ON PROCEDURE ` + db + `.` + table + `_commit TO '` + table + `_w'@'%'`
	if _, err := admin.ExecContext(ctx, grant); err != nil {
		t.Fatalf("%s: %v", grant, err)
	}
	if err := writer.Set(ctx, "b", []byte("1")); err != nil {
		t.Fatalf("set with EXECUTE on the procedure: %v", err)
	}
	sqldicttest.CheckInvariants(t, owner)
}
