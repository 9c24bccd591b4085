package sqldict

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"strings"
	"time"

	"github.com/sqldict/sqldict/dialects"
	"github.com/sqldict/sqldict/internal/watchstat"
)

// Watch streams every committed entry with Sequence > after and a key in r,
// in sequence order, each exactly once, until ctx ends; then it yields ctx's
// error and stops. Deletions come as entries with Deleted set. r selects keys
// as in KeysIn (Prefix, From, To, After); a Limit ends the watch after that
// many entries. after 0 starts at the beginning of the journal; an after
// beyond the newest commit waits for the journal to reach it.
//
// Exactness comes from the journal, not from the wake-ups: sequence numbers
// are gap-free and in commit order, so the watcher reads the journal after
// the last sequence it delivered and proves by counting that it skipped
// nothing. When pruning has removed entries the watch would need, it yields
// ErrPruned and stops, never a silent skip: at the start when after is below
// the prune horizon, and later when a compaction removes entries a slow
// watcher has not read yet. Resume then from a fresh state (a Snapshot at the
// current sequence, as package mirror does).
//
// A watcher holds no transaction and never blocks writers. It reads pages of
// a few hundred entries, so its memory is bounded however far behind it is.
// It learns of commits of this process at once, of other processes' through
// PostgreSQL's LISTEN/NOTIFY and SQLite's data_version within milliseconds,
// and on MySQL/MariaDB within Options.WatchPoll; one poller per pool and
// journal serves every watcher. Lost connections are retried until ctx ends,
// so a watch survives a database restart without loss or repetition; other
// errors are yielded and end the watch. After Close it yields ErrClosed.
func (d *Dict) Watch(ctx context.Context, after int64, r Range) iter.Seq2[Entry, error] {
	return func(yield func(Entry, error) bool) {
		w := d
		if d.rep != nil {
			w = d.rep.d
		}
		if err := w.watch(ctx, after, r, yield); err != nil {
			yield(Entry{}, err)
		}
	}
}

// watch runs one Watch; it returns the error that ends it, nil when the
// consumer stopped or the limit was reached.
func (d *Dict) watch(ctx context.Context, after int64, r Range, yield func(Entry, error) bool) error {
	if err := d.begin(ctx); err != nil {
		return err
	}
	if after < 0 {
		return fmt.Errorf("%w: negative sequence %d", ErrInvalidArgument, after)
	}
	if _, _, _, err := d.head().bounds(r); err != nil {
		return err
	}
	left := r.Limit

	h := d.hub()
	h.join(d)
	defer h.leave()

	var st Stats
	if err := d.retrying(ctx, func() (err error) { st, err = d.watchStat(ctx); return err }); err != nil {
		return err
	}
	if after < st.Horizon {
		return fmt.Errorf("%w: watch after sequence %d, behind the prune horizon %d", ErrPruned, after, st.Horizon)
	}
	h.advance(st.Sequence)

	cursor := after // every entry up to cursor was delivered or filtered out
	misses := 0     // consecutive incomplete pages the horizon does not explain
	p := newPager(PageBytes, pageSize)
	for {
		newest, advanced := h.state()
		if newest <= cursor {
			select {
			case <-advanced:
				continue
			case <-ctx.Done():
				return ctx.Err()
			case <-d.closing:
				return ErrClosed
			}
		}
		var page []Entry
		var cut bool
		n := p.rows
		if err := d.retrying(ctx, func() (err error) { page, cut, err = d.logPage(ctx, cursor, newest, p); return err }); err != nil {
			return err
		}
		// The journal holds every sequence above the horizon, so the page
		// must be cursor+1, cursor+2, … up to newest or a full page (or as
		// far as PageBytes let it go).
		want := min(newest-cursor, int64(n))
		if cut {
			want = int64(len(page))
		}
		complete := len(page) > 0 && int64(len(page)) == want
		for i, e := range page {
			if e.Sequence != cursor+1+int64(i) {
				complete = false
			}
		}
		if !complete {
			err := d.gap(ctx, cursor)
			if !errors.Is(err, errMissing) || misses >= maxMisses {
				return err
			}
			// Rows the meta row already counts, not yet visible to this
			// read (another connection, another snapshot): read again a
			// moment later rather than fail. Never skipped: after
			// maxMisses the watch fails.
			misses++
			select {
			case <-time.After(missWait):
			case <-ctx.Done():
				return ctx.Err()
			case <-d.closing:
				return ErrClosed
			}
			continue
		}
		misses = 0
		for _, e := range page {
			if r.Contains(e.Key) {
				if !yield(e, nil) {
					return nil
				}
				if left--; left == 0 {
					return nil
				}
			}
			cursor = e.Sequence
		}
	}
}

// Contains reports whether key is in r as KeysIn and Watch read r: it has
// the Prefix, is >= From, < To (when To is set) and > After. Limit plays no
// part.
func (r Range) Contains(key string) bool {
	return strings.HasPrefix(key, r.Prefix) && key >= r.From && (r.To == "" || key < r.To) && key > r.After
}

// logPage reads the entries with after < sequence <= until, at most a page
// of p's rows and bytes.
func (d *Dict) logPage(ctx context.Context, after, until int64, p *pager) ([]Entry, bool, error) {
	if err := d.begin(ctx); err != nil {
		return nil, false, err
	}
	s, err := d.stmt(ctx, d.q.Log)
	if err != nil {
		return nil, false, err
	}
	watchstat.Queries.Add(1)
	page, cut, err := p.collect(s.QueryContext(ctx, after, until, p.rows))
	return page, cut, d.fail(err)
}

// watchStat is Stat, counted.
func (d *Dict) watchStat(ctx context.Context) (Stats, error) {
	watchstat.Queries.Add(1)
	return d.Stat(ctx)
}

// errMissing marks a gap the prune horizon does not explain.
var errMissing = errors.New("sqldict: journal entries missing")

// A watch re-reads a page with a gap the horizon does not explain up to
// maxMisses times, missWait apart, before it fails.
const (
	maxMisses = 50
	missWait  = 10 * time.Millisecond
)

// gap explains entries missing after cursor: a compaction removed them.
func (d *Dict) gap(ctx context.Context, cursor int64) error {
	var st Stats
	if err := d.retrying(ctx, func() (err error) { st, err = d.watchStat(ctx); return err }); err != nil {
		return err
	}
	if st.Horizon > cursor {
		return fmt.Errorf("%w: a compaction removed entries after sequence %d (horizon now %d) before the watch read them", ErrPruned, cursor, st.Horizon)
	}
	return fmt.Errorf("%w: journal %s, after sequence %d below its newest %d and above its horizon %d", errMissing, d.opts.Table, cursor, st.Sequence, st.Horizon)
}

// retrying runs fn until it succeeds, fails with an error other than a lost
// connection, or ctx ends: a watch outlives a database restart.
func (d *Dict) retrying(ctx context.Context, fn func() error) error {
	wait := d.opts.WatchPoll
	for {
		err := fn()
		// On a replica a conflict with recovery (PostgreSQL cancels reads
		// that hold back WAL replay) is retried too.
		again := errors.Is(err, dialects.ErrConnection) || (d.isReplica && errors.Is(err, dialects.ErrRetry))
		if err == nil || !again || ctx.Err() != nil || d.closed.Load() {
			return err
		}
		d.opts.Logger.WarnContext(ctx, "sqldict: watch lost its connection, retrying", "table", d.opts.Table, "wait", wait, "err", err)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-d.closing:
			return ErrClosed
		case <-time.After(wait):
		}
		wait = min(2*wait, 5*time.Second)
	}
}
