package sqldicttest

import (
	"errors"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"
	"testing"

	"github.com/sqldict/sqldict/sqldict"
)

// commit kinds of testConcurrentModel, by the outcome they must have.
const (
	kindClean    = iota // unconditional writes: must commit
	kindRacy            // expects a shared key's version read just before: either
	kindConflict        // expects a version no key reaches: ErrConflict
	kindNotFound        // deletes a key never written: ErrNotFound
	kindOwn             // deletes or sets the caller's own key, whose state it knows
	kinds
)

// testConcurrentModel has many callers commit at once through one Dict, so
// that commits coalesce (group commit), mixing commits that must succeed,
// must fail with ErrConflict or ErrNotFound, and may go either way. Every
// outcome must be the one the Model gives when the successful commits are
// replayed in journal order, each commit's rows consecutive, the journal
// gap-free, and a failed commit must leave nothing behind.
func testConcurrentModel(t *testing.T, open Opener) {
	d := NewDict(t, open, sqldict.Options{})
	seed := Seed(t)
	const callers, commits, shared = 12, 25, 3
	type done struct {
		writes  []sqldict.Write
		entries []sqldict.Entry
	}
	var mu sync.Mutex
	var landed []done
	var wg sync.WaitGroup
	for c := range callers {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(seed, uint64(c)))
			own, ownLive := "own/"+strconv.Itoa(c), false
			for i := range commits {
				sk := "shared/" + strconv.Itoa(r.IntN(shared))
				val := []byte(strconv.Itoa(c) + "/" + strconv.Itoa(i))
				kind := r.IntN(kinds)
				var ws []sqldict.Write
				switch kind {
				case kindClean:
					ws = []sqldict.Write{{Key: sk, Value: val}, {Key: own + "/x", Value: val}}
				case kindRacy:
					e, err := d.Entry(bg, sk)
					v := e.Version
					if errors.Is(err, sqldict.ErrNotFound) {
						v = 0 // absent or deleted: 0 is right either way
					} else if err != nil {
						t.Error(err)
						return
					}
					ws = []sqldict.Write{{Key: own + "/y", Value: val}, {Key: sk, Value: val, IfVersion: sqldict.Expect(v)}}
				case kindConflict:
					ws = []sqldict.Write{{Key: own + "/z", Value: val}, {Key: sk, Value: val, IfVersion: sqldict.Expect(1 << 40)}}
				case kindNotFound:
					ws = []sqldict.Write{{Key: sk, Value: val}, {Key: "never/" + strconv.Itoa(c), Delete: true}}
				case kindOwn:
					ws = []sqldict.Write{{Key: own, Value: val}}
					if ownLive {
						ws = []sqldict.Write{{Key: own, Delete: true}}
					}
				}
				es, err := d.Commit(bg, ws...)
				var want error
				switch {
				case kind == kindConflict || (kind == kindRacy && errors.Is(err, sqldict.ErrConflict)):
					want = sqldict.ErrConflict
				case kind == kindNotFound:
					want = sqldict.ErrNotFound
				}
				if (want == nil && err != nil) || (want != nil && !errors.Is(err, want)) {
					t.Errorf("caller %d commit %d (kind %d): %v, want %v", c, i, kind, err, want)
					return
				}
				if err == nil {
					if kind == kindOwn {
						ownLive = !ownLive
					}
					mu.Lock()
					landed = append(landed, done{ws, es})
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	slices.SortFunc(landed, func(a, b done) int { return int(a.entries[0].Sequence - b.entries[0].Sequence) })
	m := &Model{}
	for _, l := range landed {
		if err := m.Apply(l.writes); err != nil {
			t.Fatalf("commit landing at %d: the model says %v", l.entries[0].Sequence, err)
		}
		rows := m.Rows[len(m.Rows)-len(l.writes):]
		for i, e := range l.entries {
			w := rows[i]
			if e.Sequence != w.Sequence || e.Key != w.Key || e.Version != w.Version || e.Deleted != w.Deleted {
				t.Fatalf("commit entry %+v, model %+v", e, w)
			}
		}
	}
	if got := seqOf(t, d); got != int64(len(m.Rows)) {
		t.Fatalf("journal at %d, the successful commits wrote %d rows", got, len(m.Rows))
	}
	compareDict(t, d, m, len(landed))
	for _, k := range []string{"shared/0", "own/0", "never/0"} {
		compareKey(t, d, m, k, len(landed))
	}
}
