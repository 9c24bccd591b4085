package integration_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/sqldict/sqldict/sqldict"
	"github.com/sqldict/sqldict/sqldict/sqldicttest"
)

// TestCommitLostConnection kills the writer's session while its COMMIT is
// in flight (PostgreSQL: a deferred trigger makes COMMIT sleep, and
// pg_terminate_backend ends it there). The outcome of such a COMMIT is
// unknown to the client; the Dict must find out, so the write either
// returns nil and is in the journal once, or fails and is absent. Both
// commit paths: a one-call commit (the journal's function, whose statement
// commits) and, with PruneOnWrite, the locked path's COMMIT, one after the
// other: the killer of one would take the other's COMMIT for its own.
func TestCommitLostConnection(t *testing.T) {
	t.Parallel()
	t.Run("call", func(t *testing.T) { testCommitLostConnection(t, sqldict.Options{}) })
	t.Run("locked", func(t *testing.T) { testCommitLostConnection(t, sqldict.Options{PruneOnWrite: true}) })
}

func testCommitLostConnection(t *testing.T, opts sqldict.Options) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	admin := postgreSQL.Admin(t)
	events := &eventCounter{}
	opts.Logger = slog.New(events)
	d := postgreSQL.Open(t, "", opts)
	t.Cleanup(func() { sqldicttest.CheckInvariants(t, d) })
	fn := d.Table() + "_slow_commit"
	for _, q := range []string{
		`CREATE FUNCTION ` + fn + `() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN PERFORM pg_sleep(2); RETURN NULL; END$$`,
		`CREATE CONSTRAINT TRIGGER ` + fn + ` AFTER INSERT ON ` + d.Table() +
			` DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.label = 'slow' AND NEW.version = 1) EXECUTE FUNCTION ` + fn + `()`,
	} {
		if _, err := admin.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		admin.Exec(`DROP TRIGGER IF EXISTS ` + fn + ` ON ` + d.Table())
		admin.Exec(`DROP FUNCTION IF EXISTS ` + fn + `()`)
	})

	killed := make(chan error, 1)
	go func() {
		// Find the session sleeping inside COMMIT and terminate it, once.
		for ctx.Err() == nil {
			var n int
			err := admin.QueryRowContext(ctx, `SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity `+
				`WHERE datname = current_database() AND wait_event = 'PgSleep' AND (query ILIKE 'commit%' OR query LIKE '%`+d.Table()+`_commit(%')`).Scan(&n)
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
	e, err := d.Entry(ctx, "slow")
	if err != nil {
		t.Fatal(err)
	}
	st, err := d.Stat(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if e.Version != 1 || st.Sequence != 1 || string(e.Value) != "v" {
		t.Fatalf("after the lost commit: %q at version %d, journal at sequence %d; want \"v\", 1, 1", e.Value, e.Version, st.Sequence)
	}
	if got := events.counts()["sqldict: commit did not take"]; got != 1 {
		t.Fatalf("core resolved %d lost commits, want 1 (events %v)", got, events.counts())
	}
}
