package sqldict_test

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sqldict/sqldict/sqldict"
	"github.com/sqldict/sqldict/sqldict/sqldicttest"
)

const crashBatch = 10_000

// TestMain lets the test binary serve as the writer that TestCrash_KillMidCommit
// kills, and as the writers and watchers of the watch tests.
func TestMain(m *testing.M) {
	if sqldicttest.ChildMain() {
		return
	}
	if path := os.Getenv("SQLDICT_CRASH_WRITER"); path != "" {
		crashWriter(path)
		return
	}
	if path := os.Getenv("SQLDICT_GROUP_CRASH_WRITER"); path != "" {
		groupCrashWriter(path)
		return
	}
	os.Exit(m.Run())
}

// crashWriter commits rounds of crashBatch writes until it is killed, printing
// each round that returned.
func crashWriter(path string) {
	ctx := context.Background()
	d, err := sqldict.OpenURL(ctx, "sqlite:"+path, sqldict.Options{})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	ws := make([]sqldict.Write, crashBatch)
	for round := 1; ; round++ {
		for i := range ws {
			ws[i] = sqldict.Write{Key: fmt.Sprintf("k%05d", i), Value: []byte(strconv.Itoa(round)), Comment: "round"}
		}
		if _, err := d.Commit(ctx, ws...); err != nil {
			fmt.Println("error", err)
			os.Exit(1)
		}
		fmt.Println("committed", round)
	}
}

func TestCrash_KillMidCommit(t *testing.T) {
	if testing.Short() {
		t.Skip("kills child processes; skipped with -short")
	}
	seed := sqldicttest.Seed(t)
	r := rand.New(rand.NewPCG(seed, seed))
	for attempt := range 4 {
		path := filepath.Join(t.TempDir(), "crash.db")
		cmd, lines := startWriter(t, "SQLDICT_CRASH_WRITER", path)
		// Let it commit a round or two, then kill it at a random moment,
		// most likely inside a commit (a round takes tens of milliseconds).
		acked := 0
		if !lines.Scan() || !strings.HasPrefix(lines.Text(), "committed") {
			cmd.Process.Kill()
			t.Fatalf("writer did not start: %q", lines.Text())
		}
		acked = 1
		time.Sleep(time.Duration(r.IntN(200)) * time.Millisecond)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		for lines.Scan() {
			if n, ok := strings.CutPrefix(lines.Text(), "committed "); ok {
				acked, _ = strconv.Atoi(n)
			}
		}
		_ = cmd.Wait()

		d, err := sqldict.OpenURL(context.Background(), "sqlite:"+path, sqldict.Options{})
		if err != nil {
			t.Fatalf("attempt %d: reopen after SIGKILL: %v", attempt, err)
		}
		sqldicttest.CheckInvariants(t, d)
		st, err := d.Stat(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if st.Sequence%crashBatch != 0 {
			t.Fatalf("attempt %d: journal ends at %d: a commit of %d writes landed in part", attempt, st.Sequence, crashBatch)
		}
		rounds := int(st.Sequence / crashBatch)
		if rounds < acked {
			t.Fatalf("attempt %d: writer saw round %d commit, journal holds %d rounds", attempt, acked, rounds)
		}
		// Every key reads the last round that landed.
		for e, err := range d.All(context.Background()) {
			if err != nil {
				t.Fatal(err)
			}
			if string(e.Value) != strconv.Itoa(rounds) {
				t.Fatalf("attempt %d: %s = %s after %d whole rounds", attempt, e.Key, e.Value, rounds)
			}
		}
		t.Logf("attempt %d: killed after %d acknowledged rounds; journal holds %d", attempt, acked, rounds)
		d.Close()
	}
}

// startWriter re-runs the test binary as a writer child (env names its role,
// path the SQLite file it commits into) and returns it with its stdout.
func startWriter(t *testing.T, env, path string) (*exec.Cmd, *bufio.Scanner) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), env+"="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, bufio.NewScanner(out)
}
