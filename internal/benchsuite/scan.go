package benchsuite

import (
	"context"
	"os"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"
)

// ScanKeys is the size of the streaming scan's fixture: 1 000 000 keys, or
// SQLDICT_BENCH_SCAN_KEYS.
func ScanKeys() int {
	if n, err := strconv.Atoi(os.Getenv("SQLDICT_BENCH_SCAN_KEYS")); err == nil && n > 0 {
		return n
	}
	return 1_000_000
}

// Scan streams every entry of a journal of ScanKeys() keys with d.All and
// reports the peak of HeapInuse sampled every few milliseconds during the
// scan (peak-heap-MiB; the target is under 64) beside -benchmem's figures.
func Scan(b *testing.B, engines ...*Engine) {
	ctx := context.Background()
	n := ScanKeys()
	eachEngine(b, engines, func(b *testing.B, e *Engine) {
		f := e.Fixture(b, n, 1, false)
		b.Run("entries="+strconv.Itoa(n)+"/impl=sqldict", func(b *testing.B) {
			b.ReportAllocs()
			runtime.GC()
			stop, peak := sampleHeap()
			for b.Loop() {
				got := 0
				for _, err := range f.D.All(ctx) {
					if err != nil {
						b.Fatal(err)
					}
					got++
				}
				if got != n {
					b.Fatalf("%d entries, want %d", got, n)
				}
			}
			stop()
			b.ReportMetric(float64(*peak)/(1<<20), "peak-heap-MiB")
			b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "entries/s")
		})
	})
}

// sampleHeap samples HeapInuse until stop is called; *peak is the highest
// value seen once stop returned.
func sampleHeap() (stop func(), peak *uint64) {
	peak = new(uint64)
	done := make(chan struct{})
	var wg sync.WaitGroup
	sample := func() {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		*peak = max(*peak, ms.HeapInuse)
	}
	wg.Go(func() {
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				sample()
			}
		}
	})
	return func() { close(done); wg.Wait(); sample() }, peak
}
