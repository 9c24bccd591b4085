package sqldicttest

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sqldict/sqldict/internal/watchstat"
	"github.com/sqldict/sqldict/sqldict"
)

// pingEvery spaces the latency benchmark's commits, so that each delivery
// is measured on its own rather than behind a queue.
const pingEvery = 5 * time.Millisecond

// BenchWatchLatency measures commit-to-delivery latency of Watch on the
// journal d (children open it at url), reporting p50 and p99 in
// milliseconds: from the moment the writer's Commit returned to the moment
// the watcher's loop received the entry. "same-process" writes on d's own
// pool (the in-process wake-up, the baseline); "other-process" writes from
// a child process, as another service would (LISTEN/NOTIFY, data_version or
// the meta-row poll). The test binary's TestMain must call ChildMain.
func BenchWatchLatency(b *testing.B, url string, d *sqldict.Dict) {
	b.Run("same-process", func(b *testing.B) {
		benchLatency(b, d, func(n int, done func(seq int64, at time.Time)) error {
			for i := range n {
				es, err := d.Commit(context.Background(), sqldict.Write{Key: "ping", Value: []byte(strconv.Itoa(i))})
				if err != nil {
					return err
				}
				done(es[0].Sequence, time.Now())
				time.Sleep(pingEvery)
			}
			return nil
		})
	})
	b.Run("other-process", func(b *testing.B) {
		benchLatency(b, d, func(n int, done func(seq int64, at time.Time)) error {
			c := StartChild(b, url, d.Table(), "pinger", childArg{N: n, Every: pingEvery})
			for line := range c.Lines() {
				var seq, ns int64
				if _, err := fmt.Sscanf(line, "ping %d %d", &seq, &ns); err != nil {
					return fmt.Errorf("pinger said %q", line)
				}
				done(seq, time.Unix(0, ns))
			}
			return c.Wait()
		})
	})
}

func benchLatency(b *testing.B, d *sqldict.Dict, write func(n int, done func(seq int64, at time.Time)) error) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st, err := d.Stat(ctx)
	Must(b, err)
	var mu sync.Mutex
	committed := map[int64]time.Time{}
	received := map[int64]time.Time{}
	watched := make(chan error, 1)
	go func() {
		for e, err := range d.Watch(ctx, st.Sequence, sqldict.Range{Prefix: "ping"}) {
			if err != nil {
				watched <- err
				return
			}
			now := time.Now()
			mu.Lock()
			received[e.Sequence] = now
			n := len(received)
			mu.Unlock()
			if n == b.N {
				watched <- nil
				return
			}
		}
	}()
	b.ResetTimer()
	Must(b, write(b.N, func(seq int64, at time.Time) {
		mu.Lock()
		committed[seq] = at
		mu.Unlock()
	}))
	Must(b, <-watched)
	b.StopTimer()
	var lat []float64
	for seq, at := range committed {
		lat = append(lat, float64(received[seq].Sub(at))/float64(time.Millisecond))
	}
	slices.Sort(lat)
	b.ReportMetric(lat[len(lat)/2], "p50-ms")
	b.ReportMetric(lat[min(len(lat)-1, len(lat)*99/100)], "p99-ms")
	b.ReportMetric(lat[len(lat)-1], "max-ms")
}

// BenchIdleWatchers measures what 0 (the baseline), 1, 10 and 100 idle
// watchers of d cost: the queries the watch machinery sends per second
// (counted as they are sent) and the process's CPU time per second. Each
// iteration is one WatchPoll interval of wall time; run it with
// -benchtime=20x or more.
func BenchIdleWatchers(b *testing.B, d *sqldict.Dict) {
	for _, n := range []int{0, 1, 10, 100} {
		b.Run(fmt.Sprintf("watchers=%d", n), func(b *testing.B) {
			ctx, cancel := context.WithCancel(context.Background())
			st, err := d.Stat(ctx)
			Must(b, err)
			var wg sync.WaitGroup
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for range d.Watch(ctx, st.Sequence, sqldict.Range{Prefix: fmt.Sprintf("w%d/", i)}) {
						return // only ctx's error ends an idle watch
					}
				}()
			}
			time.Sleep(2 * d.Options().WatchPoll) // let them start
			q0, cpu0, t0 := watchstat.Queries.Load(), cpuTime(), time.Now()
			b.ResetTimer()
			for range b.N {
				time.Sleep(d.Options().WatchPoll)
			}
			b.StopTimer()
			secs := time.Since(t0).Seconds()
			b.ReportMetric(float64(watchstat.Queries.Load()-q0)/secs, "queries/s")
			b.ReportMetric(float64(cpuTime()-cpu0)/float64(time.Millisecond)/secs, "cpu-ms/s")
			cancel()
			wg.Wait()
		})
	}
}

// cpuTime is the process's user and system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
