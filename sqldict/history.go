package sqldict

import (
	"context"
	"fmt"
	"iter"
)

// HistoryReader is a Reader that can also stream a key's history a page at
// a time. Dict, Snapshot and client.Client implement it.
type HistoryReader interface {
	HistoryIn(ctx context.Context, key string, after int64, limit int) iter.Seq2[Entry, error]
}

// HistoryIn streams the rows of key with a sequence above after, oldest
// first, at most limit of them (0: no limit), deletions included. Unlike
// History it holds at most about PageBytes of entries in memory however
// long or large the history: a caller that pages passes the Sequence of
// the last entry it got as the next after. With after 0 and no rows it
// fails with ErrNotFound, as History does; past the end it yields nothing.
// A negative after or limit yields ErrInvalidArgument. Each page reads the
// newest state, so a commit of key between pages appears in a later one.
func (d *Dict) HistoryIn(ctx context.Context, key string, after int64, limit int) iter.Seq2[Entry, error] {
	return historyIn(key, after, limit, func(after int64, n int, p *pager) ([]Entry, bool, error) {
		type page struct {
			es  []Entry
			cut bool
		}
		pg, err := routedHead(ctx, d, func(x *Dict) (page, error) {
			es, cut, err := x.head().historyPage(ctx, key, after, n, p)
			return page{es, cut}, err
		})
		return pg.es, pg.cut, err
	})
}

// HistoryIn streams the rows of key up to the view's point with a sequence
// above after, like Dict.HistoryIn; every page is read at the view's point.
func (v *Snapshot) HistoryIn(ctx context.Context, key string, after int64, limit int) iter.Seq2[Entry, error] {
	if v.ext != nil {
		if h, ok := v.ext.(HistoryReader); ok {
			return h.HistoryIn(ctx, key, after, limit)
		}
		return historyOf(ctx, v.ext, key, after, limit)
	}
	return historyIn(key, after, limit, func(after int64, n int, p *pager) ([]Entry, bool, error) {
		var cut bool
		es, err := viewRead(ctx, v, func(r reader) ([]Entry, error) {
			es, c, err := r.historyPage(ctx, key, after, n, p)
			cut = c
			return es, err
		})
		return es, cut, err
	})
}

// historyOf pages a Reader's whole History, for Readers without HistoryIn.
func historyOf(ctx context.Context, r Reader, key string, after int64, limit int) iter.Seq2[Entry, error] {
	return func(yield func(Entry, error) bool) {
		hist, err := r.History(ctx, key)
		if err != nil {
			yield(Entry{}, err)
			return
		}
		n := 0
		for _, e := range hist {
			if e.Sequence <= after {
				continue
			}
			if (limit > 0 && n == limit) || !yield(e, nil) {
				return
			}
			n++
		}
	}
}

// readPage reads up to n rows of a history after a sequence.
type readPage func(after int64, n int, p *pager) (page []Entry, cut bool, err error)

// historyIn runs the pages of a history scan.
func historyIn(key string, after int64, limit int, read readPage) iter.Seq2[Entry, error] {
	return func(yield func(Entry, error) bool) {
		if after < 0 || limit < 0 {
			yield(Entry{}, fmt.Errorf("%w: history of %q after %d, limit %d: want both 0 or more", ErrInvalidArgument, key, after, limit))
			return
		}
		p := newPager(PageBytes, historyRows)
		first, left := true, limit
		for {
			n := p.rows
			if limit > 0 {
				n = min(n, left)
			}
			page, cut, err := read(after, n, p)
			if err == nil && first && after == 0 && len(page) == 0 {
				err = fmt.Errorf("%w: %q has no history", ErrNotFound, key)
			}
			if err != nil {
				yield(Entry{}, err)
				return
			}
			first = false
			for _, e := range page {
				if !yield(e, nil) {
					return
				}
			}
			left -= len(page)
			if (len(page) < n && !cut) || len(page) == 0 || (limit > 0 && left == 0) {
				return
			}
			after = page[len(page)-1].Sequence
		}
	}
}

// historyRows is how many rows the first page of a history asks for.
const historyRows = 16

func (r reader) historyPage(ctx context.Context, key string, after int64, n int, p *pager) ([]Entry, bool, error) {
	if err := r.d.begin(ctx); err != nil {
		return nil, false, err
	}
	if err := r.d.checkKey(key); err != nil {
		return nil, false, err
	}
	s, err := r.d.stmt(ctx, r.d.q.HistoryPage)
	if err != nil {
		return nil, false, err
	}
	page, cut, err := p.collect(s.QueryContext(ctx, key, after, r.bound, n))
	if err != nil {
		return nil, false, r.d.fail(err)
	}
	if err := r.verify(ctx); err != nil {
		return nil, false, err
	}
	return page, cut, nil
}
