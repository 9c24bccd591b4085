package snapshottest

import (
	"testing"
	"time"

	"github.com/sqldict/sqldict/snapshot"
	"github.com/sqldict/sqldict/sqldict"
	"github.com/sqldict/sqldict/sqldict/sqldicttest"
)

// testPruned: points behind the prune horizon are refused, by sequence and by
// time, and so are views made before the prune moved the horizon past them.
// The horizon is moved by PruneOnWrite writes.
func testPruned(t *testing.T, open sqldicttest.Opener) {
	d := sqldicttest.NewDict(t, open, sqldict.Options{PruneOnWrite: true})
	_, r1 := commit(t, d, sqldict.Write{Key: "a", Value: []byte("1")}) // 1
	commit(t, d, sqldict.Write{Key: "b", Value: []byte("1")})          // 2
	_, r3 := commit(t, d, sqldict.Write{Key: "c", Value: []byte("1")}) // 3
	// First writes prune nothing: every point is still readable.
	v0, err := snapshot.AsOf(bg, d, r1.Created.Add(-time.Microsecond))
	must(t, err)
	v2, err := snapshot.At(bg, d, 2)
	must(t, err)
	v3, err := snapshot.AsOf(bg, d, r3.Created)
	must(t, err)
	changes, err := snapshot.Diff(bg, v0, v2)
	must(t, err)
	if len(changes) != 2 {
		t.Fatalf("Diff(0, 2) = %+v, want a and b added", changes)
	}

	commit(t, d, sqldict.Write{Key: "a", Value: []byte("2")}) // 4: removes row 1
	st, err := d.Stat(bg)
	must(t, err)
	if st.Horizon != 4 {
		t.Fatalf("horizon = %d, want 4", st.Horizon)
	}
	for seq := range int64(4) {
		_, err := snapshot.At(bg, d, seq)
		wantErr(t, err, sqldict.ErrPruned)
	}
	_, err = snapshot.AsOf(bg, d, r1.Created)
	wantErr(t, err, sqldict.ErrPruned)
	_, err = snapshot.AsOf(bg, d, r1.Created.Add(-time.Hour))
	wantErr(t, err, sqldict.ErrPruned)

	// Views made before the prune refuse every read after it.
	for _, v := range []*snapshot.View{v0, v2, v3} {
		_, err = v.Get(bg, "b")
		wantErr(t, err, sqldict.ErrPruned)
		_, err = v.Has(bg, "b")
		wantErr(t, err, sqldict.ErrPruned)
		_, err = v.Entry(bg, "b")
		wantErr(t, err, sqldict.ErrPruned)
		_, err = v.Keys(bg)
		wantErr(t, err, sqldict.ErrPruned)
		_, err = v.Len(bg)
		wantErr(t, err, sqldict.ErrPruned)
		_, err = v.History(bg, "b")
		wantErr(t, err, sqldict.ErrPruned)
		for _, err := range v.All(bg) {
			wantErr(t, err, sqldict.ErrPruned)
		}
	}
	head, err := snapshot.Head(bg, d)
	must(t, err)
	for _, pair := range [][2]*snapshot.View{{v2, head}, {head, v2}, {v0, v3}, {v3, v3}} {
		_, err = snapshot.Diff(bg, pair[0], pair[1])
		wantErr(t, err, sqldict.ErrPruned)
	}

	// At and after the horizon, views read and diff.
	v4, err := snapshot.At(bg, d, 4)
	must(t, err)
	checkState(t, v4, map[string]string{"a": "2", "b": "1", "c": "1"}, []string{"a", "b", "c"})
	commit(t, d, sqldict.Write{Key: "d", Value: []byte("1")}) // 5: a first write, prunes nothing
	head, err = snapshot.Head(bg, d)
	must(t, err)
	changes, err = snapshot.Diff(bg, v4, head)
	must(t, err)
	if len(changes) != 1 || changes[0].Key != "d" || changes[0].Kind != snapshot.Added {
		t.Fatalf("Diff(4, 5) = %+v, want d added", changes)
	}
}
