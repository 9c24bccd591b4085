package sqldicttest

import (
	"fmt"
	"slices"
	"testing"

	"github.com/sqldict/sqldict/sqldict"
)

// testListingPlans reads views at every point of a journal shaped so that
// each listing plan a dialect has is chosen somewhere: early points (few
// commits before, many after: KeysEarly), points a few commits behind the
// newest (KeysNear), and the points between (KeysAt). Keys, Len, LenIn and
// AllIn must agree with the model at each.
func testListingPlans(t *testing.T, open Opener) {
	d := NewDict(t, open, sqldict.Options{})
	m := &Model{}
	commit := func(ws ...sqldict.Write) {
		t.Helper()
		if err := m.Apply(ws); err != nil {
			t.Fatalf("model: %v", err)
		}
		_, err := d.Commit(bg, ws...)
		must(t, err)
	}
	for i := range 8 {
		commit(sqldict.Write{Key: fmt.Sprintf("k%d", i), Value: fmt.Appendf(nil, "v%d", i)})
	}
	commit(sqldict.Write{Key: "k3", Delete: true})
	for i := range 40 {
		commit(sqldict.Write{Key: "k0", Value: fmt.Appendf(nil, "r%d", i)})
		if i%2 == 0 {
			commit(sqldict.Write{Key: "k1", Delete: true})
		} else {
			commit(sqldict.Write{Key: "k1", Value: fmt.Appendf(nil, "r%d", i)})
		}
	}
	head := int64(len(m.Rows))
	for seq := int64(0); seq <= head; seq++ {
		if seq > 12 && seq < head-6 && seq%7 != 0 {
			continue // the middle, where KeysAt is read, is sampled
		}
		s, err := d.Snapshot(bg, seq)
		must(t, err)
		state := m.State(seq)
		compareView(t, s, state)
		var want []string
		for k := range state {
			if k >= "k2" {
				want = append(want, k)
			}
		}
		slices.Sort(want)
		if n, err := s.LenIn(bg, sqldict.Range{From: "k2"}); err != nil || n != len(want) {
			t.Fatalf("at %d: LenIn(from k2) = %d, %v, model %d", seq, n, err, len(want))
		}
		var got []string
		for e, err := range s.AllIn(bg, sqldict.Range{From: "k2"}) {
			must(t, err)
			if string(e.Value) != state[e.Key] {
				t.Fatalf("at %d: AllIn gives %q = %q, model %q", seq, e.Key, e.Value, state[e.Key])
			}
			got = append(got, e.Key)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("at %d: AllIn(from k2) = %q, model %q", seq, got, want)
		}
	}
}
