package sqldicttest

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"testing"

	"github.com/sqldict/sqldict/sqldict"
)

// Model is an in-memory journal with full history: what a Dict must agree
// with.
type Model struct {
	Rows []sqldict.Entry // every committed row; Rows[i].Sequence == i+1
}

// Head returns the newest row of key at or below seq.
func (m *Model) Head(key string, seq int64) (sqldict.Entry, bool) {
	for i := min(seq, int64(len(m.Rows))) - 1; i >= 0; i-- {
		if m.Rows[i].Key == key {
			return m.Rows[i], true
		}
	}
	return sqldict.Entry{}, false
}

// State returns the live keys and values at seq.
func (m *Model) State(seq int64) map[string]string {
	out := map[string]string{}
	for _, r := range m.Rows[:min(seq, int64(len(m.Rows)))] {
		if r.Deleted {
			delete(out, r.Key)
		} else {
			out[r.Key] = string(r.Value)
		}
	}
	return out
}

// Apply predicts a commit's outcome and, when it succeeds, appends its rows.
func (m *Model) Apply(ws []sqldict.Write) error {
	type st struct {
		v   int64
		del bool
	}
	states := map[string]st{}
	var rows []sqldict.Entry
	seq := int64(len(m.Rows))
	for _, w := range ws {
		s, ok := states[w.Key]
		if !ok {
			h, found := m.Head(w.Key, seq)
			s = st{h.Version, !found || h.Deleted}
		}
		if v, set := w.IfVersion.Version(); set {
			live := s.v
			if s.del {
				live = 0
			}
			if v != live && (v != s.v || !s.del) {
				return sqldict.ErrConflict
			}
		}
		if w.Delete && s.del {
			return sqldict.ErrNotFound
		}
		s = st{s.v + 1, w.Delete}
		states[w.Key] = s
		seq++
		val := w.Value
		if !w.Delete && val == nil {
			val = []byte{}
		}
		rows = append(rows, sqldict.Entry{Key: w.Key, Value: val, Deleted: w.Delete, Sequence: seq,
			Version: s.v, Author: w.Author, Comment: w.Comment})
	}
	m.Rows = append(m.Rows, rows...)
	return nil
}

// Seed returns the seed for a randomized test: SQLDICT_SEED when set, else
// a fresh one. The test logs it when it fails.
func Seed(t testing.TB) uint64 {
	seed := rand.Uint64()
	if s := os.Getenv("SQLDICT_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("SQLDICT_SEED=%q: %v", s, err)
		}
		seed = v
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("randomized with seed %d: rerun with SQLDICT_SEED=%d", seed, seed)
		}
	})
	return seed
}

// RandomWrites returns a random commit of 1..maxWrites writes over a small
// key space, with expectations that are sometimes right and sometimes wrong.
func RandomWrites(r *rand.Rand, m *Model, keys, maxWrites int) []sqldict.Write {
	n := 1 + r.IntN(maxWrites)
	ws := make([]sqldict.Write, n)
	for i := range ws {
		k := "k" + strconv.Itoa(r.IntN(keys))
		w := sqldict.Write{Key: k}
		switch r.IntN(10) {
		case 0, 1:
			w.Delete = true
		case 2:
			w.Value = nil
		default:
			w.Value = []byte(fmt.Sprintf("v%d", r.IntN(1000)))
			if r.IntN(8) == 0 {
				w.Value = []byte{0, byte(r.IntN(256)), 0xff}
			}
		}
		if r.IntN(4) == 0 {
			h, _ := m.Head(k, int64(len(m.Rows)))
			v := h.Version
			if h.Deleted && r.IntN(2) == 0 {
				v = 0
			}
			if r.IntN(4) == 0 {
				v += int64(r.IntN(3)) - 1
			}
			w.IfVersion = sqldict.Expect(max(v, 0))
		}
		if r.IntN(5) == 0 {
			w.Author, w.Comment = "au"+strconv.Itoa(r.IntN(3)), "c"+strconv.Itoa(r.IntN(3))
		}
		ws[i] = w
	}
	return ws
}

// RunModel runs ops random commits against a Dict and the Model, comparing
// Get, Has, Len, Keys and History after every step (every checkEvery-th
// step for the whole-dict reads; 0 picks a default), then every snapshot
// along the way.
func RunModel(t *testing.T, open Opener, ops, checkEvery int) {
	RunModelOn(t, NewDict(t, open, sqldict.Options{}), ops, checkEvery)
}

// RunModelOn is RunModel on an empty journal behind any Store (a remote
// one, package client).
func RunModelOn(t *testing.T, d sqldict.Store, ops, checkEvery int) {
	seed := Seed(t)
	r := rand.New(rand.NewPCG(seed, seed^0x5eed))
	m := &Model{}
	const keys = 24
	if checkEvery <= 0 {
		checkEvery = 10
	}
	for step := range ops {
		ws := RandomWrites(r, m, keys, 4)
		want := m.Apply(ws)
		entries, err := d.Commit(bg, ws...)
		if !errors.Is(err, want) || (want == nil && err != nil) {
			t.Fatalf("step %d: Commit(%+v) = %v, model says %v", step, ws, err, want)
		}
		if err == nil {
			for i, e := range entries {
				mr := m.Rows[len(m.Rows)-len(entries)+i]
				if e.Sequence != mr.Sequence || e.Version != mr.Version || e.Deleted != mr.Deleted {
					t.Fatalf("step %d: entry %+v, model %+v", step, e, mr)
				}
			}
		}
		k := "k" + strconv.Itoa(r.IntN(keys))
		compareKey(t, d, m, k, step)
		if step%checkEvery == 0 || step == ops-1 {
			compareDict(t, d, m, step)
		}
	}
	// Every point in history reads as the model did then.
	last := int64(len(m.Rows))
	for seq := int64(0); seq <= last; seq += max(1, last/60) {
		s, err := d.Snapshot(bg, seq)
		if err != nil {
			t.Fatalf("Snapshot(%d): %v", seq, err)
		}
		compareView(t, s, m.State(seq))
		for range 3 {
			k := "k" + strconv.Itoa(r.IntN(keys))
			hist, err := s.History(bg, k)
			var want []sqldict.Entry
			for _, row := range m.Rows[:seq] {
				if row.Key == k {
					want = append(want, row)
				}
			}
			compareHistory(t, k, hist, err, want)
		}
	}
}

func compareKey(t *testing.T, d sqldict.Store, m *Model, k string, step int) {
	t.Helper()
	h, found := m.Head(k, int64(len(m.Rows)))
	v, err := d.Get(bg, k)
	if !found || h.Deleted {
		if !errors.Is(err, sqldict.ErrNotFound) {
			t.Fatalf("step %d: Get(%q) = %q, %v; model says absent", step, k, v, err)
		}
	} else if err != nil || !bytes.Equal(v, h.Value) {
		t.Fatalf("step %d: Get(%q) = %q, %v; model says %q", step, k, v, err, h.Value)
	}
	ok, err := d.Has(bg, k)
	must(t, err)
	if ok != (found && !h.Deleted) {
		t.Fatalf("step %d: Has(%q) = %v", step, k, ok)
	}
	hist, err := d.History(bg, k)
	var want []sqldict.Entry
	for _, row := range m.Rows {
		if row.Key == k {
			want = append(want, row)
		}
	}
	compareHistory(t, k, hist, err, want)
}

func compareHistory(t *testing.T, k string, got []sqldict.Entry, err error, want []sqldict.Entry) {
	t.Helper()
	if len(want) == 0 {
		if !errors.Is(err, sqldict.ErrNotFound) {
			t.Fatalf("History(%q) = %d rows, %v; model has none", k, len(got), err)
		}
		return
	}
	must(t, err)
	if len(got) != len(want) {
		t.Fatalf("History(%q) has %d rows, model %d", k, len(got), len(want))
	}
	for i := range got {
		g, w := got[i], want[i]
		if g.Sequence != w.Sequence || g.Version != w.Version || g.Deleted != w.Deleted ||
			!bytes.Equal(g.Value, w.Value) || g.Author != w.Author || g.Comment != w.Comment {
			t.Fatalf("History(%q)[%d] = %+v, model %+v", k, i, g, w)
		}
	}
}

func compareDict(t *testing.T, d sqldict.Store, m *Model, step int) {
	t.Helper()
	state := m.State(int64(len(m.Rows)))
	want := make([]string, 0, len(state))
	for k := range state {
		want = append(want, k)
	}
	slices.Sort(want)
	keys, err := d.KeysIn(bg, sqldict.Range{})
	must(t, err)
	if !slices.Equal(keys, want) {
		t.Fatalf("step %d: Keys = %q, model %q", step, keys, want)
	}
	n, err := d.LenIn(bg, sqldict.Range{})
	must(t, err)
	if n != len(want) {
		t.Fatalf("step %d: Len = %d, model %d", step, n, len(want))
	}
}

func compareView(t *testing.T, s *sqldict.Snapshot, state map[string]string) {
	t.Helper()
	var want []string
	for k := range state {
		want = append(want, k)
	}
	slices.Sort(want)
	keys, err := s.Keys(bg)
	must(t, err)
	if !slices.Equal(keys, want) {
		t.Fatalf("at %d: Keys = %q, model %q", s.Sequence(), keys, want)
	}
	n, err := s.Len(bg)
	must(t, err)
	if n != len(want) {
		t.Fatalf("at %d: Len = %d, model %d", s.Sequence(), n, len(want))
	}
	for _, k := range want {
		v, err := s.Get(bg, k)
		must(t, err)
		if string(v) != state[k] {
			t.Fatalf("at %d: Get(%q) = %q, model %q", s.Sequence(), k, v, state[k])
		}
	}
}
