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
