package sqldict_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sqldict/sqldict/sqldict"
	"github.com/sqldict/sqldict/sqldict/sqldicttest"
)

const (
	groupCrashCallers = 8
	groupCrashWrites  = 5 // per commit
)

// groupCrashWriter has groupCrashCallers goroutines commit rounds of
// groupCrashWrites writes to keys of their own through one Dict, so that
// their commits coalesce, until it is killed; it prints each round that
// returned.
func groupCrashWriter(path string) {
	ctx := context.Background()
	d, err := sqldict.OpenURL(ctx, "sqlite:"+path, sqldict.Options{})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for c := range groupCrashCallers {
		wg.Go(func() {
			ws := make([]sqldict.Write, groupCrashWrites)
			for round := 1; ; round++ {
				for j := range ws {
					ws[j] = sqldict.Write{Key: fmt.Sprintf("g%d/%d", c, j), Value: []byte(strconv.Itoa(round))}
				}
				if _, err := d.Commit(ctx, ws...); err != nil {
					fmt.Println("error", err)
					os.Exit(1)
				}
				mu.Lock()
				fmt.Println("committed", c, round)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
}

// TestCrash_KillDuringGroupCommits kills a process whose goroutines commit
// concurrently (group commits) at a random moment: every commit is in the
// journal whole or not at all, every acknowledged one is there, and the
// journal has no gap.
func TestCrash_KillDuringGroupCommits(t *testing.T) {
	if testing.Short() {
		t.Skip("kills child processes; skipped with -short")
	}
	seed := sqldicttest.Seed(t)
	r := rand.New(rand.NewPCG(seed, seed))
	for attempt := range 4 {
		path := filepath.Join(t.TempDir(), "crash.db")
		cmd, lines := startWriter(t, "SQLDICT_GROUP_CRASH_WRITER", path)
		acked := make([]int, groupCrashCallers)
		ack := func(line string) {
			f := strings.Fields(line)
			if len(f) != 3 || f[0] != "committed" {
				cmd.Process.Kill()
				t.Fatalf("writer said %q", line)
			}
			c, _ := strconv.Atoi(f[1])
			acked[c], _ = strconv.Atoi(f[2])
		}
		if !lines.Scan() {
			cmd.Process.Kill()
			t.Fatal("writer did not start")
		}
		ack(lines.Text())
		time.Sleep(time.Duration(r.IntN(150)) * time.Millisecond)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		for lines.Scan() {
			ack(lines.Text())
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
		rows := 0
		for c := range groupCrashCallers {
			var rounds int
			for j := range groupCrashWrites {
				hist, err := d.History(context.Background(), fmt.Sprintf("g%d/%d", c, j))
				if errors.Is(err, sqldict.ErrNotFound) {
					err = nil // none of the caller's rounds landed
				}
				if err != nil {
					t.Fatal(err)
				}
				if j == 0 {
					rounds = len(hist)
				}
				if len(hist) != rounds {
					t.Fatalf("attempt %d: caller %d: key %d has %d versions, key 0 %d: a commit landed in part", attempt, c, j, len(hist), rounds)
				}
				if rounds > 0 && string(hist[rounds-1].Value) != strconv.Itoa(rounds) {
					t.Fatalf("attempt %d: caller %d key %d reads %q after %d rounds", attempt, c, j, hist[rounds-1].Value, rounds)
				}
			}
			if rounds < acked[c] {
				t.Fatalf("attempt %d: caller %d saw round %d commit, journal holds %d", attempt, c, acked[c], rounds)
			}
			rows += rounds * groupCrashWrites
		}
		if int64(rows) != st.Sequence {
			t.Fatalf("attempt %d: journal at %d, its keys hold %d rows", attempt, st.Sequence, rows)
		}
		t.Logf("attempt %d: killed at sequence %d; acknowledged rounds %v", attempt, st.Sequence, acked)
		d.Close()
	}
}
