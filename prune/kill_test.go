package prune_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sqldict/sqldict/prune"
	"github.com/sqldict/sqldict/prune/prunetest"
	"github.com/sqldict/sqldict/sqldict"
	"github.com/sqldict/sqldict/sqldict/sqldicttest"
)

// childEnv names the journal file a re-executed test binary compacts.
const childEnv = "SQLDICT_PRUNE_CHILD"

// Fixture of the kill test: rounds × keys rows, round r writing value
// "r" to every key, so the model is known without reading anything.
const killKeys, killRounds = 500, 200

func killRound(r int) []sqldict.Write {
	ws := make([]sqldict.Write, killKeys)
	for k := range ws {
		ws[k] = sqldict.Write{Key: fmt.Sprintf("k%03d", k), Value: []byte(fmt.Sprint(r))}
	}
	return ws
}

// TestMain lets the kill test re-execute the test binary as the process it
// kills.
func TestMain(m *testing.M) {
	if path := os.Getenv(childEnv); path != "" {
		os.Exit(compactChild(path))
	}
	os.Exit(m.Run())
}

func compactChild(path string) int {
	ctx := context.Background()
	d, err := sqldict.OpenURL(ctx, "sqlite:"+path, sqldict.Options{})
	if err != nil {
		fmt.Println("open:", err)
		return 1
	}
	fmt.Println("compacting")
	res, err := prune.Compact(ctx, d, prune.Policy{KeepVersions: 1, BatchSize: 500})
	fmt.Println("done", res, err)
	return 0
}

// TestSQLite_KillCompactor SIGKILLs a process while it compacts a large
// journal: the journal's invariants hold, every readable point is exact, and
// the next compaction finishes the job.
func TestSQLite_KillCompactor(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 100 000-row journal")
	}
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "kill.db")
	d, err := sqldict.OpenURL(ctx, "sqlite:"+path, sqldict.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	m := &sqldicttest.Model{}
	for r := range killRounds {
		if err := m.Apply(killRound(r)); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Commit(ctx, killRound(r)...); err != nil {
			t.Fatal(err)
		}
	}
	{
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), childEnv+"="+path)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		line, _ := bufio.NewReader(out).ReadString('\n')
		if strings.TrimSpace(line) != "compacting" {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("child said %q", line)
		}
		// Kill once some batches committed, while others are in flight.
		for {
			st, err := d.Stat(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if st.Horizon > 0 {
				break
			}
			time.Sleep(time.Millisecond)
		}
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		cmd.Wait()
		sqldicttest.CheckInvariants(t, d)
		h, present := prunetest.CheckHorizon(t, d, m)
		if len(present) == killKeys {
			t.Fatal("the child finished compacting before it was killed")
		}
		t.Logf("killed with %d of %d rows left, horizon %d", len(present), len(m.Rows), h)
		for _, seq := range []int64{h, h + 1, (h + int64(len(m.Rows))) / 2, int64(len(m.Rows))} {
			s, err := d.Snapshot(ctx, min(seq, int64(len(m.Rows))))
			if err != nil {
				t.Fatal(err)
			}
			prunetest.CheckView(t, s, m.State(s.Sequence()), []string{"k000", "k250", "k499"})
		}
		res, err := prune.Compact(ctx, d, prune.Policy{KeepVersions: 1})
		if err != nil {
			t.Fatal(err)
		}
		if int(res.Removed) != len(present)-killKeys {
			t.Fatalf("second compaction removed %d rows, want %d", res.Removed, len(present)-killKeys)
		}
		sqldicttest.CheckInvariants(t, d)
		prunetest.CheckHorizon(t, d, m)
	}
}
