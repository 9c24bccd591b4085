package main

import (
	"strings"
	"testing"
)

func TestRatio_PairsRunsInOrder(t *testing.T) {
	s := series{}
	in := `BenchmarkGet/engine=sqlite/depth=1/impl=sqldict-2  100  200 ns/op  10 B/op
BenchmarkGet/engine=sqlite/depth=1/impl=raw-2      100  100 ns/op  10 B/op
BenchmarkGet/engine=sqlite/depth=1/impl=sqldict-2  100  900 ns/op  10 B/op
BenchmarkGet/engine=sqlite/depth=1/impl=raw-2      100  300 ns/op  10 B/op
BenchmarkGet/engine=sqlite/depth=1/impl=sqldict-2  100  500 ns/op  10 B/op
BenchmarkGet/engine=sqlite/depth=1/impl=raw-2      100  500 ns/op  10 B/op
`
	if err := parse(strings.NewReader(in), s); err != nil {
		t.Fatal(err)
	}
	// Per-run ratios 2, 3, 1: median 2 — not the ratio of the medians (500/300).
	r, n, ok := s.ratio("BenchmarkGet/engine=sqlite/depth=1/impl=sqldict", "BenchmarkGet/engine=sqlite/depth=1/impl=raw", "ns/op")
	if !ok || n != 3 || r != 2 {
		t.Fatalf("ratio = %v over %d runs (ok %v), want 2 over 3", r, n, ok)
	}
	if got := engines(s); len(got) != 1 || got[0] != "sqlite" {
		t.Fatalf("engines = %q, want [sqlite]", got)
	}
}

func TestTargets_KineRatioPerRun(t *testing.T) {
	s := series{}
	in := `BenchmarkKine/engine=postgres/writers=16/impl=sqldict-2  100  10 ns/op  400 writes/s
BenchmarkKine/engine=postgres/writers=16/impl=kine-2     100  10 ns/op  200 writes/s
BenchmarkKine/engine=postgres/writers=16/impl=sqldict-2  100  10 ns/op  300 writes/s
BenchmarkKine/engine=postgres/writers=16/impl=kine-2     100  10 ns/op  600 writes/s
BenchmarkKine/engine=postgres/writers=16/impl=sqldict-2  100  10 ns/op  900 writes/s
BenchmarkKine/engine=postgres/writers=16/impl=kine-2     100  10 ns/op  600 writes/s
`
	if err := parse(strings.NewReader(in), s); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	targets(&out, s, "postgres")
	// Per-run ratios 2, 0.5, 1.5: median 1.5, met; the 1-writer row is absent.
	if !strings.Contains(out.String(), "| kine, 16 writers: sqldict Set / kine Update | 400 writes/s | 600 writes/s | 1.50x | 3 | ≥ 1.0x | met |") {
		t.Fatalf("targets:\n%s", out.String())
	}
	if strings.Contains(out.String(), "1 writer:") {
		t.Fatalf("row without benchmarks printed:\n%s", out.String())
	}
}
