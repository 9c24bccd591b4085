package prunetest

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/sqldict/sqldict/prune"
	"github.com/sqldict/sqldict/sqldict"
	"github.com/sqldict/sqldict/sqldict/sqldicttest"
)

// Selected returns the sequences of the rows of present that rule removes
// in a complete pass, head being the newest commit.
func Selected(present map[int64]sqldict.Entry, rule sqldict.PruneRule, head int64) map[int64]bool {
	through, drop := min(rule.Through, head), min(rule.DropThrough, head)
	byKey := map[string][]sqldict.Entry{}
	for _, e := range present {
		byKey[e.Key] = append(byKey[e.Key], e)
	}
	out := map[int64]bool{}
	for _, rows := range byKey {
		slices.SortFunc(rows, func(a, b sqldict.Entry) int { return int(a.Sequence - b.Sequence) })
		last := rows[len(rows)-1]
		n := 0 // rows removed, oldest first
		switch {
		case last.Deleted && last.Sequence <= drop:
			n = len(rows)
		case through > 0:
			for i, r := range rows {
				if r.Sequence <= through {
					n = i // every row before the newest one at or below through
				}
			}
			if rule.KeepVersions > 0 {
				n = min(n, max(0, len(rows)-rule.KeepVersions))
			}
		}
		for _, r := range rows[:n] {
			out[r.Sequence] = true
		}
	}
	return out
}

// write runs ops random commits against d and m.
func write(t testing.TB, r *rand.Rand, d *sqldict.Dict, m *sqldicttest.Model, ops, keys int) {
	t.Helper()
	for step := range ops {
		ws := sqldicttest.RandomWrites(r, m, keys, 4)
		want := m.Apply(ws)
		_, err := d.Commit(bg, ws...)
		if !errors.Is(err, want) || (want == nil && err != nil) {
			t.Fatalf("step %d: Commit = %v, model says %v", step, err, want)
		}
	}
}

func randomPolicy(r *rand.Rand, d *sqldict.Dict, head int64, allowDrop bool) prune.Policy {
	var p prune.Policy
	if r.IntN(4) > 0 {
		p.Through = r.Int64N(head + 3)
	}
	if r.IntN(3) == 0 {
		p.KeepVersions = r.IntN(4)
	}
	if r.IntN(5) == 0 && head > 0 {
		// The time of a random commit.
		for e := range d.Log(bg, r.Int64N(head), head) {
			p.Before = e.Created
			break
		}
	}
	if r.IntN(10) == 0 {
		p.KeepFor = time.Hour // every commit is younger: keeps everything it bounds
	}
	p.DropDeleted = allowDrop && r.IntN(2) == 0
	p.BatchSize = r.IntN(12)
	p.Reclaim = prune.Reclaim(r.IntN(3))
	p.Pause = time.Duration(r.IntN(3)-1) * time.Millisecond
	return p
}

// testModel: random histories, random policies; after each compaction
// every point is exact or ErrPruned, the rows removed are exactly those the
// policy selects, and the horizon is the smallest that keeps every answer
// exact.
func testModel(t *testing.T, open sqldicttest.Opener) {
	seed := sqldicttest.Seed(t)
	r := rand.New(rand.NewPCG(seed, seed^0x9e37))
	const keys = 10
	space := KeySpace(keys)
	for iter := range 6 {
		t.Run(fmt.Sprint(iter), func(t *testing.T) {
			d := sqldicttest.NewDict(t, open, sqldict.Options{})
			m := &sqldicttest.Model{}
			rounds := 1 + r.IntN(3)
			for round := range rounds {
				write(t, r, d, m, 20+r.IntN(60), keys)
				head := int64(len(m.Rows))
				// Snapshots taken before the compaction, read after it.
				var early []*sqldict.Snapshot
				st, err := d.Stat(bg)
				must(t, err)
				for seq := st.Horizon; seq <= head; seq += 1 + r.Int64N(8) {
					s, err := d.Snapshot(bg, seq)
					must(t, err)
					early = append(early, s)
				}
				before := Journal(t, d)
				// The model does not follow dropped keys' high-water
				// marks: only the last round drops.
				p := randomPolicy(r, d, head, round == rounds-1)
				stepwise := r.IntN(3) == 0
				if stepwise {
					batchByBatch(t, r, d, m, p, space)
				}
				res, err := prune.Compact(bg, d, p)
				if err != nil {
					t.Fatalf("Compact(%+v): %v", p, err)
				}
				checkRule(t, d, p, res.Rule, head)
				horizon, after := CheckHorizon(t, d, m)
				want := Selected(before, res.Rule, head)
				if stepwise {
					// batchByBatch did the work: count what it removed.
					res.Removed = int64(len(before) - len(after))
				}
				for seq := range before {
					if _, kept := after[seq]; kept == want[seq] {
						t.Fatalf("policy %+v (rule %+v): row %d removed %v, want %v", p, res.Rule, seq, !kept, want[seq])
					}
				}
				if res.Removed != int64(len(want)) || res.Horizon != horizon {
					t.Fatalf("Result %+v: want %d removed, horizon %d", res, len(want), horizon)
				}
				if !stepwise && p.BatchSize > 0 && res.Batches < int(res.Removed)/p.BatchSize {
					t.Fatalf("%d rows removed in %d batches of at most %d", res.Removed, res.Batches, p.BatchSize)
				}
				CheckViews(t, d, m, horizon, space)
				for _, s := range early {
					exact := CheckView(t, s, m.State(s.Sequence()), space)
					if exact != (s.Sequence() >= horizon) {
						t.Fatalf("snapshot at %d taken before compaction: exact=%v with horizon %d", s.Sequence(), exact, horizon)
					}
				}
				// Compacting again with the same policy finds nothing.
				again, err := prune.Compact(bg, d, p)
				must(t, err)
				if again.Removed != 0 && p.KeepFor == 0 && p.Before.IsZero() {
					t.Fatalf("second Compact(%+v) removed %d rows", p, again.Removed)
				}
			}
		})
	}
}

// checkRule checks how a policy resolved to a rule.
func checkRule(t testing.TB, d *sqldict.Dict, p prune.Policy, rule sqldict.PruneRule, head int64) {
	t.Helper()
	if p.IsZero() {
		if rule.Through != 0 || rule.DropThrough != 0 {
			t.Fatalf("zero policy resolved to %+v", rule)
		}
		return
	}
	bound := int64(1<<63 - 1)
	if p.Through > 0 {
		bound = p.Through
	}
	if !p.Before.IsZero() {
		seq, err := d.SequenceAt(bg, p.Before)
		if errors.Is(err, sqldict.ErrPruned) {
			seq, err = 0, nil // behind the horizon: nothing by this criterion
		}
		must(t, err)
		bound = min(bound, seq)
	}
	if p.KeepFor > 0 {
		bound = 0 // see randomPolicy
	}
	bounded := p.Through > 0 || !p.Before.IsZero() || p.KeepFor > 0
	if bounded || p.KeepVersions > 0 {
		if min(rule.Through, head) != min(bound, head) || rule.KeepVersions != p.KeepVersions {
			t.Fatalf("policy %+v resolved to %+v, want Through %d", p, rule, bound)
		}
	}
	if p.DropDeleted && (bounded || p.KeepVersions > 0) && min(rule.DropThrough, head) != min(bound, head) {
		t.Fatalf("policy %+v resolved to %+v, want DropThrough %d", p, rule, bound)
	}
	if !p.DropDeleted && rule.DropThrough != 0 {
		t.Fatalf("policy %+v resolved to %+v: drops without DropDeleted", p, rule)
	}
}

// batchByBatch runs the pass of p one PruneBatch at a time, checking after
// each batch that it removed at most its limit and left an exact horizon.
func batchByBatch(t testing.TB, r *rand.Rand, d *sqldict.Dict, m *sqldicttest.Model, p prune.Policy, space []string) {
	t.Helper()
	rule, err := p.Rule(bg, d)
	must(t, err)
	rule.Limit = 1 + r.IntN(5)
	for range 10000 {
		b, err := d.PruneBatch(bg, rule)
		must(t, err)
		if b.Removed > int64(rule.Limit) {
			t.Fatalf("batch %+v removed %d rows", rule, b.Removed)
		}
		h, _ := CheckHorizon(t, d, m)
		if b.Horizon != h {
			t.Fatalf("batch result horizon %d, journal %d", b.Horizon, h)
		}
		seq := h + r.Int64N(int64(len(m.Rows))-h+1)
		s, err := d.Snapshot(bg, seq)
		must(t, err)
		CheckView(t, s, m.State(seq), space)
		if b.Done {
			return
		}
		rule.After = b.Next
	}
	t.Fatalf("pass of %+v did not end", rule)
}

// testPruneOnWrite: with Options.PruneOnWrite every write prunes its keys;
// the horizon is exactly the rule's, every point is exact or ErrPruned, and
// a compaction on top (drops included) keeps it so.
func testPruneOnWrite(t *testing.T, open sqldicttest.Opener) {
	seed := sqldicttest.Seed(t)
	r := rand.New(rand.NewPCG(seed, seed^0x0b))
	const keys = 8
	space := KeySpace(keys)
	d := sqldicttest.NewDict(t, open, sqldict.Options{PruneOnWrite: true})
	m := &sqldicttest.Model{}
	for range 5 {
		write(t, r, d, m, 10+r.IntN(30), keys)
		h, _ := CheckHorizon(t, d, m)
		CheckViews(t, d, m, h, space)
	}
	res, err := prune.Compact(bg, d, prune.Policy{DropDeleted: true, Through: int64(len(m.Rows))})
	must(t, err)
	h, _ := CheckHorizon(t, d, m)
	if res.Horizon != h {
		t.Fatalf("Compact horizon %d, journal %d", res.Horizon, h)
	}
	CheckViews(t, d, m, h, space)
}
