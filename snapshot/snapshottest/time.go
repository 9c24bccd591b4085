package snapshottest

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/sqldict/sqldict/snapshot"
	"github.com/sqldict/sqldict/sqldict"
	"github.com/sqldict/sqldict/sqldict/sqldicttest"
)

// journal is the whole journal of a Dict read back through Log: what the
// time tests derive their expectations from, so that they hold whatever
// clock (the server's or the process's) stamped the commits.
type journal []sqldict.Entry

func readJournal(t testing.TB, d sqldict.Store) journal {
	t.Helper()
	var j journal
	for e, err := range d.Log(bg, 0, math.MaxInt64) {
		must(t, err)
		j = append(j, e)
	}
	return j
}

// seqAt is the sequence AsOf(at) must resolve to: the last row with
// created <= at, 0 when none.
func (j journal) seqAt(at time.Time) int64 {
	i := sort.Search(len(j), func(i int) bool { return j[i].Created.After(at) })
	if i == 0 {
		return 0
	}
	return j[i-1].Sequence
}

// state replays the journal up to seq.
func (j journal) state(seq int64) map[string]string {
	out := map[string]string{}
	for _, e := range j {
		if e.Sequence > seq {
			break
		}
		if e.Deleted {
			delete(out, e.Key)
		} else {
			out[e.Key] = string(e.Value)
		}
	}
	return out
}

func (j journal) created(seq int64) time.Time {
	if seq == 0 {
		return time.Time{}
	}
	return j[seq-1].Created
}

var zones = []*time.Location{
	time.UTC,
	time.FixedZone("IST", 5*3600+1800),
	time.FixedZone("PDT", -7*3600),
	time.FixedZone("LINT", 14*3600),
	time.Local,
}

// checkAsOf checks that AsOf(at) resolves to the sequence the journal says
// and shows the state there.
func checkAsOf(t testing.TB, d sqldict.Store, j journal, at time.Time, what string) *snapshot.View {
	t.Helper()
	v, err := snapshot.AsOf(bg, d, at)
	if err != nil {
		t.Fatalf("AsOf(%s, %v): %v", what, at, err)
	}
	want := j.seqAt(at)
	if v.Sequence() != want {
		t.Fatalf("AsOf(%s, %v).Sequence() = %d, want %d", what, at, v.Sequence(), want)
	}
	if got := v.Time(); !got.Equal(j.created(want)) {
		t.Fatalf("AsOf(%s, %v).Time() = %v, want %v", what, at, got, j.created(want))
	}
	return v
}

// testSameMicrosecond: the rows of one commit share one created, and so may
// separate commits that land in the same microsecond. A time resolves to the
// end of the last commit of its microsecond, never into the middle of one.
func testSameMicrosecond(t *testing.T, open sqldicttest.StoreOpener) {
	d := open(t)
	commit(t, d, sqldict.Write{Key: "before", Value: []byte("x")})
	ws := make([]sqldict.Write, 50)
	for i := range ws {
		ws[i] = sqldict.Write{Key: fmt.Sprintf("k%02d", i), Value: []byte{byte(i)}}
	}
	// One key written several times, deleted and written again, in the
	// same commit: several versions in one microsecond.
	ws[10] = sqldict.Write{Key: "k00", Value: []byte("again")}
	ws[20] = sqldict.Write{Key: "k00", Delete: true}
	ws[30] = sqldict.Write{Key: "k00", Value: []byte("last")}
	es, err := d.Commit(bg, ws...)
	must(t, err)
	for _, e := range es {
		if !e.Created.Equal(es[0].Created) {
			t.Fatalf("rows of one commit have created %v and %v", es[0].Created, e.Created)
		}
	}
	// Fast consecutive commits; some may share a microsecond.
	for i := range 200 {
		commit(t, d, sqldict.Write{Key: fmt.Sprintf("k%02d", i%60), Value: []byte{byte(i), 1}})
	}
	j := readJournal(t, d)
	shared := 0
	for i := 1; i < len(j); i++ {
		if j[i].Created.Equal(j[i-1].Created) && j[i].Sequence > es[len(es)-1].Sequence+1 {
			shared++
		}
	}
	t.Logf("%d of 200 single-write commits share their microsecond with the previous commit", shared)

	v := checkAsOf(t, d, j, es[0].Created, "created of a 50-write commit")
	if v.Sequence() < es[len(es)-1].Sequence {
		t.Fatalf("AsOf(created of a commit) = %d, inside the commit %d..%d", v.Sequence(), es[0].Sequence, es[len(es)-1].Sequence)
	}
	checkState(t, v, j.state(v.Sequence()), nil)
	v = checkAsOf(t, d, j, es[0].Created.Add(-time.Microsecond), "just before a 50-write commit")
	if v.Sequence() >= es[0].Sequence {
		t.Fatalf("AsOf(1µs before a commit) = %d, includes the commit at %d", v.Sequence(), es[0].Sequence)
	}
	// A sequence inside a commit is a valid point: the commit partly applied.
	mid := es[24].Sequence
	v, err = snapshot.At(bg, d, mid)
	must(t, err)
	checkState(t, v, j.state(mid), []string{"k00", "k24", "k25"})
	if _, err := v.Get(bg, "k00"); !errors.Is(err, sqldict.ErrNotFound) {
		t.Fatalf("Get(k00) between its deletion and rewrite in one commit: %v, want ErrNotFound", err)
	}
	h, err := v.History(bg, "k00")
	must(t, err)
	if len(h) != 3 || !h[1].Created.Equal(h[2].Created) {
		t.Fatalf("History(k00) inside the commit = %+v, want 3 rows, the last two in one microsecond", h)
	}
	for i := es[len(es)-1].Sequence; i < int64(len(j)); i++ {
		at := j[i].Created
		for _, at := range []time.Time{at, at.Add(-time.Microsecond), at.Add(time.Microsecond - 1), at.Add(-1)} {
			checkAsOf(t, d, j, at, "a fast commit")
		}
	}
}

// testTimeEdges: exact times, a microsecond either side, sub-microsecond
// parts, the caller's time zone, before the first commit, the future.
func testTimeEdges(t *testing.T, open sqldicttest.StoreOpener) {
	d := open(t)
	for i := range 30 {
		ws := []sqldict.Write{{Key: fmt.Sprintf("k%d", i%7), Value: []byte{byte(i)}}}
		if i%5 == 4 {
			ws = []sqldict.Write{{Key: fmt.Sprintf("k%d", i%7), Delete: true}}
		}
		if _, err := d.Commit(bg, ws...); err != nil {
			ws[0] = sqldict.Write{Key: ws[0].Key, Value: []byte("re")}
			commit(t, d, ws...)
		}
		if i%10 == 0 {
			time.Sleep(2 * time.Millisecond)
		}
	}
	j := readJournal(t, d)
	keys := []string{"k0", "k1", "k2", "k3", "k4", "k5", "k6"}
	for _, e := range j {
		for zi, z := range zones {
			at := e.Created.In(z)
			v := checkAsOf(t, d, j, at, "a commit's created in "+z.String())
			if v.Sequence() < e.Sequence {
				t.Fatalf("AsOf(created of %d in %s) = %d: excludes the commit", e.Sequence, z, v.Sequence())
			}
			if zi == 0 {
				checkState(t, v, j.state(v.Sequence()), keys)
			}
		}
		checkAsOf(t, d, j, e.Created.Add(999*time.Nanosecond), "999ns after a commit")
		v := checkAsOf(t, d, j, e.Created.Add(-time.Nanosecond), "1ns before a commit")
		if v.Sequence() >= e.Sequence {
			t.Fatalf("AsOf(1ns before %d) = %d: includes the commit", e.Sequence, v.Sequence())
		}
		checkAsOf(t, d, j, e.Created.Add(-time.Microsecond).In(zones[2]), "1µs before a commit")
	}
	// Before the first commit: the empty view.
	v := checkAsOf(t, d, j, j[0].Created.Add(-time.Microsecond), "before the first commit")
	if v.Sequence() != 0 || !v.Time().IsZero() {
		t.Fatalf("AsOf(before the first commit) = %d at %v", v.Sequence(), v.Time())
	}
	checkState(t, v, nil, keys)
	v = checkAsOf(t, d, j, time.Time{}, "the zero time")
	checkState(t, v, nil, keys)
	// The future, in any zone.
	for _, z := range zones {
		_, err := snapshot.AsOf(bg, d, time.Now().Add(time.Hour).In(z))
		wantErr(t, err, sqldict.ErrFuture)
	}
	// The newest commit, asked for after it: resolved under the write lock
	// and stable from then on.
	last := j[len(j)-1]
	v = checkAsOf(t, d, j, last.Created, "the newest commit")
	commit(t, d, sqldict.Write{Key: "late", Value: []byte("x")})
	j2 := readJournal(t, d)
	if got := j2.seqAt(last.Created); got != v.Sequence() {
		t.Fatalf("a commit after AsOf(%v) = %d landed at or before that time: it now resolves to %d", last.Created, v.Sequence(), got)
	}
	checkAsOf(t, d, j2, last.Created, "the formerly newest commit")
	keys, err := v.Keys(bg)
	must(t, err)
	if slices.Contains(keys, "late") {
		t.Fatal("a pinned view shows a later commit")
	}
}
