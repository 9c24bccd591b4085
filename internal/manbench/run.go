package manbench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"time"
)

// Result is one target's median times over the runs.
type Result struct {
	Target            Target
	Write, List, Read time.Duration
	Err               error
}

// Ancestor is the Python ancestor's published figures (write, list, read
// seconds on 2008 hardware), shown for reference only.
var Ancestor = []struct {
	Store             string
	Write, List, Read float64
}{
	{"bsddb", 11.40, 0.80, 2.65},
	{"sqlite", 33.76, 0.23, 4.32},
	{"file", 2.15, 0.03, 9.90},
}

// Run measures each target count times on a fresh, empty store and returns
// the medians. A target that cannot open is reported with its error.
func Run(ctx context.Context, targets []Target, pages []Page, count int) []Result {
	var out []Result
	for _, t := range targets {
		r := Result{Target: t}
		var ws, ls, rs []time.Duration
		for range count {
			w, l, rd, err := once(ctx, t, pages)
			if err != nil {
				r.Err = err
				break
			}
			ws, ls, rs = append(ws, w), append(ls, l), append(rs, rd)
		}
		if r.Err == nil {
			r.Write, r.List, r.Read = median(ws), median(ls), median(rs)
		}
		out = append(out, r)
	}
	return out
}

func once(ctx context.Context, t Target, pages []Page) (w, l, r time.Duration, err error) {
	s, err := t.Open(ctx)
	if err != nil {
		return 0, 0, 0, err
	}
	defer s.Close()
	start := time.Now()
	for _, p := range pages {
		if err := s.Put(ctx, p.Name, p.Text); err != nil {
			return 0, 0, 0, fmt.Errorf("write %s: %w", p.Name, err)
		}
	}
	w = time.Since(start)
	start = time.Now()
	keys, err := s.Keys(ctx)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("list: %w", err)
	}
	l = time.Since(start)
	if len(keys) != len(pages) {
		return 0, 0, 0, fmt.Errorf("listed %d keys, want %d", len(keys), len(pages))
	}
	start = time.Now()
	for i, k := range keys {
		v, err := s.Get(ctx, k)
		if err != nil {
			return 0, 0, 0, fmt.Errorf("read %s: %w", k, err)
		}
		if !bytes.Equal(v, pages[i].Text) {
			return 0, 0, 0, fmt.Errorf("read %s: %d bytes differ from the %d written", k, len(v), len(pages[i].Text))
		}
	}
	r = time.Since(start)
	return w, l, r, nil
}

func median(ds []time.Duration) time.Duration {
	ds = slices.Clone(ds)
	slices.Sort(ds)
	return ds[len(ds)/2]
}

// Print writes the results as a table, the ancestor's figures beside them.
func Print(w io.Writer, res []Result, pages []Page, dir string, count int) {
	total := 0
	for _, p := range pages {
		total += len(p.Text)
	}
	fmt.Fprintf(w, "man-page benchmark: the first %d pages of %s (%.1f MiB decompressed), median of %d runs\n\n",
		len(pages), dir, float64(total)/(1<<20), count)
	fmt.Fprintf(w, "%-14s %-9s %9s %9s %9s\n", "store", "engine", "write s", "list s", "read s")
	for _, r := range res {
		if r.Err != nil {
			fmt.Fprintf(w, "%-14s %-9s SKIPPED: %v\n", r.Target.Store, r.Target.Engine, r.Err)
			continue
		}
		fmt.Fprintf(w, "%-14s %-9s %9.3f %9.4f %9.3f\n", r.Target.Store, r.Target.Engine,
			r.Write.Seconds(), r.List.Seconds(), r.Read.Seconds())
	}
	fmt.Fprintf(w, "\nthe Python ancestor's published figures, 2008 hardware and software — for reference, not comparable:\n")
	for _, a := range Ancestor {
		fmt.Fprintf(w, "%-14s %-9s %9.2f %9.2f %9.2f\n", a.Store, "(2008)", a.Write, a.List, a.Read)
	}
}

// PrintBench writes the results in go test -bench format (one line per
// target and phase, ns/op) so that benchstat can compare runs.
func PrintBench(w io.Writer, res []Result) {
	for _, r := range res {
		if r.Err != nil {
			continue
		}
		for _, ph := range []struct {
			name string
			d    time.Duration
		}{{"write", r.Write}, {"list", r.List}, {"read", r.Read}} {
			fmt.Fprintf(w, "BenchmarkManPages/engine=%s/store=%s/phase=%s 1 %d ns/op\n",
				r.Target.Engine, storeSlug(r.Target.Store), ph.name, ph.d.Nanoseconds())
		}
	}
}

func storeSlug(s string) string {
	switch s {
	case "plain upsert":
		return "plain"
	case "file per key":
		return "files"
	}
	return s
}
