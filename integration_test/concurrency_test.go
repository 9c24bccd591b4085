package integration_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/sqldict/sqldict/sqldict"
	"github.com/sqldict/sqldict/sqldict/sqldicttest"
)

const (
	writers         = 8
	commitsPerWrite = 200
)

func TestConcurrent_Goroutines(t *testing.T) {
	forEngine(t, func(t *testing.T, e *engine) {
		d := e.Open(t, "", sqldict.Options{})
		t.Cleanup(func() { sqldicttest.CheckInvariants(t, d) })
		runGoroutines(t, d, writers, commitsPerWrite)
	})
}

// TestConcurrent_ExpectRace starts writers at once on one key, all expecting
// the version they read: exactly one wins each round, every other one gets
// ErrConflict and writes nothing.
func TestConcurrent_ExpectRace(t *testing.T) {
	forEngine(t, func(t *testing.T, e *engine) {
		ctx := context.Background()
		d := e.Open(t, "", sqldict.Options{})
		t.Cleanup(func() { sqldicttest.CheckInvariants(t, d) })
		const rounds = 40
		for round := range rounds {
			start := make(chan struct{})
			errs := make([]error, writers)
			var wg sync.WaitGroup
			for w := range writers {
				wg.Go(func() {
					<-start
					_, errs[w] = d.Commit(ctx, sqldict.Write{Key: "race", Value: []byte(strconv.Itoa(w)), IfVersion: sqldict.Expect(int64(round))})
				})
			}
			close(start)
			wg.Wait()
			winner := -1
			for w, err := range errs {
				switch {
				case err == nil && winner >= 0:
					t.Fatalf("round %d: writers %d and %d both won", round, winner, w)
				case err == nil:
					winner = w
				case !errors.Is(err, sqldict.ErrConflict):
					t.Fatalf("round %d: writer %d: got %v, want ErrConflict", round, w, err)
				}
			}
			if winner < 0 {
				t.Fatalf("round %d: no writer won", round)
			}
			got, err := d.Entry(ctx, "race")
			if err != nil {
				t.Fatal(err)
			}
			if got.Version != int64(round+1) || string(got.Value) != strconv.Itoa(winner) {
				t.Fatalf("round %d: race is %q at version %d, want %q at %d", round, got.Value, got.Version, strconv.Itoa(winner), round+1)
			}
		}
		st, err := d.Stat(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if st.Sequence != rounds {
			t.Fatalf("journal has %d commits after %d rounds: losers wrote", st.Sequence, rounds)
		}
	})
}

// Environment of a writer process started by TestConcurrent_Processes.
const (
	helperEnv      = "SQLDICT_TEST_HELPER"
	helperURLEnv   = "SQLDICT_TEST_HELPER_URL"
	helperTableEnv = "SQLDICT_TEST_HELPER_TABLE"
	helperIDEnv    = "SQLDICT_TEST_HELPER_ID"
	helperNEnv     = "SQLDICT_TEST_HELPER_COMMITS"
)

// TestConcurrent_Processes runs the writers as separate OS processes (this
// test binary run again), each with its own pool, so that nothing in process
// serialises them.
func TestConcurrent_Processes(t *testing.T) {
	forEngine(t, func(t *testing.T, e *engine) {
		d := e.Open(t, "", sqldict.Options{})
		t.Cleanup(func() { sqldicttest.CheckInvariants(t, d) })
		runProcesses(t, e.URL(t), d, commitsPerWrite)
	})
}

func runProcesses(t *testing.T, url string, d *sqldict.Dict, n int) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	tl, stopTail := startTailer(ctx, d)
	stopSnap := make(chan struct{})
	var snapErr error
	snapDone := make(chan struct{})
	go func() {
		defer close(snapDone)
		_, snapErr = watchSnapshot(ctx, d, int64(writers*n/4), stopSnap)
	}()

	results := make([]workResult, writers)
	errs := make([]error, writers)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestHelperWriterProcess$", "-test.count=1")
			cmd.Env = append(os.Environ(), helperEnv+"=1", helperURLEnv+"="+url, helperTableEnv+"="+d.Table(), helperIDEnv+"="+strconv.Itoa(w), helperNEnv+"="+strconv.Itoa(n))
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil {
				errs[w] = fmt.Errorf("writer process %d: %w\n%s%s", w, err, out, stderr.Bytes())
				return
			}
			line := out
			if i := bytes.Index(out, []byte("RESULT ")); i >= 0 {
				line, _, _ = bytes.Cut(out[i+len("RESULT "):], []byte("\n"))
			}
			if err := json.Unmarshal(line, &results[w]); err != nil {
				errs[w] = fmt.Errorf("writer process %d: bad result %q: %w", w, out, err)
			}
		})
	}
	wg.Wait()
	close(stopSnap)
	<-snapDone
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	if snapErr != nil {
		t.Fatal(snapErr)
	}
	st, err := d.Stat(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tl.finish(t, stopTail, st.Sequence)
	checkCommits(t, d, results)
	conflicts := 0
	for _, r := range results {
		conflicts += r.Conflicts
	}
	t.Logf("%d processes, %d rows, %d expected-version conflicts retried", writers, st.Sequence, conflicts)
}

// TestHelperWriterProcess is one writer of TestConcurrent_Processes; it does
// nothing when run by go test directly.
func TestHelperWriterProcess(t *testing.T) {
	if os.Getenv(helperEnv) != "1" {
		t.Skip("writer process of TestConcurrent_Processes")
	}
	id, err := strconv.Atoi(os.Getenv(helperIDEnv))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	d, err := sqldict.OpenURL(ctx, os.Getenv(helperURLEnv), sqldict.Options{Table: os.Getenv(helperTableEnv)})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	n, err := strconv.Atoi(os.Getenv(helperNEnv))
	if err != nil {
		t.Fatal(err)
	}
	res, err := runWriter(ctx, d, id, n)
	if err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("RESULT %s\n", out)
}

// TestMariaDB_AutoIncrementIncrement runs the writers with the
// auto-increment settings of a Galera cluster, in the session and globally
// (for the writer processes' sessions): the core allocates sequence numbers
// itself, so they stay 1, 2, 3 …
func TestMariaDB_AutoIncrementIncrement(t *testing.T) {
	t.Parallel()
	admin := mariaDB.Admin(t)
	ctx := context.Background()
	var inc, off int
	if err := admin.QueryRowContext(ctx, "SELECT @@GLOBAL.auto_increment_increment, @@GLOBAL.auto_increment_offset").Scan(&inc, &off); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.ExecContext(ctx, "SET GLOBAL auto_increment_increment = 3, GLOBAL auto_increment_offset = 2"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := admin.ExecContext(ctx, fmt.Sprintf("SET GLOBAL auto_increment_increment = %d, GLOBAL auto_increment_offset = %d", inc, off)); err != nil {
			t.Error(err)
		}
	})
	const params = "auto_increment_increment=3&auto_increment_offset=2"
	d := mariaDB.Open(t, params, sqldict.Options{})
	t.Cleanup(func() { sqldicttest.CheckInvariants(t, d) })
	var got int
	if err := d.DB().QueryRowContext(ctx, "SELECT @@SESSION.auto_increment_increment").Scan(&got); err != nil || got != 3 {
		t.Fatalf("session auto_increment_increment = %d (%v), want 3", got, err)
	}
	// Fewer commits than the main concurrency tests: the point here is the
	// numbering, which the first commits already show.
	t.Run("goroutines", func(t *testing.T) { runGoroutines(t, d, writers, commitsPerWrite/4) })
	t.Run("processes", func(t *testing.T) {
		d := mariaDB.Open(t, params, sqldict.Options{})
		t.Cleanup(func() { sqldicttest.CheckInvariants(t, d) })
		runProcesses(t, addParams(mariaDB.URL(t), params), d, commitsPerWrite/4)
	})
}
