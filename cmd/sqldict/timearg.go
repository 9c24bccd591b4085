package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/sqldict/sqldict/sqldict"
)

// timeLayout prints times: RFC 3339 with microseconds, the journal's
// resolution, so a printed time can be pasted back into --as-of.
const timeLayout = "2006-01-02T15:04:05.000000Z07:00"

// now is the clock relative times count from; tests replace it.
var now = time.Now

func (a *app) zone() *time.Location {
	if a.utc {
		return time.UTC
	}
	return time.Local
}

func (a *app) formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(a.zone()).Format(timeLayout)
}

// parseTime reads a time given on the command line: RFC 3339, a date or a
// date and time without zone (in the display zone: local, or UTC with
// --utc), "now", or a duration relative to now such as -2h, -30m, -1d,
// -1d12h.
func (a *app) parseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "now" {
		return now(), nil
	}
	if strings.HasPrefix(s, "-") || strings.HasPrefix(s, "+") {
		d, err := parseRelative(s)
		if err != nil {
			return time.Time{}, err
		}
		return now().Add(d), nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02", "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999", "2006-01-02T15:04", "2006-01-02 15:04"} {
		if t, err := time.ParseInLocation(layout, s, a.zone()); err == nil {
			return t, nil
		}
	}
	return time.Time{}, usagef("malformed time %q: want RFC 3339 (2024-05-01T12:00:00Z), a date (2024-05-01) or a relative time (-2h, -30m, -1d)", s)
}

// parseRelative reads [+-][Nd]DURATION: Go durations plus whole days.
func parseRelative(s string) (time.Duration, error) {
	bad := usagef("malformed relative time %q: want e.g. -2h, -30m, -1d, -1d12h", s)
	sign := time.Duration(1)
	if s[0] == '-' {
		sign = -1
	}
	rest := s[1:]
	var total time.Duration
	if i := strings.IndexByte(rest, 'd'); i >= 0 {
		days, err := strconv.Atoi(rest[:i])
		if err != nil || days < 0 || days > 100000 {
			return 0, bad
		}
		total = time.Duration(days) * 24 * time.Hour
		rest = rest[i+1:]
	}
	if rest != "" {
		d, err := time.ParseDuration(rest)
		if err != nil || d < 0 || strings.ContainsAny(rest[:1], "+-") {
			return 0, bad
		}
		total += d
	} else if total == 0 && !strings.HasSuffix(s, "d") {
		return 0, bad
	}
	return sign * total, nil
}

// point is the --as-of / --at pair of flags that pick a point in history.
type point struct {
	fs   *flag.FlagSet
	asOf string
	at   int64

	t   time.Time // --as-of, parsed by checkPoint
	seq int64     // the sequence the point resolved to, set by snapshot
}

func (p *point) register(fs *flag.FlagSet) {
	p.fs = fs
	fs.StringVar(&p.asOf, "as-of", "", "read as of `TIME` (the last commit at or before it)")
	fs.Int64Var(&p.at, "at", 0, "read as of sequence number `SEQ` (0: before the first commit)")
}

func (p *point) set() bool { return given(p.fs, "as-of") || given(p.fs, "at") }

// checkPoint validates the point before anything is opened: an --at below 0 or
// an empty or malformed --as-of is a usage error, never the head.
func (a *app) checkPoint(p *point) error {
	asOf, at := given(p.fs, "as-of"), given(p.fs, "at")
	switch {
	case asOf && at:
		return usagef("give --as-of or --at, not both")
	case at && p.at < 0:
		return usagef("--at %d: sequence numbers start at 0 (the empty journal before the first commit)", p.at)
	case asOf:
		t, err := a.parseTime(p.asOf)
		p.t = t
		return err
	}
	return nil
}

// snapshot resolves the point to a view; nil when no point was given.
func (a *app) snapshot(d journal, p *point) (*sqldict.Snapshot, error) {
	if !p.set() {
		return nil, nil
	}
	p.seq = p.at
	if given(p.fs, "as-of") {
		var err error
		if p.seq, err = a.resolve(d, p.t); err != nil {
			return nil, err
		}
	}
	return d.Snapshot(a.ctx, p.seq)
}

// describe names the point in messages.
func (a *app) describe(p *point) string {
	if given(p.fs, "as-of") {
		return "as of " + a.formatTime(p.t)
	}
	return fmt.Sprintf("at sequence %d", p.seq)
}

// notFoundAt explains a key missing at a point: before the first commit
// nothing can be found, which deserves saying.
func (a *app) notFoundAt(p *point, key string, err error) error {
	if p.seq == 0 && p.set() && errors.Is(err, sqldict.ErrNotFound) {
		return fmt.Errorf("%w: %q %s: that is before the journal's first commit", sqldict.ErrNotFound, key, a.describe(p))
	}
	return err
}

// resolve resolves a time to the last commit at or before it.
func (a *app) resolve(d journal, t time.Time) (int64, error) {
	seq, err := d.SequenceAt(a.ctx, t)
	if err != nil {
		return 0, fmt.Errorf("as of %s: %w", a.formatTime(t), err)
	}
	return seq, nil
}

// reader is what a command reads keys from: the dict's head or a snapshot.
type reader interface {
	Get(ctx context.Context, key string) ([]byte, error)
	KeysIn(ctx context.Context, r sqldict.Range) ([]string, error)
	LenIn(ctx context.Context, r sqldict.Range) (int, error)
	Entry(ctx context.Context, key string) (sqldict.Entry, error)
}

func (a *app) reader(d journal, p *point) (reader, error) {
	s, err := a.snapshot(d, p)
	if err != nil || s == nil {
		return d, err
	}
	return s, nil
}
