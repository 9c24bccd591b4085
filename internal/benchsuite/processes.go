package benchsuite

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"
	"testing"

	"github.com/sqldict/sqldict/sqldict"
)

// envWorker carries a worker's job (JSON) to a re-executed test binary.
const envWorker = "SQLDICT_BENCH_WORKER"

// workerJob is what one worker process of Processes writes.
type workerJob struct {
	URL, Table string
	Proc       int // its index: its keys are its own
	Goroutines int
	Commits    int // shared among its goroutines
}

// Processes measures writers in separate processes on one journal: 1
// process × 1 goroutine against 4 processes × 4 goroutines, each process a
// re-executed test binary (the test binary's TestMain must call WorkerMain
// first). Writers cannot share a Dict's in-process group commit across
// processes, so this is what the database's own locking makes of them.
// Every process opens the journal and says it is ready before the clock
// starts; the clock stops when the last one has written its share. The
// figure is aggregate writes/s; one Set per commit, each goroutine its own
// keys.
func Processes(b *testing.B, engines ...*Engine) {
	eachEngine(b, engines, func(b *testing.B, e *Engine) {
		for _, shape := range [][2]int{{1, 1}, {4, 4}} {
			b.Run(fmt.Sprintf("procs=%d/goroutines=%d", shape[0], shape[1]), func(b *testing.B) {
				d := e.FreshDict(b) // creates the journal before the workers race to
				runWorkers(b, e.URL(b, d.Table()), d.Table(), shape[0], shape[1])
			})
		}
	})
}

func runWorkers(b *testing.B, url, table string, procs, goroutines int) {
	exe, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	type worker struct {
		cmd   *exec.Cmd
		stdin io.WriteCloser
		out   *bufio.Scanner
	}
	ws := make([]worker, procs)
	for p := range ws {
		job, err := json.Marshal(workerJob{URL: url, Table: table, Proc: p, Goroutines: goroutines,
			Commits: b.N/procs + boolInt(p < b.N%procs)})
		if err != nil {
			b.Fatal(err)
		}
		cmd := exec.Command(exe, "-test.run=^$")
		cmd.Env = append(os.Environ(), envWorker+"="+string(job))
		cmd.Stderr = os.Stderr
		in, err := cmd.StdinPipe()
		if err != nil {
			b.Fatal(err)
		}
		out, err := cmd.StdoutPipe()
		if err != nil {
			b.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		ws[p] = worker{cmd, in, bufio.NewScanner(out)}
		b.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	}
	for p, w := range ws {
		if !w.out.Scan() || w.out.Text() != "ready" {
			b.Fatalf("worker %d did not start: %q %v", p, w.out.Text(), w.out.Err())
		}
	}
	b.ResetTimer()
	for _, w := range ws {
		if _, err := io.WriteString(w.stdin, "go\n"); err != nil {
			b.Fatal(err)
		}
	}
	for p, w := range ws {
		if !w.out.Scan() || w.out.Text() != "done" {
			b.Fatalf("worker %d: %q %v", p, w.out.Text(), w.out.Err())
		}
	}
	b.StopTimer()
	for _, w := range ws {
		w.stdin.Close()
		if err := w.cmd.Wait(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "writes/s")
}

func boolInt(v bool) int {
	if v {
		return 1
	}
	return 0
}

// WorkerMain runs this test binary as a worker process of Processes when
// the environment says so, and reports whether it did; TestMain should
// then return without running the tests.
func WorkerMain() bool {
	env := os.Getenv(envWorker)
	if env == "" {
		return false
	}
	if err := work(env); err != nil {
		fmt.Fprintln(os.Stderr, "bench worker:", err)
		os.Exit(1)
	}
	return true
}

func work(env string) error {
	var job workerJob
	if err := json.Unmarshal([]byte(env), &job); err != nil {
		return err
	}
	ctx := context.Background()
	d, err := sqldict.OpenURL(ctx, job.URL, sqldict.Options{Table: job.Table})
	if err != nil {
		return err
	}
	defer d.Close()
	in := bufio.NewScanner(os.Stdin)
	fmt.Println("ready")
	if !in.Scan() {
		return fmt.Errorf("no go: %v", in.Err())
	}
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		ferr error
	)
	for g := range job.Goroutines {
		n := job.Commits/job.Goroutines + boolInt(g < job.Commits%job.Goroutines)
		base := (job.Proc*job.Goroutines + g) * FixtureKeys
		wg.Go(func() {
			for i := range n {
				if err := d.Set(ctx, Key(base+i%FixtureKeys), setValue); err != nil {
					mu.Lock()
					ferr = err
					mu.Unlock()
					return
				}
			}
		})
	}
	wg.Wait()
	if ferr != nil {
		return ferr
	}
	fmt.Println("done")
	return nil
}
