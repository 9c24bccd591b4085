package snapshot

import (
	"bytes"
	"context"
	"fmt"
	"iter"
	"slices"

	"github.com/sqldict/sqldict/sqldict"
)

// Kind is what happened to a key between two views.
type Kind int

// The kinds of Change.
const (
	Added   Kind = iota + 1 // live at the second view, not at the first
	Changed                 // live at both, with different value bytes
	Deleted                 // live at the first view, not at the second
)

func (k Kind) String() string {
	switch k {
	case Added:
		return "added"
	case Changed:
		return "changed"
	case Deleted:
		return "deleted"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Change is one key whose live value differs between two views.
type Change struct {
	Key  string
	Kind Kind
	// Before is the key's newest row at the first view, what its Entry
	// returns: nil when the key had no row there, a tombstone when it was
	// deleted. After is the same at the second view. Added has a nil or
	// tombstone Before, Deleted a tombstone (or nil) After; Changed has two
	// live entries.
	Before, After *sqldict.Entry
}

// Diff returns the changes that turn view a into view b, sorted by key. It is
// Changes collected into a slice; see Changes for the contract.
func Diff(ctx context.Context, a, b *View) ([]Change, error) {
	var out []Change
	for c, err := range Changes(ctx, a, b) {
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// Changes streams the changes that turn view a into view b, in key order.
//
// A Change is reported for a key whose live value differs between the two
// points: Added, Deleted, or Changed when both are live with different
// value bytes. Diff compares states, not histories: a key written and then
// deleted between the points, or rewritten with the same bytes (whatever
// its new version, author or comment), is not reported; read Store.Log for
// every write. Applying the changes' After side to a's state gives b's.
//
// a may be before or after b: with a after b, the changes describe going
// back in time (a key written after b shows as Deleted or Changed from a's
// value to b's). Views at the same point have no changes.
//
// The cost grows with the number of journal rows between the two points,
// not with the size of the dict: one scan of the rows between them, then
// the keys they touch read at the earlier point in batches
// (sqldict.Snapshot.Entries; through a client, one request per key). The
// keys touched, with their newest rows between the points and before them,
// are held in memory before the first change is yielded. Both views must
// be taken from the same Store value, whose journal Diff reads (Log,
// Stat): sqldict.ErrInvalidArgument otherwise. Both must still be
// readable: if pruning removed rows the earlier point needs, the iteration
// ends with sqldict.ErrPruned, before any change when the prune came
// first.
func Changes(ctx context.Context, a, b *View) iter.Seq2[Change, error] {
	return func(yield func(Change, error) bool) {
		if a == nil || b == nil {
			yield(Change{}, fmt.Errorf("%w: diff of a nil view", sqldict.ErrInvalidArgument))
			return
		}
		s := a.Store()
		if s == nil || s != b.Store() {
			yield(Change{}, fmt.Errorf("%w: diff of views of different Stores", sqldict.ErrInvalidArgument))
			return
		}
		lo, hi := a, b
		if lo.Sequence() > hi.Sequence() {
			lo, hi = hi, lo
		}
		// The newest row of every key written in (lo, hi] is the key's entry
		// at hi.
		atHi := map[string]sqldict.Entry{}
		for e, err := range s.Log(ctx, lo.Sequence(), hi.Sequence()) {
			if err != nil {
				yield(Change{}, fmt.Errorf("diff %d..%d: read journal: %w", lo.Sequence(), hi.Sequence(), err))
				return
			}
			atHi[e.Key] = e
		}
		// Pruning never removes a row after the horizon, and the horizon
		// only advances: if lo is still readable now, the scan above missed
		// nothing.
		if err := readable(ctx, s, lo.Sequence()); err != nil {
			yield(Change{}, fmt.Errorf("diff %d..%d: %w", lo.Sequence(), hi.Sequence(), err))
			return
		}
		keys := make([]string, 0, len(atHi))
		for k := range atHi {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		// The before-states in batches, the horizon re-verified once.
		atLo, err := lo.Entries(ctx, keys)
		if err != nil {
			yield(Change{}, fmt.Errorf("diff %d..%d: %w", lo.Sequence(), hi.Sequence(), err))
			return
		}
		for _, k := range keys {
			var before *sqldict.Entry
			if e, ok := atLo[k]; ok {
				before = &e
			}
			h := atHi[k]
			after := &h
			if lo != a {
				before, after = after, before
			}
			kind, ok := classify(before, after)
			if !ok {
				continue
			}
			if !yield(Change{Key: k, Kind: kind, Before: before, After: after}, nil) {
				return
			}
		}
	}
}

// readable fails with ErrPruned when seq is behind s's prune horizon.
func readable(ctx context.Context, s sqldict.Store, seq int64) error {
	st, err := s.Stat(ctx)
	if err != nil {
		return err
	}
	if seq < st.Horizon {
		return fmt.Errorf("%w: sequence %d is behind the prune horizon %d", sqldict.ErrPruned, seq, st.Horizon)
	}
	return nil
}

func classify(before, after *sqldict.Entry) (Kind, bool) {
	was := before != nil && !before.Deleted
	is := after != nil && !after.Deleted
	switch {
	case !was && is:
		return Added, true
	case was && !is:
		return Deleted, true
	case was && is && !bytes.Equal(before.Value, after.Value):
		return Changed, true
	}
	return 0, false
}
