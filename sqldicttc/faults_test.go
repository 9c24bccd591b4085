package sqldicttc

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"net/netip"
	"os/exec"
	"runtime/pprof"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/testcontainers/testcontainers-go"

	"github.com/sqldict/sqldict/dialects"
	"github.com/sqldict/sqldict/sqldict"
	"github.com/sqldict/sqldict/sqldict/sqldicttest"
)

// opTimeout is the deadline every operation of the fault tests runs under.
const opTimeout = 2 * time.Second

// lateLimit bounds how long after its deadline a call may return. A write
// whose COMMIT was in flight when its context ended waits for the server to
// tell whether it took, up to 30 seconds (sqldict's resolveTimeout), so
// that a write returning an error has left nothing behind; the rest is
// slack for a loaded machine. Beyond that, a call has hung.
const lateLimit = 60 * time.Second

// fault is something done to a database container and then undone.
type fault struct {
	name          string
	apply, repair func(t *testing.T, id, netName string)
}

var faults = []fault{
	// The server freezes: connections stay open and nothing answers, so
	// only the callers' deadlines end their calls.
	{"pause",
		func(t *testing.T, id, _ string) { dockerPause(t, id) },
		func(t *testing.T, id, _ string) { docker(t, "unpause", id) }},
	// The server is cut off: its published port goes away with the
	// network, connections break, new ones are refused.
	{"disconnect",
		func(t *testing.T, id, netName string) { docker(t, "network", "disconnect", netName, id) },
		func(t *testing.T, id, netName string) { docker(t, "network", "connect", netName, id) }},
}

// TestFaults pauses each server, then cuts it off from its network, while
// writers commit and readers follow the log, every call under a deadline of
// opTimeout. Every write that returned nil is in the journal once; every
// write that failed left nothing; every error is a connection error or the
// caller's context; the same Dict works again afterwards without being
// reopened. Each engine gets a container of its own: the faults would
// disturb the tests sharing the others.
func TestFaults(t *testing.T) {
	requireDocker(t)
	for _, e := range []*engine{postgresEngine, mariaDBEngine} {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			s := &server{engine: e, image: imageOf(e)}
			t.Cleanup(s.terminate)
			// A fixed host port: a reconnected container would otherwise
			// be published on a new one, which the Dict's URL does not name.
			if err := s.startWith(fixedPort(t, e.port)); err != nil {
				t.Fatal(err)
			}
			nets, err := s.container.Networks(context.Background())
			if err != nil || len(nets) != 1 {
				t.Fatalf("networks of the container: %v, %v", nets, err)
			}
			for _, f := range faults {
				t.Run(f.name, func(t *testing.T) {
					url, err := s.createDatabase(t.Name())
					if err != nil {
						t.Fatal(err)
					}
					testFault(t, url, func() { f.apply(t, s.container.GetContainerID(), nets[0]) },
						func() { f.repair(t, s.container.GetContainerID(), nets[0]) })
				})
			}
		})
	}
}

// faultRun is the state the workers of one fault test share.
type faultRun struct {
	t        *testing.T
	d        *sqldict.Dict
	faulted  atomic.Bool  // the fault is in force
	repaired atomic.Bool  // the fault was undone
	failed   atomic.Int64 // writes that failed while the fault was in force
	rfailed  atomic.Int64 // log reads that failed while the fault was in force
	okAfter  atomic.Int64 // writes that succeeded after the repair
	readsOK  atomic.Int64 // log reads that succeeded after the repair
	mu       sync.Mutex
	late     time.Duration // the longest a call returned after its deadline
	errs     map[string]int
}

func testFault(t *testing.T, url string, apply, repair func()) {
	ctx := context.Background()
	d, err := sqldict.OpenURL(ctx, url, sqldict.Options{Table: sqldicttest.UniqueTable()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	t.Cleanup(func() { sqldicttest.CheckInvariants(t, d) })
	r := &faultRun{t: t, d: d, errs: map[string]int{}}

	// A second Dict on the same journal stands for another process: its
	// watcher hears of the writers' commits through the server (LISTEN or
	// the meta-row poll), on connections the faults break too.
	other, err := sqldict.OpenURL(ctx, url, sqldict.Options{Table: d.Table()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	watchCtx, stopWatch := context.WithCancel(ctx)
	var watching sync.WaitGroup
	// Whatever ends the test, no worker outlives it.
	t.Cleanup(func() {
		stopWatch()
		watching.Wait()
	})
	watchers := []*watcher{{d: d}, {d: other}}
	for _, w := range watchers {
		watching.Go(func() { w.run(watchCtx, t) })
	}

	const writers, readers, want = 3, 2, 20
	stop := make(chan struct{})
	attempts := make([][]sqldicttest.Attempt, writers)
	var wg sync.WaitGroup
	var okBefore atomic.Int64
	for w := range writers {
		wg.Go(func() { attempts[w] = r.write(w, stop, &okBefore) })
	}
	for range readers {
		wg.Go(func() { r.read(stop) })
	}
	var finishing sync.Once
	finish := func() {
		finishing.Do(func() {
			close(stop)
			wg.Wait()
		})
	}
	t.Cleanup(finish)
	// Each step waits for what the workers did, not for time to pass; the
	// deadline only ends a run that went wrong.
	waitFor := func(what string, cond func() bool) {
		deadline := time.Now().Add(2 * time.Minute)
		for !cond() {
			if time.Now().After(deadline) {
				// Where every goroutine is: a hang shows its call site.
				var stacks strings.Builder
				_ = pprof.Lookup("goroutine").WriteTo(&stacks, 1)
				t.Fatalf("gave up waiting for %s (failed writes %d, reads %d); goroutines:\n%s", what, r.failed.Load(), r.rfailed.Load(), stacks.String())
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	waitFor("writes before the fault", func() bool { return okBefore.Load() >= want })
	// Whatever ends the test, the fault is undone before the cleanups
	// above read the journal: they have no deadline of their own but
	// checkTimeout, and a frozen server would hold them to it.
	t.Cleanup(func() {
		if r.faulted.Load() && !r.repaired.Load() {
			repair()
		}
	})
	r.faulted.Store(true)
	apply()
	// Calls that ignored their deadline would never fail while the server
	// is frozen: waiting for failures is what catches a hang.
	waitFor("failed calls during the fault", func() bool { return r.failed.Load() >= writers && r.rfailed.Load() >= readers })
	repair()
	r.repaired.Store(true)
	waitFor("the Dict to recover", func() bool { return r.okAfter.Load() >= want*writers && r.readsOK.Load() >= want })
	finish()

	// Watchers, with a deadline only for the whole test, ride out the fault:
	// they reach the newest commit having seen every sequence once.
	st, err := d.Stat(ctx)
	if err != nil {
		t.Fatal(err)
	}
	waitFor("the watchers to catch up", func() bool {
		return watchers[0].last.Load() >= st.Sequence && watchers[1].last.Load() >= st.Sequence
	})
	stopWatch()
	watching.Wait()

	sqldicttest.CheckAttempts(t, d, attempts)
	t.Logf("errors during the fault: %v; latest return after a deadline: %v", r.errs, r.late)
	if r.late > lateLimit {
		t.Errorf("a call returned %v after its deadline, more than %v", r.late, lateLimit)
	}
}

// write commits fresh keys until stop, each under its own deadline.
func (r *faultRun) write(w int, stop <-chan struct{}, okBefore *atomic.Int64) []sqldicttest.Attempt {
	var as []sqldicttest.Attempt
	for i := 0; ; i++ {
		select {
		case <-stop:
			return as
		default:
		}
		a := sqldicttest.Attempt{Key: fmt.Sprintf("w%d/%06d", w, i), Value: fmt.Sprintf("v%d-%d", w, i)}
		ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
		a.Entries, a.Err = r.d.Commit(ctx, sqldict.Write{Key: a.Key, Value: []byte(a.Value)})
		r.returned(ctx, "commit", a.Err)
		cancel()
		as = append(as, a)
		switch {
		case a.Err != nil:
			if r.faulted.Load() && !r.repaired.Load() {
				r.failed.Add(1)
			}
			time.Sleep(20 * time.Millisecond) // the server is away: don't spin
		case r.repaired.Load():
			r.okAfter.Add(1)
		case !r.faulted.Load():
			okBefore.Add(1)
		}
	}
}

// read follows the log until stop, each pass under its own deadline: the
// sequences it sees only grow.
func (r *faultRun) read(stop <-chan struct{}) {
	var after int64
	for {
		select {
		case <-stop:
			return
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
		var err error
		for e, lerr := range r.d.Log(ctx, after, math.MaxInt64) {
			if err = lerr; err != nil {
				break
			}
			if e.Sequence <= after {
				r.t.Errorf("log after %d returned sequence %d", after, e.Sequence)
			}
			after = e.Sequence
		}
		r.returned(ctx, "log", err)
		cancel()
		if err != nil {
			if r.faulted.Load() && !r.repaired.Load() {
				r.rfailed.Add(1)
			}
			time.Sleep(20 * time.Millisecond)
		} else if r.repaired.Load() {
			r.readsOK.Add(1)
		}
	}
}

// watcher follows a journal with Dict.Watch from the start until its
// context ends.
type watcher struct {
	d    *sqldict.Dict
	last atomic.Int64 // the newest sequence seen
}

// run checks that the watch yields every sequence once, in order, and no
// error but its context's at the end: lost connections are the watch's to
// retry.
func (w *watcher) run(ctx context.Context, t *testing.T) {
	for e, err := range w.d.Watch(ctx, 0, sqldict.Range{}) {
		if err != nil {
			if ctx.Err() == nil || !errors.Is(err, ctx.Err()) {
				t.Errorf("watch yielded %v", err)
			}
			return
		}
		if last := w.last.Load(); e.Sequence != last+1 {
			t.Errorf("watch yielded sequence %d after %d", e.Sequence, last)
		}
		w.last.Store(e.Sequence)
	}
}

// returned checks the error of a call made under ctx: nil, the context's
// own error, or sqldict.ErrUnavailable; and notes how late after the deadline
// the call returned.
func (r *faultRun) returned(ctx context.Context, op string, err error) {
	dl, _ := ctx.Deadline()
	late := time.Since(dl)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.late = max(r.late, late)
	if err == nil {
		return
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		r.errs["context"]++
	case errors.Is(err, sqldict.ErrUnavailable):
		r.errs["unavailable"]++
	case errors.Is(err, dialects.ErrConnection):
		r.t.Errorf("%s: a lost connection that is not sqldict.ErrUnavailable: %v", op, err)
	case errors.Is(err, dialects.ErrRetry):
		r.errs["retry"]++ // a COMMIT that did not take; nothing was written
	default:
		r.t.Errorf("%s: untyped error during the fault: %v (%T)", op, err, err)
	}
}

// fixedPort publishes the container's port on a host port chosen now.
func fixedPort(t *testing.T, port string) testcontainers.CustomizeRequestOption {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hostPort := fmt.Sprint(l.Addr().(*net.TCPAddr).Port)
	l.Close()
	p, err := network.ParsePort(port)
	if err != nil {
		t.Fatal(err)
	}
	return testcontainers.WithHostConfigModifier(func(hc *container.HostConfig) {
		hc.PortBindings = network.PortMap{p: {{HostIP: netip.MustParseAddr("0.0.0.0"), HostPort: hostPort}}}
	})
}

// dockerTimeout bounds one docker command: a daemon that stops answering
// fails the test instead of hanging it.
const dockerTimeout = 2 * time.Minute

// dockerCmd is the docker command line with args, under dockerTimeout.
func dockerCmd(args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), dockerTimeout)
	defer cancel()
	return exec.CommandContext(ctx, "docker", args...).CombinedOutput()
}

// docker runs the docker command line.
func docker(t *testing.T, args ...string) {
	t.Helper()
	if out, err := dockerCmd(args...); err != nil {
		t.Fatalf("docker %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// dockerPause pauses a container. runc's cgroup-v1 freezer now and then
// gives up on a busy container ("unable to freeze") and leaves it running;
// another try succeeds.
func dockerPause(t *testing.T, id string) {
	t.Helper()
	var out []byte
	var err error
	for range 10 {
		if out, err = dockerCmd("pause", id); err == nil {
			return
		}
	}
	t.Fatalf("docker pause %s: %v\n%s", id, err, out)
}
