// Package prunetest is the conformance suite of package prune: the same
// test bodies run on SQLite in this module and on MariaDB/MySQL and
// PostgreSQL from the integration module.
package prunetest

import (
	"bytes"
	"context"
	"errors"
	"math"
	"slices"
	"strconv"
	"testing"

	"github.com/sqldict/sqldict/sqldict"
	"github.com/sqldict/sqldict/sqldict/sqldicttest"
)

var bg = context.Background()

var (
	must    = sqldicttest.Must
	wantErr = sqldicttest.WantErr
)

// Journal reads every row d still holds, by sequence.
func Journal(t testing.TB, d *sqldict.Dict) map[int64]sqldict.Entry {
	t.Helper()
	out := map[int64]sqldict.Entry{}
	for e, err := range d.Log(bg, 0, math.MaxInt64) {
		must(t, err)
		out[e.Sequence] = e
	}
	return out
}

// Contribution is what removing row i of m (0-based) adds to the horizon by
// the rule of sqldict.PruneBatch: a live row's successor's sequence, a
// tombstone's own sequence. A live row without a successor cannot be removed:
// it returns MaxInt64.
func Contribution(m *sqldicttest.Model, i int) int64 {
	r := m.Rows[i]
	if r.Deleted {
		return r.Sequence
	}
	for _, n := range m.Rows[i+1:] {
		if n.Key == r.Key {
			return n.Sequence
		}
	}
	return math.MaxInt64
}

// ExpectedHorizon is the smallest horizon that keeps every snapshot exact
// once the rows of m absent from present are removed; it also fails t when
// the removed rows of some key are not a prefix of its history, or a
// present row differs from the model's.
func ExpectedHorizon(t testing.TB, m *sqldicttest.Model, present map[int64]sqldict.Entry) int64 {
	t.Helper()
	var h int64
	keptOne := map[string]bool{}
	for i, r := range m.Rows {
		got, ok := present[r.Sequence]
		if ok {
			keptOne[r.Key] = true
			if got.Key != r.Key || got.Deleted != r.Deleted || !bytes.Equal(got.Value, r.Value) ||
				got.Author != r.Author || got.Comment != r.Comment {
				t.Fatalf("row %d is %+v, model %+v", r.Sequence, got, r)
			}
			continue
		}
		if keptOne[r.Key] {
			t.Fatalf("row %d of %q removed after a kept row of that key: not a prefix", r.Sequence, r.Key)
		}
		c := Contribution(m, i)
		if c == math.MaxInt64 {
			t.Fatalf("row %d of %q, the key's live head, was removed", r.Sequence, r.Key)
		}
		h = max(h, c)
	}
	if len(present) > 0 {
		for seq := range present {
			if seq < 1 || seq > int64(len(m.Rows)) {
				t.Fatalf("journal has row %d the model does not", seq)
			}
		}
	}
	return h
}

// StateOf is the state at seq computed from the rows a journal still holds.
func StateOf(m *sqldicttest.Model, present map[int64]sqldict.Entry, seq int64) map[string]string {
	out := map[string]string{}
	for _, r := range m.Rows[:min(seq, int64(len(m.Rows)))] {
		if _, ok := present[r.Sequence]; !ok {
			continue
		}
		if r.Deleted {
			delete(out, r.Key)
		} else {
			out[r.Key] = string(r.Value)
		}
	}
	return out
}

// CheckHorizon fails t unless d's horizon is exactly the smallest that keeps
// every snapshot exact given the rows removed, and unless one point lower
// would have answered wrongly.
func CheckHorizon(t testing.TB, d *sqldict.Dict, m *sqldicttest.Model) (horizon int64, present map[int64]sqldict.Entry) {
	t.Helper()
	present = Journal(t, d)
	want := ExpectedHorizon(t, m, present)
	st, err := d.Stat(bg)
	must(t, err)
	if st.Horizon != want {
		t.Fatalf("horizon %d, want %d", st.Horizon, want)
	}
	if h := st.Horizon; h > 0 && mapsEqual(StateOf(m, present, h-1), m.State(h-1)) {
		t.Fatalf("horizon %d is not minimal: the journal still answers exactly at %d", h, h-1)
	}
	return st.Horizon, present
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// CheckViews opens a snapshot at every sequence 0..head and fails t unless
// it is refused with ErrPruned below horizon and reads exactly as the model
// did at and above it: Get and Has of every key in keys, Len and Keys.
func CheckViews(t testing.TB, d *sqldict.Dict, m *sqldicttest.Model, horizon int64, keys []string) {
	t.Helper()
	for seq := int64(0); seq <= int64(len(m.Rows)); seq++ {
		s, err := d.Snapshot(bg, seq)
		if seq < horizon {
			wantErr(t, err, sqldict.ErrPruned)
			continue
		}
		must(t, err)
		CheckView(t, s, m.State(seq), keys)
	}
	// The head listings read the head table, which a drop must keep in step.
	state := m.State(int64(len(m.Rows)))
	want := make([]string, 0, len(state))
	for k := range state {
		want = append(want, k)
	}
	slices.Sort(want)
	got, err := d.Keys(bg)
	must(t, err)
	n, err := d.Len(bg)
	must(t, err)
	if !slices.Equal(got, want) || n != len(want) {
		t.Fatalf("at the head: Keys = %q, Len = %d; model %q", got, n, want)
	}
}

// CheckView fails t unless s reads exactly as state, or (when pruned after
// s was taken) fails every read with ErrPruned. It returns whether s read
// exactly.
func CheckView(t testing.TB, s *sqldict.Snapshot, state map[string]string, keys []string) bool {
	t.Helper()
	want := make([]string, 0, len(state))
	for k := range state {
		want = append(want, k)
	}
	slices.Sort(want)
	got, err := s.Keys(bg)
	if errors.Is(err, sqldict.ErrPruned) {
		return false
	}
	must(t, err)
	if !slices.Equal(got, want) {
		t.Fatalf("at %d: Keys = %q, model %q", s.Sequence(), got, want)
	}
	n, err := s.Len(bg)
	must(t, err)
	if n != len(want) {
		t.Fatalf("at %d: Len = %d, model %d", s.Sequence(), n, len(want))
	}
	for _, k := range keys {
		v, err := s.Get(bg, k)
		mv, live := state[k]
		switch {
		case live && (err != nil || string(v) != mv):
			t.Fatalf("at %d: Get(%q) = %q, %v; model %q", s.Sequence(), k, v, err, mv)
		case !live && !errors.Is(err, sqldict.ErrNotFound):
			t.Fatalf("at %d: Get(%q) = %q, %v; model: absent", s.Sequence(), k, v, err)
		}
		ok, err := s.Has(bg, k)
		must(t, err)
		if ok != live {
			t.Fatalf("at %d: Has(%q) = %v, model %v", s.Sequence(), k, ok, live)
		}
	}
	return true
}

// KeySpace names keys k0..k(n-1), the keys sqldicttest.RandomWrites uses.
func KeySpace(n int) []string {
	keys := make([]string, n)
	for i := range keys {
		keys[i] = "k" + strconv.Itoa(i)
	}
	return keys
}
