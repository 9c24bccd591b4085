package sqldict

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"iter"
	"math"
	"sync/atomic"
)

// Range selects keys for KeysIn, LenIn and AllIn. The zero value selects
// every key. Bounds compare bytewise, like the keys' order.
type Range struct {
	Prefix string // only keys starting with Prefix
	From   string // only keys >= From
	To     string // only keys < To; "" for no upper bound
	After  string // only keys > After: the last key of the previous page
	Limit  int    // at most Limit keys (KeysIn, AllIn); 0 for no limit
}

// pageSize is how many entries one query of a streaming scan reads.
const pageSize = 512

// Get returns the value of key. It fails with ErrNotFound when the key was
// never written or its newest version is a deletion.
func (d *Dict) Get(ctx context.Context, key string) ([]byte, error) {
	return routedHead(ctx, d, func(x *Dict) ([]byte, error) { return x.get(ctx, key) })
}

func (d *Dict) get(ctx context.Context, key string) ([]byte, error) {
	if err := d.begin(ctx); err != nil {
		return nil, err
	}
	if err := d.checkKey(key); err != nil {
		return nil, err
	}
	s, err := d.stmt(ctx, d.q.Latest)
	if err != nil {
		return nil, err
	}
	var item []byte
	var deleted bool
	err = s.QueryRowContext(ctx, key).Scan(&item, &deleted)
	switch {
	case errors.Is(err, sql.ErrNoRows) || deleted:
		return nil, fmt.Errorf("%w: %q", ErrNotFound, key)
	case err != nil:
		return nil, d.fail(err)
	case item == nil:
		item = []byte{}
	}
	return item, nil
}

// Has reports whether key has a live value. It reads the head table only,
// never the value.
func (d *Dict) Has(ctx context.Context, key string) (bool, error) {
	return routedHead(ctx, d, func(x *Dict) (bool, error) { return x.has(ctx, key) })
}

func (d *Dict) has(ctx context.Context, key string) (bool, error) {
	if err := d.begin(ctx); err != nil {
		return false, err
	}
	if err := d.checkKey(key); err != nil {
		return false, err
	}
	s, err := d.stmt(ctx, d.q.Current)
	if err != nil {
		return false, err
	}
	var version int64
	var deleted bool
	err = s.QueryRowContext(ctx, key).Scan(&version, &deleted)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, d.fail(err)
	}
	return !deleted, nil
}

// Keys returns every live key in bytewise order. For large dicts prefer
// KeysIn with a Limit, or All.
func (d *Dict) Keys(ctx context.Context) ([]string, error) {
	return d.KeysIn(ctx, Range{})
}

// KeysIn returns the live keys in r, in bytewise order.
func (d *Dict) KeysIn(ctx context.Context, r Range) ([]string, error) {
	return routedHead(ctx, d, func(x *Dict) ([]string, error) { return x.head().keys(ctx, r) })
}

// Len returns the number of live keys.
func (d *Dict) Len(ctx context.Context) (int, error) {
	return d.LenIn(ctx, Range{})
}

// LenIn returns the number of live keys in r; r.Limit is ignored.
func (d *Dict) LenIn(ctx context.Context, r Range) (int, error) {
	return routedHead(ctx, d, func(x *Dict) (int, error) { return x.head().count(ctx, r) })
}

// All streams the live entries in key order. It reads pages of a few
// hundred entries at the sequence that was newest when iteration began, so
// a long scan sees one consistent state, holds no transaction open, and
// needs memory for one page only. An error ends the iteration.
//
// Pruning may remove rows that state needs while the scan runs (with
// PruneOnWrite, any write of a key may). All then never fails with
// ErrPruned: it goes on from the newest state, after the last key it
// yielded, so every key still comes at most once and in order, and each
// entry is as of the start or later.
func (d *Dict) All(ctx context.Context) iter.Seq2[Entry, error] {
	return d.AllIn(ctx, Range{})
}

// AllIn streams the live entries in r, like All.
func (d *Dict) AllIn(ctx context.Context, r Range) iter.Seq2[Entry, error] {
	return func(yield func(Entry, error) bool) {
		x, err := d.readFrom(ctx, d.written.Load())
		if err != nil {
			yield(Entry{}, err)
			return
		}
		if x == d {
			d.allIn(ctx, r)(yield)
			return
		}
		// A scan the replica fails goes on from the primary's head, after
		// the last key yielded: as of the start or later, like following
		// a prune.
		resumed(ctx, r, x.allIn(ctx, r), func(rest Range) iter.Seq2[Entry, error] { return d.allIn(ctx, rest) }, &d.rep.fallbacks)(yield)
	}
}

func (d *Dict) allIn(ctx context.Context, r Range) iter.Seq2[Entry, error] {
	return func(yield func(Entry, error) bool) {
		st, err := d.Stat(ctx)
		if err != nil {
			yield(Entry{}, err)
			return
		}
		r0 := d.at(st.Sequence)
		r0.follow = true
		r0.entries(ctx, r)(yield)
	}
}

// Entry returns the newest row of key, a tombstone included, with its
// metadata; ErrNotFound when the key was never written.
func (d *Dict) Entry(ctx context.Context, key string) (Entry, error) {
	return routedHead(ctx, d, func(x *Dict) (Entry, error) { return x.head().entry(ctx, key) })
}

// History returns every row of key still in the journal, oldest first,
// deletions included. It fails with ErrNotFound when there is none. Rows
// removed by pruning are absent; Version tells a pruned version from one
// that never was.
func (d *Dict) History(ctx context.Context, key string) ([]Entry, error) {
	return routedHead(ctx, d, func(x *Dict) ([]Entry, error) { return x.head().history(ctx, key) })
}

// Version returns the entry of key at version v: ErrNotFound when the key
// never reached v, ErrPruned when pruning removed it, ErrInvalidArgument for
// a v below 1 (versions start at 1).
func (d *Dict) Version(ctx context.Context, key string, v int64) (Entry, error) {
	return routedHead(ctx, d, func(x *Dict) (Entry, error) { return x.version(ctx, key, v) })
}

func (d *Dict) version(ctx context.Context, key string, v int64) (Entry, error) {
	if err := d.begin(ctx); err != nil {
		return Entry{}, err
	}
	if v < 1 {
		return Entry{}, fmt.Errorf("%w: version %d of %q: versions start at 1", ErrInvalidArgument, v, key)
	}
	if err := d.checkKey(key); err != nil {
		return Entry{}, err
	}
	s, err := d.stmt(ctx, d.q.Version)
	if err != nil {
		return Entry{}, err
	}
	e, err := scanEntry(s.QueryRowContext(ctx, key, v))
	if err == nil {
		return e, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return Entry{}, d.fail(err)
	}
	// Missing: pruned if a later version exists, otherwise never written.
	cur, cerr := d.stmt(ctx, d.q.Current)
	if cerr != nil {
		return Entry{}, cerr
	}
	var newest int64
	var deleted bool
	cerr = cur.QueryRowContext(ctx, key).Scan(&newest, &deleted)
	if cerr != nil && !errors.Is(cerr, sql.ErrNoRows) {
		return Entry{}, d.fail(cerr)
	}
	if v >= 1 && v < newest {
		return Entry{}, fmt.Errorf("%w: %q version %d", ErrPruned, key, v)
	}
	return Entry{}, fmt.Errorf("%w: %q version %d", ErrNotFound, key, v)
}

// reader runs the listing queries as of bound. pinned readers check the
// prune horizon after each query: a read that raced a prune is refused, not
// answered from a half-pruned journal.
type reader struct {
	d      *Dict
	bound  int64
	pinned bool
	// moved is set once a commit followed bound: from then on the head
	// table no longer shows the pinned state. Shared by copies.
	moved *atomic.Bool
	// follow lets a scan of the head go on at the head when pruning
	// removed its pinned state, instead of failing with ErrPruned.
	follow bool
}

func (d *Dict) head() reader { return reader{d: d, bound: math.MaxInt64} }
func (d *Dict) at(seq int64) reader {
	return reader{d: d, bound: seq, pinned: true, moved: new(atomic.Bool)}
}
func (r reader) label() string {
	if r.pinned {
		return fmt.Sprintf(" at sequence %d", r.bound)
	}
	return ""
}

// bounds turns a Range into the (from, until, after) parameters.
func (r reader) bounds(rg Range) (from, until, after string, err error) {
	for _, f := range []struct{ what, s string }{{"prefix", rg.Prefix}, {"from", rg.From}, {"to", rg.To}, {"after", rg.After}} {
		if err := checkText(f.what, f.s); err != nil {
			return "", "", "", err
		}
	}
	if rg.Limit < 0 {
		return "", "", "", fmt.Errorf("%w: negative limit %d", ErrInvalidArgument, rg.Limit)
	}
	from, until, after = max(rg.From, rg.Prefix), r.d.maxKey, rg.After
	if rg.To != "" {
		until = rg.To
	}
	if rg.Prefix != "" {
		until = min(until, rg.Prefix+r.d.maxKey)
	}
	return seekFrom(from, after), until, after, nil
}

// seekFrom folds after into the lower bound from, so that the engine seeks
// to it: SQLite's planner seeks on one lower bound (from) and filters the
// other, so each page of a scan re-read all the keys before it and All was
// quadratic. Keys hold no NUL, so after+"\x01" is the least key above after.
func seekFrom(from, after string) string {
	if after == "" {
		return from
	}
	return max(from, after+"\x01")
}

// headStill confirms a pinned head-table read: the query's snapshot was
// taken before this check, so when no commit followed the pinned sequence
// by now, none had when the query ran and the head table showed exactly
// the pinned state. Otherwise the reader is demoted to the journal.
func (r reader) headStill(ctx context.Context) (bool, error) {
	if !r.pinned {
		return true, nil
	}
	st, err := r.d.Stat(ctx)
	if err != nil {
		return false, err
	}
	if st.Sequence == r.bound {
		return true, nil
	}
	r.moved.Store(true)
	return false, nil
}

// verify fails a pinned read whose bound fell behind the horizon.
func (r reader) verify(ctx context.Context) error {
	if !r.pinned {
		return nil
	}
	st, err := r.d.Stat(ctx)
	if err != nil {
		return err
	}
	if r.bound < st.Horizon {
		return fmt.Errorf("%w: sequence %d is behind the prune horizon %d", ErrPruned, r.bound, st.Horizon)
	}
	return nil
}

func (r reader) keys(ctx context.Context, rg Range) ([]string, error) {
	if err := r.d.begin(ctx); err != nil {
		return nil, err
	}
	from, until, after, err := r.bounds(rg)
	if err != nil {
		return nil, err
	}
	limit := int64(rg.Limit)
	if limit == 0 {
		limit = math.MaxInt64
	}
	l, err := r.listing(ctx, span{from, until, after, limit})
	if err != nil {
		return nil, err
	}
	headQ := l.head
	q, args := l.keys, []any{from, until, after, r.bound, limit}
	if headQ {
		args = []any{from, until, after, limit}
	}
	s, err := r.d.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	rows, err := s.QueryContext(ctx, args...)
	if err != nil {
		return nil, r.d.fail(err)
	}
	defer rows.Close()
	var keys []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, r.d.fail(err)
		}
		keys = append(keys, k)
	}
	if err := rows.Err(); err != nil {
		return nil, r.d.fail(err)
	}
	if keys == nil {
		keys = []string{}
	}
	if headQ {
		if still, err := r.headStill(ctx); err != nil || !still {
			if err != nil {
				return nil, err
			}
			return r.keys(ctx, rg) // a commit raced the head read: use the journal
		}
	}
	return keys, r.verify(ctx)
}

func (r reader) count(ctx context.Context, rg Range) (int, error) {
	if err := r.d.begin(ctx); err != nil {
		return 0, err
	}
	from, until, after, err := r.bounds(rg)
	if err != nil {
		return 0, err
	}
	if rg == (Range{Limit: rg.Limit}) && (!r.pinned || !r.moved.Load()) {
		// Every key: the meta row counts them at its sequence, and one
		// read of it says both which sequence and how many.
		s, err := r.d.stmt(ctx, r.d.q.Live)
		if err != nil {
			return 0, err
		}
		var seq, live int64
		if err := s.QueryRowContext(ctx).Scan(&seq, &live); err != nil {
			return 0, r.d.fail(err)
		}
		if !r.pinned || seq == r.bound {
			return int(live), nil
		}
		r.moved.Store(true)
	}
	l, err := r.listing(ctx, span{from, until, after, 0})
	if err != nil {
		return 0, err
	}
	headQ := l.head
	q, args := l.count, []any{from, until, after, r.bound}
	if headQ {
		args = []any{from, until, after}
	}
	s, err := r.d.stmt(ctx, q)
	if err != nil {
		return 0, err
	}
	var n int
	if err := s.QueryRowContext(ctx, args...).Scan(&n); err != nil {
		return 0, r.d.fail(err)
	}
	if headQ {
		if still, err := r.headStill(ctx); err != nil || !still {
			if err != nil {
				return 0, err
			}
			return r.count(ctx, rg)
		}
	}
	return n, r.verify(ctx)
}

func (r reader) entries(ctx context.Context, rg Range) iter.Seq2[Entry, error] {
	return func(yield func(Entry, error) bool) {
		if err := r.d.begin(ctx); err != nil {
			yield(Entry{}, err)
			return
		}
		from, until, after, err := r.bounds(rg)
		if err != nil {
			yield(Entry{}, err)
			return
		}
		r := r // follow replaces it for the rest of this scan
		left := rg.Limit
		for {
			page := pageSize
			if rg.Limit > 0 {
				page = min(page, left)
			}
			batch, err := r.page(ctx, from, until, after, page)
			if errors.Is(err, ErrPruned) && r.follow {
				r = r.d.head()
				batch, err = r.page(ctx, from, until, after, page)
			}
			if err != nil {
				yield(Entry{}, err)
				return
			}
			for _, e := range batch {
				if !yield(e, nil) {
					return
				}
			}
			left -= len(batch)
			if len(batch) < page || (rg.Limit > 0 && left == 0) {
				return
			}
			after = batch[len(batch)-1].Key
			from = seekFrom(from, after)
		}
	}
}

func (r reader) page(ctx context.Context, from, until, after string, n int) ([]Entry, error) {
	if err := r.d.begin(ctx); err != nil {
		return nil, err
	}
	l, err := r.listing(ctx, span{from, until, after, int64(n)})
	if err != nil {
		return nil, err
	}
	headQ := l.head
	q, args := l.entries, []any{from, until, after, r.bound, n}
	if headQ {
		args = []any{from, until, after, n}
	}
	s, err := r.d.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	out, err := collect(s.QueryContext(ctx, args...))
	if err != nil {
		return nil, r.d.fail(err)
	}
	if headQ {
		if still, err := r.headStill(ctx); err != nil || !still {
			if err != nil {
				return nil, err
			}
			return r.page(ctx, from, until, after, n)
		}
	}
	return out, r.verify(ctx)
}

func (r reader) entry(ctx context.Context, key string) (Entry, error) {
	if err := r.d.begin(ctx); err != nil {
		return Entry{}, err
	}
	if err := r.d.checkKey(key); err != nil {
		return Entry{}, err
	}
	s, err := r.d.stmt(ctx, r.d.q.EntryAt)
	if err != nil {
		return Entry{}, err
	}
	e, err := scanEntry(s.QueryRowContext(ctx, key, r.bound))
	if errors.Is(err, sql.ErrNoRows) {
		err = fmt.Errorf("%w: %q%s", ErrNotFound, key, r.label())
	} else if err != nil {
		err = r.d.fail(err)
	}
	if verr := r.verify(ctx); verr != nil {
		return Entry{}, verr
	}
	return e, err
}

func (r reader) history(ctx context.Context, key string) ([]Entry, error) {
	if err := r.d.begin(ctx); err != nil {
		return nil, err
	}
	if err := r.d.checkKey(key); err != nil {
		return nil, err
	}
	s, err := r.d.stmt(ctx, r.d.q.History)
	if err != nil {
		return nil, err
	}
	rows, err := s.QueryContext(ctx, key, r.bound)
	if err != nil {
		return nil, r.d.fail(err)
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return nil, r.d.fail(err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, r.d.fail(err)
	}
	if err := r.verify(ctx); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: %q has no history%s", ErrNotFound, key, r.label())
	}
	return out, nil
}
