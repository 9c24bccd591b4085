package main

import (
	"fmt"
	"time"

	"github.com/schollz/progressbar/v3"
)

// terminal reports whether progress may be drawn on w; tests replace it.
var terminal = isTerminal

// progress shows long work (prune, import, export) on stderr while it runs,
// when stderr is a terminal: a count, its rate and the total where known.
// Redirected it draws nothing; the verb's one-line summary is what is left
// either way.
type progress struct {
	bar        *progressbar.ProgressBar
	start      time.Time
	what, unit string
	spinner    bool // total unknown: the count goes in the description
}

// progress starts a report of what, counting unit; total is -1 when
// unknown (a spinner then shows the count and rate).
func (a *app) progress(what, unit string, total int64) *progress {
	p := &progress{start: time.Now(), what: what, unit: unit, spinner: total < 0}
	if !terminal(a.stderr) {
		return p
	}
	opts := []progressbar.Option{
		progressbar.OptionSetWriter(a.stderr),
		progressbar.OptionSetDescription(what),
		progressbar.OptionSetItsString(unit),
		progressbar.OptionShowIts(),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(100 * time.Millisecond),
		progressbar.OptionSpinnerType(14),
		progressbar.OptionClearOnFinish(),
		// No ticker goroutine: progressbar v3.19.1's reads the bar's state
		// without its lock (a data race under -race); the spinner moves on
		// every set instead.
		progressbar.OptionSetSpinnerChangeInterval(0),
	}
	if !p.spinner {
		// A spinner would show its count as "n/-".
		opts = append(opts, progressbar.OptionShowCount())
	}
	p.bar = progressbar.NewOptions64(total, opts...)
	return p
}

// set reports that the count has reached n.
func (p *progress) set(n int64) {
	if p.bar == nil {
		return
	}
	if p.spinner {
		p.bar.Describe(fmt.Sprintf("%s: %d %s", p.what, n, p.unit))
	}
	_ = p.bar.Set64(n)
}

// done removes the bar, so the summary line follows on a clean line. It may
// be called again (deferred for the error paths).
func (p *progress) done() {
	if p.bar != nil {
		_ = p.bar.Finish()
		p.bar = nil
	}
}

// rate says how fast n things went since the start, for the summary.
func (p *progress) rate(n int64, unit string) string {
	d := time.Since(p.start)
	if d <= 0 || n == 0 {
		return fmt.Sprintf("in %s", d.Round(time.Millisecond))
	}
	return fmt.Sprintf("in %s, %.0f %s/s", d.Round(time.Millisecond), float64(n)/d.Seconds(), unit)
}

// plural is "1 row", "2 rows".
func plural(n int64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
