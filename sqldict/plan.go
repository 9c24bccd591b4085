package sqldict

import (
	"context"
	"math"
)

// listing is the set of texts one listing reads with.
type listing struct {
	keys, count, entries string
	// head: the texts read the head table as it is now (no bound
	// parameter), and a pinned reader must confirm with headStill.
	head bool
}

// span is the part of the key space one listing reads: the parameters
// from, until and after of the texts, and the most keys it returns (0 or
// math.MaxInt64 for no limit).
type span struct {
	from, until, after string
	limit              int64
}

// seekRows is how many rows the early plan reads, sorts and reduces in the
// time the walk seeks one key: 4.5 measured on PostgreSQL (dialects/postgres
// doc, BenchmarkViewKeys: 448 ms for 10 000 seeks, 100 ms for 10 000 rows).
const seekRows = 4

// listing chooses the texts for a listing: the head table at the head, or
// pinned at the sequence that is still the newest. At an older point,
// KeysAt and its kin, unless the dialect has a plan for the case at hand
// (see dialects.Queries.KeysNear and KeysEarly): near, when fewer commits
// followed the point than there are live keys, so that the head table
// answers all but a few keys; early, when fewer commits precede the point
// than twice the live keys and than follow it, so that reading every row
// up to the point costs O(keys), and the span is not so narrow (see narrow)
// that a seek per key in it costs less.
func (r reader) listing(ctx context.Context, sp span) (listing, error) {
	q := &r.d.q
	if !r.pinned {
		return listing{q.HeadKeys, q.HeadCount, q.HeadEntries, true}, nil
	}
	if r.moved.Load() && q.KeysNear == "" && q.KeysEarly == "" {
		return listing{q.KeysAt, q.CountAt, q.EntriesAt, false}, nil
	}
	st, err := r.d.Stat(ctx)
	if err != nil {
		return listing{}, err
	}
	if st.Sequence == r.bound && !r.moved.Load() {
		return listing{q.HeadKeys, q.HeadCount, q.HeadEntries, true}, nil
	}
	r.moved.Store(true)
	since := st.Sequence - r.bound
	switch {
	case q.KeysNear != "" && since <= st.Live:
		return listing{q.KeysNear, q.CountNear, q.EntriesNear, false}, nil
	case q.KeysEarly != "" && r.bound <= 2*st.Live && r.bound <= since:
		narrow, err := r.narrow(ctx, st, sp)
		if err != nil {
			return listing{}, err
		}
		if !narrow {
			return listing{q.KeysEarly, q.CountEarly, q.EntriesEarly, false}, nil
		}
	}
	return listing{q.KeysAt, q.CountAt, q.EntriesAt, false}, nil
}

// narrow reports whether the walk (a seek per key of the span, KeysAt)
// costs less than the early plan, which reads every row up to the point
// whatever the span: whether the keys the walk visits number fewer than
// those rows over seekRows. With a limit, the walk stops after limit live
// keys, visiting about limit × (keys now / keys live at the point) of
// them; else it visits every key of the span, counted on the head table
// (HeadSpan) up to the budget. A prefix of a hundred keys is then a
// hundred seeks at any point, not a sort of every row up to it (issue 27).
func (r reader) narrow(ctx context.Context, st Stats, sp span) (bool, error) {
	rows := r.bound // at most this many rows at or below the point
	budget := rows / seekRows
	if sp.limit > 0 && sp.limit < math.MaxInt64 {
		// At least the keys live now and written by the point are live
		// there; at most rows of them.
		liveThen := max(1, min(rows, st.Live))
		if sp.limit <= budget && sp.limit*max(st.Live, 1)/liveThen <= budget {
			return true, nil
		}
	}
	q := r.d.q.HeadSpan
	if q == "" || (sp.from == "" && sp.after == "" && sp.until == r.d.maxKey) {
		return false, nil
	}
	s, err := r.d.stmt(ctx, q)
	if err != nil {
		return false, err
	}
	var n int64
	if err := s.QueryRowContext(ctx, sp.from, sp.until, sp.after, budget+1).Scan(&n); err != nil {
		return false, r.d.fail(err)
	}
	return n <= budget, nil
}
