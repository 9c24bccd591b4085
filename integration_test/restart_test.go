package integration_test

import (
	"context"
	"log/slog"
	"maps"
	"os"
	"os/exec"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sqldict/sqldict/sqldict"
	"github.com/sqldict/sqldict/sqldict/sqldicttest"
)

// Commands that restart the local servers; SQLDICT_TEST_RESTART_MYSQL_CMD and
// SQLDICT_TEST_RESTART_POSTGRES_CMD replace them (run with sh -c).
const (
	// MariaDB is killed, not shut down: a crash loses nothing committed. It
	// is started again exactly as .ci/install-services starts it: as root,
	// mariadbd refuses to run without --user, and without
	// --skip-name-resolve TCP root from 127.0.0.1 is refused.
	restartMariaDB = `pid=$(cat /run/mysqld/mysqld.pid) && kill -KILL "$pid" && ` +
		`while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done && ` +
		`start-stop-daemon --start --oknodo --background --pidfile /run/mysqld/mysqld.pid --exec /usr/sbin/mariadbd -- --user=mysql --skip-name-resolve --log-error=/var/log/mysql/error.log`
	restartPostgres = `pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -n1)" main restart -m fast`
)

// TestRestart restarts each server while writers commit. Writes in flight
// either fail or are whole in the journal, every write that returned nil is
// there afterwards, and the same Dict works again without being reopened.
// It disrupts everything else using the servers, so it runs only when
// SQLDICT_TEST_RESTART=1 (make test-integration-restart runs it alone; make test
// only when SQLDICT_TEST_RESTART=1 is set, as .ci/run does).
func TestRestart(t *testing.T) {
	if os.Getenv("SQLDICT_TEST_RESTART") != "1" {
		t.Skip("restarts the database servers; set SQLDICT_TEST_RESTART=1 to run")
	}
	for _, tc := range []struct {
		e        *engine
		env, cmd string
	}{
		{mariaDB, "SQLDICT_TEST_RESTART_MYSQL_CMD", restartMariaDB},
		{postgreSQL, "SQLDICT_TEST_RESTART_POSTGRES_CMD", restartPostgres},
	} {
		t.Run(tc.e.name, func(t *testing.T) {
			cmd := tc.cmd
			if c := os.Getenv(tc.env); c != "" {
				cmd = c
			}
			testRestart(t, tc.e, cmd)
		})
	}
}

func testRestart(t *testing.T, e *engine, restart string) {
	events := &eventCounter{}
	d := e.Open(t, "", sqldict.Options{Logger: slog.New(events)})
	t.Cleanup(func() { sqldicttest.CheckInvariants(t, d) })
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	watch := startWatch(ctx, d) // resumes by itself across the restart

	const workers = 4
	var restarted atomic.Bool
	var okAfter atomic.Int64 // successful writes once the restart finished
	stop := sqldicttest.StartWriters(ctx, workers, func(int) *sqldict.Dict { return d }, 0,
		func(_ int, a sqldicttest.Attempt) bool {
			if a.Err != nil {
				time.Sleep(20 * time.Millisecond) // the server is away; don't spin
			} else if restarted.Load() {
				okAfter.Add(1)
			}
			return true
		})
	time.Sleep(500 * time.Millisecond)
	out, err := exec.CommandContext(ctx, "sh", "-c", restart).CombinedOutput()
	if err != nil {
		stop()
		t.Fatalf("restart %s: %v\n%s", e.name, err, out)
	}
	restarted.Store(true)
	deadline := time.Now().Add(60 * time.Second)
	for okAfter.Load() < 50*workers && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	attempts := stop()
	if n := okAfter.Load(); n < 50*workers {
		t.Fatalf("only %d writes succeeded in the minute after the restart: the Dict did not recover", n)
	}

	ok, failed := sqldicttest.CheckAttempts(t, d, attempts)
	shown := 0
	for _, as := range attempts {
		for _, a := range as {
			if a.Err != nil && shown < 3 {
				shown++
				t.Logf("failed write (expected while the server is away): %v", a.Err)
			}
		}
	}
	watch.check(t, ctx, d)
	t.Logf("%s restart: %d writes succeeded, %d failed and left nothing behind; core events: %v", e.name, ok, failed, events.counts())
}

// eventCounter is a slog.Handler counting the core's log messages, to show
// which recovery paths a run took.
type eventCounter struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *eventCounter) Enabled(context.Context, slog.Level) bool { return true }
func (c *eventCounter) WithAttrs([]slog.Attr) slog.Handler       { return c }
func (c *eventCounter) WithGroup(string) slog.Handler            { return c }
func (c *eventCounter) Handle(_ context.Context, r slog.Record) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[r.Message]++
	return nil
}

func (c *eventCounter) counts() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.n)
}
