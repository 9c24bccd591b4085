// Command benchreport reads raw `go test -bench` outputs (and the man-page
// benchmark's) and prints the performance report's ratio tables: medians
// over the runs, each ratio taken between two benchmarks of the same run
// (the i-th sqldict line against the i-th baseline line of one file) and
// then the median of those ratios.
//
//	go run ./internal/benchreport bench/*.txt
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// series holds, per benchmark name and unit, the values in run order.
type series map[string]map[string][]float64

var procs = regexp.MustCompile(`-\d+$`)

func parse(r io.Reader, s series) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		name := procs.ReplaceAllString(f[0], "")
		if s[name] == nil {
			s[name] = map[string][]float64{}
		}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				break
			}
			s[name][f[i+1]] = append(s[name][f[i+1]], v)
		}
	}
	return sc.Err()
}

func median(vs []float64) float64 {
	if len(vs) == 0 {
		return 0
	}
	vs = slices.Clone(vs)
	slices.Sort(vs)
	if len(vs)%2 == 1 {
		return vs[len(vs)/2]
	}
	return (vs[len(vs)/2-1] + vs[len(vs)/2]) / 2
}

// ratio is the median over runs of a[i]/b[i], and whether both exist.
func (s series) ratio(a, b, unit string) (float64, int, bool) {
	x, y := s[a][unit], s[b][unit]
	n := min(len(x), len(y))
	if n == 0 {
		return 0, 0, false
	}
	rs := make([]float64, n)
	for i := range n {
		rs[i] = x[i] / y[i]
	}
	return median(rs), n, true
}

func (s series) med(name, unit string) (float64, bool) {
	v, ok := s[name][unit]
	return median(v), ok && len(v) > 0
}

type check struct {
	what     string
	a, b     string
	unit     string
	target   float64
	atLeast  bool // ratio must be >= target (throughput)
	baseline string
}

func main() {
	s := series{}
	for _, path := range os.Args[1:] {
		f, err := os.Open(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		if err := parse(f, s); err != nil {
			fmt.Fprintln(os.Stderr, path, err)
		}
		f.Close()
	}
	report(os.Stdout, s)
}

func engines(s series) []string {
	seen := map[string]bool{}
	var out []string
	for name := range s {
		for _, part := range strings.Split(name, "/") {
			if e, ok := strings.CutPrefix(part, "engine="); ok && !seen[e] && e != "fs" {
				seen[e] = true
				out = append(out, e)
			}
		}
	}
	order := map[string]int{"sqlite": 0, "sqlite-normal": 1, "mariadb": 2, "mysql": 2, "postgres": 3}
	slices.SortFunc(out, func(a, b string) int { return order[a] - order[b] })
	return out
}

func report(w io.Writer, s series) {
	for _, e := range engines(s) {
		fmt.Fprintf(w, "## engine=%s\n\n", e)
		targets(w, s, e)
		ratios(w, s, e)
		depthCurve(w, s, e)
		writers(w, s, e)
		scan(w, s, e)
	}
	manPages(w, s)
}

func ratios(w io.Writer, s series, e string) {
	p := "/engine=" + e
	var checks []check
	for _, d := range []string{"1", "100"} {
		for _, op := range []string{"Get", "Keys", "Len"} {
			n := "Benchmark" + op + p + "/depth=" + d
			tgt := 1.2
			checks = append(checks,
				check{what: op + " depth=" + d, a: n + "/impl=sqldict", b: n + "/impl=raw", unit: "ns/op", target: tgt, baseline: "raw"},
				check{what: op + " depth=" + d, a: n + "/impl=sqldict", b: n + "/impl=plain", unit: "ns/op", target: tgt, baseline: "plain"})
		}
	}
	for _, v := range []string{"ViewGet", "ViewKeys"} {
		for _, at := range []string{"depth=1/at=recent", "depth=100/at=recent", "depth=100/at=old"} {
			n := "Benchmark" + v + p + "/" + at
			checks = append(checks, check{what: v + " " + at, a: n + "/impl=sqldict", b: n + "/impl=raw", unit: "ns/op", baseline: "raw"})
		}
	}
	set := "BenchmarkSet" + p
	com := "BenchmarkCommit" + p + "/n=1000"
	checks = append(checks,
		check{what: "Set", a: set + "/impl=sqldict", b: set + "/impl=raw", unit: "ns/op", target: 1.5, baseline: "raw"},
		check{what: "Set", a: set + "/impl=sqldict", b: set + "/impl=raw-journal", unit: "ns/op", baseline: "raw-journal"},
		check{what: "Set", a: set + "/impl=sqldict", b: set + "/impl=plain", unit: "ns/op", target: 1.5, baseline: "plain"},
		check{what: "Commit 1000 (rows/s)", a: com + "/impl=sqldict", b: com + "/impl=raw", unit: "rows/s", target: 0.7, atLeast: true, baseline: "raw"},
		check{what: "Commit 1000 (rows/s)", a: com + "/impl=sqldict", b: com + "/impl=plain", unit: "rows/s", target: 1 / 1.5, atLeast: true, baseline: "plain"},
	)
	fmt.Fprintf(w, "### sqldict against its baselines (median of per-run ratios; time ratios unless rows/s)\n\n")
	fmt.Fprintf(w, "| operation | baseline | sqldict | baseline | ratio | runs | target | |\n|---|---|---:|---:|---:|---:|---:|---|\n")
	for _, c := range checks {
		r, n, ok := s.ratio(c.a, c.b, c.unit)
		if !ok {
			continue
		}
		va, _ := s.med(c.a, c.unit)
		vb, _ := s.med(c.b, c.unit)
		tgt, verdict := "", ""
		if c.target > 0 {
			if c.atLeast {
				tgt = fmt.Sprintf("≥ %.2fx", c.target)
				verdict = mark(r >= c.target)
			} else {
				tgt = fmt.Sprintf("≤ %.1fx", c.target)
				verdict = mark(r <= c.target)
			}
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %.2fx | %d | %s | %s |\n", c.what, c.baseline, human(va, c.unit), human(vb, c.unit), r, n, tgt, verdict)
	}
	fmt.Fprintln(w)
}

func depthCurve(w io.Writer, s series, e string) {
	p := "/engine=" + e
	fmt.Fprintf(w, "### history depth (10 000 keys; sqldict medians; ratio depth=100 / depth=1 within each run, target ≤ 1.5x)\n\n")
	fmt.Fprintf(w, "| read | depth=1 | depth=10 | depth=100 | 100/1 | |\n|---|---:|---:|---:|---:|---|\n")
	rows := []struct{ what, name, at string }{
		{"Get", "Get", ""}, {"Keys", "Keys", ""}, {"Len", "Len", ""},
		{"view Get, recent point", "ViewGet", "/at=recent"}, {"view Get, old point", "ViewGet", "/at=old"},
		{"view Keys, recent point", "ViewKeys", "/at=recent"}, {"view Keys, old point", "ViewKeys", "/at=old"},
		{"Diff of the last 10 commits", "Diff", ""},
	}
	for _, r := range rows {
		name := func(d string) string {
			at := r.at
			if d == "1" && at == "/at=old" {
				at = "/at=recent" // at depth 1 the old point is the recent one
			}
			return "Benchmark" + r.name + p + "/depth=" + d + at + "/impl=sqldict"
		}
		var cells []string
		for _, d := range []string{"1", "10", "100"} {
			if v, ok := s.med(name(d), "ns/op"); ok {
				cells = append(cells, human(v, "ns/op"))
			} else {
				cells = append(cells, "–")
			}
		}
		ratio, verdict := "–", ""
		if x, _, ok := s.ratio(name("100"), name("1"), "ns/op"); ok {
			ratio, verdict = fmt.Sprintf("%.2fx", x), mark(x <= 1.5)
		}
		fmt.Fprintf(w, "| %s | %s | %s |\n", r.what, strings.Join(cells, " | "), ratio+" | "+verdict)
	}
	fmt.Fprintln(w)
}

func writers(w io.Writer, s series, e string) {
	p := "BenchmarkWriters/engine=" + e
	if _, ok := s.med(p+"/writers=1/batch=1/impl=sqldict", "writes/s"); !ok {
		return
	}
	fmt.Fprintf(w, "### concurrent writers (writes/s, medians; one Dict, each writer its own keys)\n\n")
	fmt.Fprintf(w, "| writers | sqldict batch=1 | plain batch=1 | sqldict batch=100 | plain batch=100 | sqldict/plain b=1 | sqldict/plain b=100 | batching gain (sqldict) |\n|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, n := range []string{"1", "4", "16"} {
		name := func(b, impl string) string { return p + "/writers=" + n + "/batch=" + b + "/impl=" + impl }
		var cells []string
		for _, c := range [][2]string{{"1", "sqldict"}, {"1", "plain"}, {"100", "sqldict"}, {"100", "plain"}} {
			v, _ := s.med(name(c[0], c[1]), "writes/s")
			cells = append(cells, fmt.Sprintf("%.0f", v))
		}
		r1, _, _ := s.ratio(name("1", "sqldict"), name("1", "plain"), "writes/s")
		r100, _, _ := s.ratio(name("100", "sqldict"), name("100", "plain"), "writes/s")
		g, _, _ := s.ratio(name("100", "sqldict"), name("1", "sqldict"), "writes/s")
		fmt.Fprintf(w, "| %s | %s | %.2fx | %.2fx | %.1fx |\n", n, strings.Join(cells, " | "), r1, r100, g)
	}
	fmt.Fprintln(w)
}

func scan(w io.Writer, s series, e string) {
	for name := range s {
		if !strings.HasPrefix(name, "BenchmarkScan/engine="+e+"/") {
			continue
		}
		heap, _ := s.med(name, "peak-heap-MiB")
		rate, _ := s.med(name, "entries/s")
		alloc, _ := s.med(name, "B/op")
		fmt.Fprintf(w, "### streaming scan\n\n%s: peak HeapInuse %.1f MiB (target < 64: %s), %.0f entries/s, %.0f MiB allocated per scan (-benchmem)\n\n",
			strings.TrimPrefix(name, "BenchmarkScan/"), heap, mark(heap < 64), rate, alloc/(1<<20))
	}
}

func manPages(w io.Writer, s series) {
	type row struct{ engine, store string }
	var rows []row
	seen := map[row]bool{}
	for name := range s {
		rest, ok := strings.CutPrefix(name, "BenchmarkManPages/")
		if !ok {
			continue
		}
		f := strings.Split(rest, "/")
		if len(f) < 3 {
			continue
		}
		r := row{strings.TrimPrefix(f[0], "engine="), strings.TrimPrefix(f[1], "store=")}
		if !seen[r] {
			seen[r] = true
			rows = append(rows, r)
		}
	}
	if len(rows) == 0 {
		return
	}
	order := map[string]int{"sqlite": 0, "mariadb": 1, "postgres": 2, "fs": 3}
	slices.SortFunc(rows, func(a, b row) int {
		if d := order[a.engine] - order[b.engine]; d != 0 {
			return d
		}
		return strings.Compare(b.store, a.store)
	})
	fmt.Fprintf(w, "## man-page benchmark (849 pages; seconds, median of the program's runs)\n\n| store | engine | write | list | read |\n|---|---|---:|---:|---:|\n")
	for _, r := range rows {
		var cells []string
		for _, ph := range []string{"write", "list", "read"} {
			v, _ := s.med("BenchmarkManPages/engine="+r.engine+"/store="+r.store+"/phase="+ph, "ns/op")
			cells = append(cells, fmt.Sprintf("%.3f", v/1e9))
		}
		fmt.Fprintf(w, "| %s | %s | %s |\n", r.store, r.engine, strings.Join(cells, " | "))
	}
	fmt.Fprintf(w, "| bsddb (ancestor, 2008) | – | 11.40 | 0.80 | 2.65 |\n| sqlite (ancestor, 2008) | – | 33.76 | 0.23 | 4.32 |\n| file (ancestor, 2008) | – | 2.15 | 0.03 | 9.90 |\n\n")
	fmt.Fprintf(w, "The ancestor's figures were measured on 2008 hardware and software; they are printed for reference, not comparison.\n\n")
}

func mark(ok bool) string {
	if ok {
		return "met"
	}
	return "**missed**"
}

func human(v float64, unit string) string {
	switch unit {
	case "ns/op":
		switch {
		case v >= 1e9:
			return fmt.Sprintf("%.2f s", v/1e9)
		case v >= 1e6:
			return fmt.Sprintf("%.2f ms", v/1e6)
		case v >= 1e3:
			return fmt.Sprintf("%.1f µs", v/1e3)
		}
		return fmt.Sprintf("%.0f ns", v)
	case "rows/s", "writes/s":
		return fmt.Sprintf("%.0f %s", v, unit)
	}
	return fmt.Sprintf("%g %s", v, unit)
}
