package sqldicttest

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sqldict/sqldict/sqldict"

	_ "github.com/sqldict/sqldict/dialects/all" // the URL names the engine
)

// The environment of a child process of the watch tests.
const (
	envRole  = "SQLDICT_WATCH_CHILD" // writer, watcher or pinger
	envURL   = "SQLDICT_WATCH_URL"
	envTable = "SQLDICT_WATCH_TABLE"
	envArg   = "SQLDICT_WATCH_ARG" // the role's argument, JSON
)

// ChildMain runs this test binary as a child of the watch tests when the
// environment says so, and reports whether it did; the process should then
// exit. Call it first in TestMain of every test binary that runs
// RunWatchProcesses or the latency benchmark:
//
//	func TestMain(m *testing.M) {
//		if sqldicttest.ChildMain() {
//			return
//		}
//		os.Exit(m.Run())
//	}
func ChildMain() bool {
	role := os.Getenv(envRole)
	if role == "" {
		return false
	}
	if err := runChild(role); err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	return true
}

// childArg is every role's argument.
type childArg struct {
	Name    string        // writer: its key infix
	N       int           // writer, pinger: commits
	Seed    uint64        // writer
	After   int64         // watcher
	Range   sqldict.Range // watcher
	Every   time.Duration // pinger: pause between commits
	Options sqldict.Options
}

func runChild(role string) error {
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	var arg childArg
	if err := json.Unmarshal([]byte(os.Getenv(envArg)), &arg); err != nil {
		return err
	}
	arg.Options.Table = os.Getenv(envTable)
	d, err := sqldict.OpenURL(ctx, os.Getenv(envURL), arg.Options)
	if err != nil {
		return err
	}
	defer d.Close()
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	switch role {
	case "writer":
		return WatchWriter(ctx, d, arg.Name, arg.N, arg.Seed)
	case "watcher":
		// Each entry is printed once handled: a parent that kills the
		// watcher restarts it after the last line it read.
		for e, err := range d.Watch(ctx, arg.After, arg.Range) {
			if err != nil {
				return err
			}
			b, err := json.Marshal(e)
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "entry %s\n", b)
			if err := out.Flush(); err != nil {
				return err
			}
			if strings.HasSuffix(e.Key, EndKey) {
				return nil
			}
		}
	case "pinger":
		// Commits one key at a pace, printing each commit's sequence and
		// the wall-clock time its Commit returned.
		for i := range arg.N {
			es, err := d.Commit(ctx, sqldict.Write{Key: "ping", Value: []byte(strconv.Itoa(i))})
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "ping %d %d\n", es[0].Sequence, time.Now().UnixNano())
			time.Sleep(arg.Every)
		}
	default:
		return fmt.Errorf("unknown role %q", role)
	}
	return nil
}

// Child is a running child process of the watch tests.
type Child struct {
	cmd   *exec.Cmd
	lines chan string
	done  chan error
}

// StartChild starts this test binary as a child in role on the journal
// table at url.
func StartChild(t testing.TB, url, table, role string, arg childArg) *Child {
	t.Helper()
	b, err := json.Marshal(arg)
	Must(t, err)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envRole+"="+role, envURL+"="+url, envTable+"="+table, envArg+"="+string(b))
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	Must(t, err)
	Must(t, cmd.Start())
	c := &Child{cmd: cmd, lines: make(chan string, 1<<16), done: make(chan error, 1)}
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(nil, 1<<20)
		var last string
		for sc.Scan() {
			last = sc.Text()
			c.lines <- last
		}
		_, _ = io.Copy(io.Discard, stdout)
		err := cmd.Wait()
		if err != nil {
			err = fmt.Errorf("%s: %w (last line %q)", role, err, last)
		}
		close(c.lines)
		c.done <- err
	}()
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	return c
}

// Lines returns the child's output lines; closed when it exits.
func (c *Child) Lines() <-chan string { return c.lines }

// Wait waits for the child to exit, after its lines were read.
func (c *Child) Wait() error { return <-c.done }

// Kill kills the child with SIGKILL: no deferred call, no flush.
func (c *Child) Kill() { _ = c.cmd.Process.Signal(syscall.SIGKILL) }

// parseEntry reads a watcher's line.
func parseEntry(line string) (sqldict.Entry, error) {
	var e sqldict.Entry
	b, ok := strings.CutPrefix(line, "entry ")
	if !ok {
		return e, fmt.Errorf("watcher said %q", line)
	}
	return e, json.Unmarshal([]byte(b), &e)
}

// RunWatchProcesses checks Watch across processes on the journal d, which
// children open at url: two writer processes and a writer goroutine; two
// watcher processes and two watcher goroutines with different ranges, one
// of the processes killed with SIGKILL mid-stream and restarted after the
// last entry it handled. Every watcher's stream equals the journal's Log
// filtered by its range. The test binary's TestMain must call ChildMain.
func RunWatchProcesses(t *testing.T, url string, d *sqldict.Dict) {
	ctx := watchCtx(t)
	seed := Seed(t)
	opts := sqldict.Options{WatchPoll: 20 * time.Millisecond}
	table := d.Table()

	var wg sync.WaitGroup
	results := make([][]sqldict.Entry, len(WatchRanges))
	errs := make([]error, len(WatchRanges))
	for i, r := range WatchRanges {
		wg.Add(1)
		go func() {
			defer wg.Done()
			switch i {
			case 0, 1: // goroutines
				results[i], errs[i] = Collect(ctx, d, 0, r)
			case 2: // a process
				results[i], errs[i] = collectChild(t, url, table, r, opts, 0, -1)
			case 3: // a process killed after 25 entries and restarted
				results[i], errs[i] = collectChild(t, url, table, r, opts, 0, 25)
			}
		}()
	}
	writers := []*Child{
		StartChild(t, url, table, "writer", childArg{Name: "p0", N: 40, Seed: seed, Options: opts}),
		StartChild(t, url, table, "writer", childArg{Name: "p1", N: 40, Seed: seed + 1, Options: opts}),
	}
	Must(t, WatchWriter(ctx, d, "g", 40, seed+2))
	for _, w := range writers {
		for range w.Lines() {
		}
		Must(t, w.Wait())
	}
	Must(t, WriteEnd(ctx, d))
	wg.Wait()
	for i, r := range WatchRanges {
		Must(t, errs[i])
		CheckStream(t, d, 0, r, results[i])
	}
}

// collectChild runs a watcher process until the end key; with killAfter >=
// 0 it kills the process once it has handled that many entries and starts
// a new one after the last entry read.
func collectChild(t *testing.T, url, table string, r sqldict.Range, opts sqldict.Options, after int64, killAfter int) ([]sqldict.Entry, error) {
	var got []sqldict.Entry
	for {
		c := StartChild(t, url, table, "watcher", childArg{After: after, Range: r, Options: opts})
		killed := false
		for line := range c.Lines() {
			e, err := parseEntry(line)
			if err != nil {
				c.Kill()
				return got, err
			}
			got = append(got, e)
			after = e.Sequence
			if !killed && killAfter >= 0 && len(got) >= killAfter {
				c.Kill()
				killed = true
			}
		}
		err := c.Wait()
		if !killed {
			return got, err
		}
		if len(got) > 0 && strings.HasSuffix(got[len(got)-1].Key, EndKey) {
			return got, nil // it reached the end before the kill landed
		}
		killAfter = -1
	}
}
