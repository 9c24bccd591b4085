package integration_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/sqldict/sqldict/dialects"
	"github.com/sqldict/sqldict/dialects/mysql"
	"github.com/sqldict/sqldict/dialects/postgres"
	"github.com/sqldict/sqldict/sqldict"
	"github.com/sqldict/sqldict/sqldict/sqldicttest"
)

// TestClassify provokes each error class on the real servers and checks the
// dialect's translation of the native error.
func TestClassify(t *testing.T) {
	forEngine(t, func(t *testing.T, e *engine) {
		ctx := context.Background()
		db := e.Admin(t)
		var d dialects.Dialect = &postgres.Dialect{}
		if e.name == "mariadb" {
			d = &mysql.Dialect{}
		}
		table := sqldicttest.UniqueTable()
		if _, err := db.ExecContext(ctx, "CREATE TABLE "+table+" (id INT PRIMARY KEY, v INT NOT NULL)"); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Exec("DROP TABLE " + table) })
		if _, err := db.ExecContext(ctx, "INSERT INTO "+table+" (id, v) VALUES (1, 0), (2, 0)"); err != nil {
			t.Fatal(err)
		}

		t.Run("duplicate", func(t *testing.T) {
			_, err := db.ExecContext(ctx, "INSERT INTO "+table+" (id, v) VALUES (1, 0)")
			if got := d.Classify(err); !errors.Is(got, dialects.ErrDuplicate) {
				t.Fatalf("got %v, want ErrDuplicate", got)
			}
		})

		t.Run("deadlock", func(t *testing.T) {
			err := deadlock(ctx, db, table)
			got := d.Classify(err)
			if !errors.Is(got, dialects.ErrRetry) {
				t.Fatalf("got %v, want ErrRetry", got)
			}
			if errors.Is(got, dialects.ErrConnection) || errors.Is(got, dialects.ErrDuplicate) {
				t.Fatalf("%v classified twice", got)
			}
		})

		t.Run("refused", func(t *testing.T) {
			url := "mysql://root@127.0.0.1:1/test?timeout=2s"
			if e.name == "postgres" {
				url = "postgres://postgres@127.0.0.1:1/test?sslmode=disable&connect_timeout=2"
			}
			_, err := sqldict.OpenURL(ctx, url, sqldict.Options{})
			if got := d.Classify(err); !errors.Is(got, dialects.ErrConnection) {
				t.Fatalf("got %v, want ErrConnection", got)
			}
		})

		t.Run("killed", func(t *testing.T) {
			// A session the server terminates mid-statement.
			conn, err := db.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			var id int64
			sleep, kill := "SELECT SLEEP(30)", "KILL %d"
			idQuery := "SELECT CONNECTION_ID()"
			if e.name == "postgres" {
				sleep, kill, idQuery = "SELECT pg_sleep(30)", "SELECT pg_terminate_backend(%d)", "SELECT pg_backend_pid()"
			}
			if err := conn.QueryRowContext(ctx, idQuery).Scan(&id); err != nil {
				t.Fatal(err)
			}
			go func() {
				time.Sleep(200 * time.Millisecond)
				db.ExecContext(ctx, fmt.Sprintf(kill, id))
			}()
			_, err = conn.ExecContext(ctx, sleep)
			if got := d.Classify(err); !errors.Is(got, dialects.ErrConnection) {
				t.Fatalf("got %v (%T), want ErrConnection", got, err)
			}
		})

		t.Run("no table", func(t *testing.T) {
			_, err := db.ExecContext(ctx, "SELECT * FROM no_such_table_here")
			if got := d.Classify(err); !errors.Is(got, dialects.ErrNoTable) {
				t.Fatalf("got %v, want ErrNoTable", got)
			}
		})

		t.Run("other", func(t *testing.T) {
			_, err := db.ExecContext(ctx, "SELECT no_such_column FROM "+table)
			if got := d.Classify(err); got != err {
				t.Fatalf("got %v, want the error unchanged", got)
			}
		})
	})
}

// deadlock runs two transactions that lock rows 1 and 2 in opposite orders
// and returns the error of the one the server chose as the victim.
func deadlock(ctx context.Context, db *sql.DB, table string) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var txs [2]*sql.Tx
	for i := range txs {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		txs[i] = tx
	}
	update := "UPDATE " + table + " SET v = v + 1 WHERE id = "
	if _, err := txs[0].ExecContext(ctx, update+"1"); err != nil {
		return err
	}
	if _, err := txs[1].ExecContext(ctx, update+"2"); err != nil {
		return err
	}
	type result struct {
		i   int
		err error
	}
	done := make(chan result, 2)
	go func() { _, err := txs[0].ExecContext(ctx, update+"2"); done <- result{0, err} }()
	time.Sleep(100 * time.Millisecond)
	go func() { _, err := txs[1].ExecContext(ctx, update+"1"); done <- result{1, err} }()
	// The victim gets the deadlock error; the survivor's update may wait
	// for the victim's ROLLBACK (PostgreSQL holds locks until then).
	var victim error
	for range 2 {
		r := <-done
		if r.err != nil {
			txs[r.i].Rollback()
			victim = errors.Join(victim, r.err)
		}
	}
	if victim == nil {
		return errors.New("no deadlock: both updates went through")
	}
	return victim
}
