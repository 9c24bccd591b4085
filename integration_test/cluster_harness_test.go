package integration_test

// The cluster harness (issue 14): real multi-node setups on this machine's
// loopback, started and torn down by the tests themselves — a 3-node MariaDB
// Galera cluster and a PostgreSQL primary with a streaming replica. Every
// node runs in a temp dir with its own datadir and ports; the harness kills
// (SIGKILL) only the process groups it started, and t.Cleanup tears them
// down whatever the test's outcome. Gated by SQLDICT_TEST_CLUSTER=1 (make
// test-cluster): without it the tests skip loudly.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sqldict/sqldict/dialects"
	"github.com/sqldict/sqldict/sqldict"
	"github.com/sqldict/sqldict/sqldict/sqldicttest"
)

// needCluster skips the test unless SQLDICT_TEST_CLUSTER=1.
func needCluster(t *testing.T) {
	t.Helper()
	if os.Getenv("SQLDICT_TEST_CLUSTER") != "1" {
		t.Skip("cluster tests start a 3-node Galera cluster and a PostgreSQL primary/replica pair on this machine; run them with make test-cluster (SQLDICT_TEST_CLUSTER=1)")
	}
	if os.Geteuid() != 0 {
		clusterUnavailable(t, "the cluster harness runs mariadbd and postgres as their system users and must run as root")
	}
}

// clusterUnavailable ends a test whose cluster could not be started: a
// failure in CI (where .ci/install-services installed everything), a loud
// skip elsewhere.
func clusterUnavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// node is one server process the harness started.
type node struct {
	name string // "galera/node2", "pg/replica"
	dir  string
	port int
	log  string // server log file

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{} // closed when cmd has been waited for
}

// start runs cmd in its own process group, as the node's server.
func (n *node) start(cmd *exec.Cmd) error {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid = true
	f, err := os.OpenFile(n.log+".out", os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		f.Close()
		return fmt.Errorf("%s: start %s: %w", n.name, cmd.Path, err)
	}
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		f.Close()
		close(done)
	}()
	n.mu.Lock()
	n.cmd, n.done = cmd, done
	n.mu.Unlock()
	return nil
}

// kill sends SIGKILL to the node's process group (the server and, for
// PostgreSQL, its backends) and waits for the server to be gone.
func (n *node) kill() {
	n.mu.Lock()
	cmd, done := n.cmd, n.done
	n.cmd = nil
	n.mu.Unlock()
	if cmd == nil {
		return
	}
	// PostgreSQL's backends each run in a session of their own (setsid):
	// the process group holds only the postmaster. Kill its children
	// first, so that no backend outlives the crash to finish a query.
	for _, pid := range childrenOf(cmd.Process.Pid) {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	select {
	case <-done:
	case <-time.After(30 * time.Second):
	}
	// Backends outliving a killed postmaster die when they notice; wait
	// briefly so that the ports and datadir are free for a restart.
	for i := 0; i < 100 && syscall.Kill(-cmd.Process.Pid, 0) == nil; i++ {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		time.Sleep(50 * time.Millisecond)
	}
}

// childrenOf lists the processes whose parent is pid, from /proc.
func childrenOf(pid int) []int {
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	var out []int
	for _, f := range stats {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		// pid (comm) state ppid …; comm may hold spaces and parentheses.
		rest := string(data)
		if i := strings.LastIndexByte(rest, ')'); i >= 0 {
			rest = rest[i+1:]
		}
		fields := strings.Fields(rest)
		if len(fields) < 2 {
			continue
		}
		if ppid, err := strconv.Atoi(fields[1]); err == nil && ppid == pid {
			if child, err := strconv.Atoi(filepath.Base(filepath.Dir(f))); err == nil {
				out = append(out, child)
			}
		}
	}
	return out
}

// running reports whether the node's server process is alive.
func (n *node) running() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.cmd == nil {
		return false
	}
	select {
	case <-n.done:
		return false
	default:
		return true
	}
}

// tail returns the end of the node's logs, for failure messages.
func (n *node) tail() string {
	var b strings.Builder
	for _, f := range []string{n.log, n.log + ".out"} {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		if len(data) > 3000 {
			data = data[len(data)-3000:]
		}
		fmt.Fprintf(&b, "--- %s\n%s\n", f, data)
	}
	return b.String()
}

// systemUser returns the uid and gid of a system account.
func systemUser(name string) (uid, gid uint32, err error) {
	u, err := user.Lookup(name)
	if err != nil {
		return 0, 0, err
	}
	ui, err := strconv.Atoi(u.Uid)
	if err != nil {
		return 0, 0, err
	}
	gi, err := strconv.Atoi(u.Gid)
	if err != nil {
		return 0, 0, err
	}
	return uint32(ui), uint32(gi), nil
}

// asUser makes cmd run as the system account name.
func asUser(cmd *exec.Cmd, name string) (*exec.Cmd, error) {
	uid, gid, err := systemUser(name)
	if err != nil {
		return nil, err
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uid, Gid: gid}}
	return cmd, nil
}

// clusterDir makes a temp dir the servers' system users can enter, removed
// at cleanup (after the nodes are killed: cleanups run last-in first-out).
func clusterDir(t *testing.T, prefix string) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "sqldict-"+prefix+"-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	return dir
}

// chownTree hands dir to a system account.
func chownTree(dir, account string) error {
	uid, gid, err := systemUser(account)
	if err != nil {
		return err
	}
	return filepath.Walk(dir, func(p string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, int(uid), int(gid))
	})
}

// run runs a setup command and returns its output with the error.
func run(ctx context.Context, cmd *exec.Cmd) error {
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %w\n%s", strings.Join(cmd.Args, " "), err, out)
	}
	_ = ctx
	return nil
}

// waitFor polls cond every 100 ms until it returns true or nil error,
// until ctx ends; then it returns the last error.
func waitFor(ctx context.Context, what string, cond func(ctx context.Context) error) error {
	var last error
	for {
		qctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		last = cond(qctx)
		cancel()
		if last == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s: %w (last: %v)", what, ctx.Err(), last)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// queryString runs a one-value query.
func queryString(ctx context.Context, db *sql.DB, q string, args ...any) (string, error) {
	var s sql.NullString
	err := db.QueryRowContext(ctx, q, args...).Scan(&s)
	if errors.Is(err, sql.ErrNoRows) {
		return "", err
	}
	return s.String, err
}

// failureKinds counts the failed attempts of a kill test by what they
// returned: for the log, to show which recovery paths the run took.
func failureKinds(attempts [][]sqldicttest.Attempt) map[string]int {
	kinds := map[string]int{}
	for _, as := range attempts {
		for _, a := range as {
			switch {
			case a.Err == nil:
			case errors.Is(a.Err, sqldict.ErrOutcomeUnknown):
				kinds["ErrOutcomeUnknown"]++
			case errors.Is(a.Err, dialects.ErrConnection):
				kinds["connection"]++
			case errors.Is(a.Err, context.DeadlineExceeded):
				kinds["deadline"]++
			default:
				kinds["other"]++
			}
		}
	}
	return kinds
}
