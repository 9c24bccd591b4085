package prunetest

import (
	"context"
	"fmt"
	"testing"

	"github.com/sqldict/sqldict/prune"
	"github.com/sqldict/sqldict/sqldict"
	"github.com/sqldict/sqldict/sqldict/sqldicttest"
)

// testPassFixed: a KeepVersions-only pass resolves "the newest commit" once,
// when Compact begins. Commits made between its batches (here by Progress,
// so the interleaving is the same on every run) are left for the next pass:
// the snapshot at the point Compact began stays readable, and a pass
// against a writer that keeps adding versions of the key being compacted
// ends.
func testPassFixed(t *testing.T, open sqldicttest.Opener) {
	d := sqldicttest.NewDict(t, open, sqldict.Options{})
	m := &sqldicttest.Model{}
	keys := []string{"a", "b", "c", "d", "z"}
	var ws []sqldict.Write
	for i := range 30 {
		for _, k := range keys {
			ws = append(ws, sqldict.Write{Key: k, Value: fmt.Append(nil, i)})
		}
	}
	commitModel(t, d, m, ws...)
	start, err := d.Stat(bg)
	must(t, err)

	// Each batch is followed by 8 new versions of "a", the key the first
	// batches work on, one more than a batch removes: a rule that followed
	// the head would never run out of rows to remove.
	ctx, cancel := context.WithCancel(bg)
	defer cancel()
	const maxBatches = 200
	var progressErr error
	p := prune.Policy{KeepVersions: 1, BatchSize: 7, Pause: -1, Progress: func(r prune.Result) {
		if r.Batches >= maxBatches {
			cancel()
			return
		}
		var ws []sqldict.Write
		for i := range 8 {
			ws = append(ws, sqldict.Write{Key: "a", Value: fmt.Appendf(nil, "w%d-%d", r.Batches, i)})
		}
		if err := m.Apply(ws); err != nil {
			progressErr = err
			return
		}
		_, progressErr = d.Commit(bg, ws...)
	}}
	res, err := prune.Compact(ctx, d, p)
	must(t, progressErr)
	if err != nil {
		t.Fatalf("Compact against a steady writer did not finish within %d batches: %v (%+v)", maxBatches, err, res)
	}
	if res.Rule.Through != start.Sequence {
		t.Fatalf("KeepVersions-only rule Through = %d, want the newest commit when Compact began, %d", res.Rule.Through, start.Sequence)
	}
	if res.Horizon > start.Sequence {
		t.Fatalf("horizon %d passed the point %d Compact began at", res.Horizon, start.Sequence)
	}
	s, err := d.Snapshot(bg, start.Sequence)
	must(t, err)
	if !CheckView(t, s, m.State(start.Sequence), keys) {
		t.Fatalf("the snapshot at %d, newest when Compact began, was pruned", start.Sequence)
	}
	CheckHorizon(t, d, m)

	// The next pass takes what the first one left.
	res = compact(t, d, prune.Policy{KeepVersions: 1, BatchSize: 7, Pause: -1})
	for _, k := range keys {
		hist, err := d.History(bg, k)
		must(t, err)
		if len(hist) != 1 {
			t.Fatalf("after a second pass History(%q) has %d rows, want 1 (%+v)", k, len(hist), res)
		}
	}
	CheckHorizon(t, d, m)
}

func commitModel(t testing.TB, d *sqldict.Dict, m *sqldicttest.Model, ws ...sqldict.Write) {
	t.Helper()
	must(t, m.Apply(ws))
	_, err := d.Commit(bg, ws...)
	must(t, err)
}
