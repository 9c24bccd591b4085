package snapshottest

import (
	"cmp"
	"errors"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/sqldict/sqldict/snapshot"
	"github.com/sqldict/sqldict/sqldict"
	"github.com/sqldict/sqldict/sqldict/sqldicttest"
)

// checkpoint is a commit boundary recorded while the history was written.
type checkpoint struct {
	seq     int64
	created time.Time
	view    *snapshot.View // Head taken right then, for some checkpoints
}

// testModel writes a random history of thousands of commits, some failing on
// purpose, against a Dict and sqldicttest.Model, recording every commit. Then
// the view at sampled checkpoints, by sequence and by time, must read as the
// model did then (keys rewritten and deleted since included), views taken
// during the history must still read as they did, and Diff between random
// checkpoints must be the model's diff.
func testModel(t *testing.T, open sqldicttest.StoreOpener) {
	ops, samples, pairs := 3000, 120, 300
	if testing.Short() {
		ops, samples, pairs = 600, 40, 100
	}
	runModel(t, open, ops, samples, pairs)
}

// testModelSmall is testModel at the size of -short, for Stores that pay
// a round trip per read (a client: 3000 commits take 80 s there).
func testModelSmall(t *testing.T, open sqldicttest.StoreOpener) {
	runModel(t, open, 600, 40, 100)
}

func runModel(t *testing.T, open sqldicttest.StoreOpener, ops, samples, pairs int) {
	seed := sqldicttest.Seed(t)
	r := rand.New(rand.NewPCG(seed, seed^0xd1ff))
	d := open(t)
	m := &sqldicttest.Model{}
	const nkeys = 40
	keys := make([]string, nkeys+2) // k40, k41 are never written
	for i := range keys {
		keys[i] = "k" + strconv.Itoa(i)
	}

	var cps []checkpoint
	for step := range ops {
		maxWrites := 4
		if r.IntN(40) == 0 {
			maxWrites = 16 // now and then a big commit: many rows, one created
		}
		ws := sqldicttest.RandomWrites(r, m, nkeys, maxWrites)
		want := m.Apply(ws)
		es, err := d.Commit(bg, ws...)
		if !errors.Is(err, want) || (want == nil && err != nil) {
			t.Fatalf("step %d: Commit = %v, model says %v", step, err, want)
		}
		if err != nil {
			continue
		}
		for i, e := range es {
			row := &m.Rows[len(m.Rows)-len(es)+i]
			if row.Sequence != e.Sequence {
				t.Fatalf("step %d: commit wrote sequence %d, model %d", step, e.Sequence, row.Sequence)
			}
			row.Created = e.Created
		}
		cp := checkpoint{seq: es[len(es)-1].Sequence, created: es[0].Created}
		if r.IntN(50) == 0 {
			v, err := snapshot.Head(bg, d)
			must(t, err)
			if v.Sequence() != cp.seq {
				t.Fatalf("step %d: Head = %d right after commit %d", step, v.Sequence(), cp.seq)
			}
			cp.view = v
		}
		cps = append(cps, cp)
	}
	if len(cps) < samples {
		t.Fatalf("only %d of %d commits succeeded", len(cps), ops)
	}
	// The commit AsOf(at) must land on: the last with created <= at.
	seqAt := func(at time.Time) int64 {
		i, _ := slices.BinarySearchFunc(cps, at, func(c checkpoint, at time.Time) int {
			if c.created.After(at) {
				return 1
			}
			return -1
		})
		if i == 0 {
			return 0
		}
		return cps[i-1].seq
	}
	shared := 0
	for i := 1; i < len(cps); i++ {
		if cps[i].created.Equal(cps[i-1].created) {
			shared++
		}
	}
	t.Logf("%d commits, %d rows, %d commits share a microsecond with the previous one", len(cps), len(m.Rows), shared)

	check := func(v *snapshot.View, seq int64, full bool) {
		t.Helper()
		if v.Sequence() != seq {
			t.Fatalf("view Sequence() = %d, want %d", v.Sequence(), seq)
		}
		if !full {
			checkState(t, v, m.State(seq), nil)
			return
		}
		checkState(t, v, m.State(seq), keys)
		for _, k := range keys {
			var hist []sqldict.Entry
			for _, row := range m.Rows[:seq] {
				if row.Key == k {
					hist = append(hist, row)
				}
			}
			got, err := v.History(bg, k)
			if len(hist) == 0 {
				wantErr(t, err, sqldict.ErrNotFound)
				_, err = v.Entry(bg, k)
				wantErr(t, err, sqldict.ErrNotFound)
				continue
			}
			must(t, err)
			if len(got) != len(hist) {
				t.Fatalf("at %d: History(%q) has %d rows, model %d", seq, k, len(got), len(hist))
			}
			for i := range got {
				if !sameEntry(got[i], hist[i]) {
					t.Fatalf("at %d: History(%q)[%d] = %+v, model %+v", seq, k, i, got[i], hist[i])
				}
			}
			e, err := v.Entry(bg, k)
			must(t, err)
			if !sameEntry(e, hist[len(hist)-1]) {
				t.Fatalf("at %d: Entry(%q) = %+v, model %+v", seq, k, e, hist[len(hist)-1])
			}
		}
	}

	// Sampled checkpoints, the first and the last included.
	idx := []int{0, len(cps) - 1}
	for range samples - 2 {
		idx = append(idx, r.IntN(len(cps)))
	}
	for _, i := range idx {
		cp := cps[i]
		v, err := snapshot.At(bg, d, cp.seq)
		must(t, err)
		if !v.Time().Equal(cp.created) {
			t.Fatalf("At(%d).Time() = %v, want %v", cp.seq, v.Time(), cp.created)
		}
		check(v, cp.seq, true)
		z := zones[r.IntN(len(zones))]
		for _, at := range []time.Time{
			cp.created.In(z),
			cp.created.Add(time.Duration(r.IntN(1000))).In(z),
			cp.created.Add(-time.Microsecond).In(z),
		} {
			v, err := snapshot.AsOf(bg, d, at)
			must(t, err)
			check(v, seqAt(at), false)
		}
	}
	// Views taken during the history read as they did then.
	for _, cp := range cps {
		if cp.view != nil {
			check(cp.view, cp.seq, false)
		}
	}
	// Diff between random checkpoints, either way round, is the model's.
	for range pairs {
		a, b := cps[r.IntN(len(cps))].seq, cps[r.IntN(len(cps))].seq
		if r.IntN(10) == 0 {
			a = 0
		}
		va, err := snapshot.At(bg, d, a)
		must(t, err)
		vb, err := snapshot.At(bg, d, b)
		must(t, err)
		got, err := snapshot.Diff(bg, va, vb)
		must(t, err)
		var want []change
		for _, k := range keys { // keys are not in bytewise order
			before, hasB := m.Head(k, a)
			after, hasA := m.Head(k, b)
			c := change{key: k}
			if hasB {
				c.before = before.Sequence
			}
			if hasA {
				c.after = after.Sequence
			}
			was, is := hasB && !before.Deleted, hasA && !after.Deleted
			switch {
			case !was && is:
				c.kind = snapshot.Added
			case was && !is:
				c.kind = snapshot.Deleted
			case was && is && string(before.Value) != string(after.Value):
				c.kind = snapshot.Changed
			default:
				continue
			}
			want = append(want, c)
		}
		slices.SortFunc(want, func(x, y change) int { return cmp.Compare(x.key, y.key) })
		checkChanges(t, modelJournal(m), "Diff("+strconv.FormatInt(a, 10)+", "+strconv.FormatInt(b, 10)+")", got, want)
	}
}

func modelJournal(m *sqldicttest.Model) journal { return journal(m.Rows) }
