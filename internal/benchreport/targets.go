package main

import (
	"fmt"
	"io"
)

// target is one of issue 10's write-path targets: the median over runs of
// a/b (each pair from the same run), against a bound.
type target struct {
	what, a, b, unit string
	bound            float64
	atLeast          bool
}

// targets prints issue 10's write-path targets for engine e, each with the
// benchmark and same-run baseline it is measured against. Rows whose
// benchmarks are missing from the input are left out.
func targets(w io.Writer, s series, e string) {
	p := "/engine=" + e
	wr := "BenchmarkWriters" + p + "/writers="
	kine := "BenchmarkKine" + p + "/writers="
	proc := "BenchmarkProcesses" + p
	writerGain := 4.0
	if e == "sqlite" {
		writerGain = 2
	}
	ts := []target{
		{"kine, 1 writer: sqldict Set / kine Update", kine + "1/impl=sqldict", kine + "1/impl=kine", "writes/s", 1, true},
		{"kine, 16 writers: sqldict Set / kine Update", kine + "16/impl=sqldict", kine + "16/impl=kine", "writes/s", 1, true},
		{"16 writers / 1 writer (Writers batch=1, sqldict)", wr + "16/batch=1/impl=sqldict", wr + "1/batch=1/impl=sqldict", "writes/s", writerGain, true},
		{"16 writers: sqldict / plain upsert (Writers batch=1)", wr + "16/batch=1/impl=sqldict", wr + "16/batch=1/impl=plain", "writes/s", 1, true},
		{"4 procs × 4 goroutines / 1 × 1 (Processes)", proc + "/procs=4/goroutines=4", proc + "/procs=1/goroutines=1", "writes/s", 1, true},
		{"Set / raw single-row INSERT (time)", "BenchmarkSet" + p + "/impl=sqldict", "BenchmarkSet" + p + "/impl=raw", "ns/op", 1.5, false},
		{"Commit 1000 / raw multi-row INSERT (rows/s)", "BenchmarkCommit" + p + "/n=1000/impl=sqldict", "BenchmarkCommit" + p + "/n=1000/impl=raw", "rows/s", 0.7, true},
		{"Len / plain COUNT(*) (time, depth=1)", "BenchmarkLen" + p + "/depth=1/impl=sqldict", "BenchmarkLen" + p + "/depth=1/impl=plain", "ns/op", 2, false},
		{"Len / plain COUNT(*) (time, depth=100)", "BenchmarkLen" + p + "/depth=100/impl=sqldict", "BenchmarkLen" + p + "/depth=100/impl=plain", "ns/op", 2, false},
	}
	header := false
	for _, t := range ts {
		r, n, ok := s.ratio(t.a, t.b, t.unit)
		if !ok {
			continue
		}
		if !header {
			fmt.Fprintf(w, "### issue 10 targets (median of per-run ratios)\n\n")
			fmt.Fprintf(w, "| target | sqldict | baseline | ratio | runs | bound | |\n|---|---:|---:|---:|---:|---:|---|\n")
			header = true
		}
		va, _ := s.med(t.a, t.unit)
		vb, _ := s.med(t.b, t.unit)
		bound, met := fmt.Sprintf("≤ %.1fx", t.bound), r <= t.bound
		if t.atLeast {
			bound, met = fmt.Sprintf("≥ %.1fx", t.bound), r >= t.bound
		}
		fmt.Fprintf(w, "| %s | %s | %s | %.2fx | %d | %s | %s |\n", t.what, human(va, t.unit), human(vb, t.unit), r, n, bound, mark(met))
	}
	if header {
		fmt.Fprintln(w)
	}
}
