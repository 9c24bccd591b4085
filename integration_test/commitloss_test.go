package integration_test

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/sqldict/sqldict/sqldict"
	"github.com/sqldict/sqldict/sqldict/sqldicttest"
)

// TestCommitLostConnection kills the writer's session while its commit is
// in flight: the server sleeps there on a condition the test creates, and
// the test ends the session it finds sleeping. The outcome of such a commit
// is unknown to the client; the Dict must find out, so the write either
// returns nil and is in the journal once, or fails and is absent.
//
// PostgreSQL: a deferred trigger makes COMMIT sleep, and
// pg_terminate_backend ends it there; both commit paths, a one-call commit
// (the journal's function, whose statement commits) and, with
// PruneOnWrite, the locked path's COMMIT, one after the other: the killer
// of one would take the other's COMMIT for its own. MariaDB: a trigger
// makes the commit procedure's INSERT sleep, and KILL ends the session
// there, so the CALL's answer is lost. Its locked path cannot be caught in
// COMMIT that way (no deferred triggers): a session killed in its INSERT
// has sent no COMMIT, which is no lost answer.
func TestCommitLostConnection(t *testing.T) {
	t.Parallel()
	t.Run("call", func(t *testing.T) { testCommitLostConnection(t, postgreSQL, slowPostgres, sqldict.Options{}) })
	t.Run("locked", func(t *testing.T) {
		testCommitLostConnection(t, postgreSQL, slowPostgres, sqldict.Options{PruneOnWrite: true})
	})
	t.Run("mariadb/call", func(t *testing.T) { testCommitLostConnection(t, mariaDB, slowMariaDB, sqldict.Options{}) })
}

// slowCommit makes the first commit of key "slow" in journal table sleep
// (install's statements, undone by drop's) and kills the session sleeping
// there (kill, which counts the sessions it ended).
type slowCommit struct {
	install, drop []string
	kill          func(ctx context.Context, admin *sql.DB) (int, error)
}

var (
	slowPostgres = func(table string) slowCommit {
		fn := table + "_slow_commit"
		return slowCommit{
			install: []string{
				`CREATE FUNCTION ` + fn + `() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN PERFORM pg_sleep(2); RETURN NULL; END$$`,
				`CREATE CONSTRAINT TRIGGER ` + fn + ` AFTER INSERT ON ` + table +
					` DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.label = 'slow' AND NEW.version = 1) EXECUTE FUNCTION ` + fn + `()`,
			},
			drop: []string{`DROP TRIGGER IF EXISTS ` + fn + ` ON ` + table, `DROP FUNCTION IF EXISTS ` + fn + `()`},
			kill: func(ctx context.Context, admin *sql.DB) (int, error) {
				var n int
				err := admin.QueryRowContext(ctx, `SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity `+
					`WHERE datname = current_database() AND wait_event = 'PgSleep' AND (query ILIKE 'commit%' OR query LIKE '%`+table+`_commit(%')`).Scan(&n)
				return n, err
			},
		}
	}
	slowMariaDB = func(table string) slowCommit {
		trig := table + "_slow_commit"
		// MariaDB lists the statement a session runs inside a trigger: the
		// variable's name tells this test's sleep from any other.
		sleep := `SET @` + trig + ` = SLEEP(2)`
		return slowCommit{
			install: []string{`CREATE TRIGGER ` + trig + ` AFTER INSERT ON ` + table + ` FOR EACH ROW ` +
				`BEGIN IF NEW.label = 'slow' AND NEW.version = 1 THEN ` + sleep + `; END IF; END`},
			drop: []string{`DROP TRIGGER IF EXISTS ` + trig},
			kill: func(ctx context.Context, admin *sql.DB) (int, error) {
				var ids []int64
				rows, err := admin.QueryContext(ctx, `SELECT id FROM information_schema.PROCESSLIST WHERE info = ?`, sleep)
				if err != nil {
					return 0, err
				}
				for rows.Next() {
					var id int64
					if err := rows.Scan(&id); err != nil {
						rows.Close()
						return 0, err
					}
					ids = append(ids, id)
				}
				if err := rows.Close(); err != nil {
					return 0, err
				}
				for _, id := range ids {
					if _, err := admin.ExecContext(ctx, fmt.Sprintf("KILL CONNECTION %d", id)); err != nil {
						return 0, err
					}
				}
				return len(ids), nil
			},
		}
	}
)

func testCommitLostConnection(t *testing.T, e *engine, slow func(table string) slowCommit, opts sqldict.Options) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	admin := e.Admin(t)
	events := &eventCounter{}
	opts.Logger = slog.New(events)
	d := e.Open(t, "", opts)
	t.Cleanup(func() { sqldicttest.CheckInvariants(t, d) })
	s := slow(d.Table())
	for _, q := range s.install {
		if _, err := admin.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		for _, q := range s.drop {
			admin.Exec(q)
		}
	})

	killed := make(chan error, 1)
	go func() {
		// Find the session sleeping inside the commit and end it, once.
		for ctx.Err() == nil {
			n, err := s.kill(ctx, admin)
			if err != nil || n > 0 {
				killed <- err
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
		killed <- ctx.Err()
	}()

	err := d.Set(ctx, "slow", []byte("v"))
	if kerr := <-killed; kerr != nil {
		t.Fatalf("terminate the committing session: %v", kerr)
	}
	if err != nil {
		t.Fatalf("set: %v; the commit was lost with its connection and the Dict gave up", err)
	}
	e2, err := d.Entry(ctx, "slow")
	if err != nil {
		t.Fatal(err)
	}
	st, err := d.Stat(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if e2.Version != 1 || st.Sequence != 1 || string(e2.Value) != "v" {
		t.Fatalf("after the lost commit: %q at version %d, journal at sequence %d; want \"v\", 1, 1", e2.Value, e2.Version, st.Sequence)
	}
	if got := events.counts()["sqldict: commit did not take"]; got != 1 {
		t.Fatalf("core resolved %d lost commits, want 1 (events %v)", got, events.counts())
	}
}
