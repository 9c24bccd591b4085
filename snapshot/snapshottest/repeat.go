package snapshottest

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sqldict/sqldict/snapshot"
	"github.com/sqldict/sqldict/sqldict"
	"github.com/sqldict/sqldict/sqldict/sqldicttest"
)

// reading is everything one pass over a view reads.
type reading struct {
	Keys    []string
	Len     int
	All     []sqldict.Entry
	Values  map[string]string // Get of every key, "<absent>" for ErrNotFound
	History map[string][]sqldict.Entry
	Changes []snapshot.Change
}

func read(v, from *snapshot.View, keys []string) (reading, error) {
	r := reading{Values: map[string]string{}, History: map[string][]sqldict.Entry{}}
	var err error
	if r.Keys, err = v.Keys(bg); err != nil {
		return r, err
	}
	if r.Len, err = v.Len(bg); err != nil {
		return r, err
	}
	for e, err := range v.All(bg) {
		if err != nil {
			return r, err
		}
		r.All = append(r.All, e)
	}
	for i, k := range keys {
		val, err := v.Get(bg, k)
		switch {
		case errors.Is(err, sqldict.ErrNotFound):
			r.Values[k] = "<absent>"
		case err != nil:
			return r, err
		default:
			r.Values[k] = string(val)
		}
		if i%10 == 0 {
			h, err := v.History(bg, k)
			if err != nil && !errors.Is(err, sqldict.ErrNotFound) {
				return r, err
			}
			r.History[k] = h
		}
	}
	r.Changes, err = snapshot.Diff(bg, from, v)
	return r, err
}

// testRepeatable reads the same views over and over from several goroutines
// while writers rewrite and delete the keys they show: every reading must be
// the first one.
func testRepeatable(t *testing.T, open sqldicttest.Opener) {
	d := sqldicttest.NewDict(t, open, sqldict.Options{})
	const nkeys = 120
	keys := make([]string, nkeys+5) // and a few never written
	for i := range keys {
		keys[i] = fmt.Sprintf("k%03d", i)
	}
	for round := range 3 {
		ws := make([]sqldict.Write, 0, nkeys)
		for i := range nkeys {
			if (i+round)%7 == 0 && round > 0 {
				continue
			}
			ws = append(ws, sqldict.Write{Key: keys[i], Value: fmt.Appendf(nil, "r%d", round)})
		}
		commit(t, d, ws...)
	}
	from, err := snapshot.At(bg, d, nkeys/2)
	must(t, err)
	dels := make([]sqldict.Write, 0, nkeys/5)
	for i := 0; i < nkeys; i += 5 {
		dels = append(dels, sqldict.Write{Key: keys[i], Delete: true})
	}
	commit(t, d, dels...)
	v, err := snapshot.Head(bg, d)
	must(t, err)
	want, err := read(v, from, keys)
	must(t, err)
	if len(want.Keys) == 0 || len(want.Changes) == 0 {
		t.Fatalf("fixture reads %d keys, %d changes", len(want.Keys), len(want.Changes))
	}

	var stop atomic.Bool
	var commits, writersDone atomic.Int64
	var writers, readers sync.WaitGroup
	for w := range 3 {
		writers.Add(1)
		go func() {
			defer writers.Done()
			defer writersDone.Add(1)
			r := rand.New(rand.NewPCG(uint64(w), 7))
			for !stop.Load() {
				k := keys[r.IntN(nkeys)]
				wr := sqldict.Write{Key: k, Value: fmt.Appendf(nil, "w%d-%d", w, r.IntN(1000))}
				if r.IntN(3) == 0 {
					wr = sqldict.Write{Key: k, Delete: true}
				}
				_, err := d.Commit(bg, wr, sqldict.Write{Key: keys[r.IntN(nkeys)], Value: []byte("x")})
				if err != nil && !errors.Is(err, sqldict.ErrNotFound) {
					t.Errorf("writer %d: %v", w, err)
					return
				}
				if err == nil {
					commits.Add(1)
				}
			}
		}()
	}
	rounds := 15
	if testing.Short() {
		rounds = 5
	}
	for g := range 4 {
		readers.Add(1)
		go func() {
			defer readers.Done()
			seen := int64(-1)
			for i := range rounds {
				// Each read after the first follows a commit that landed
				// since the previous one began: by construction, not luck.
				if !waitCommit(&commits, seen, &writersDone) {
					t.Errorf("reader %d, round %d: no commit landed since the previous round", g, i)
					return
				}
				seen = commits.Load()
				got, err := read(v, from, keys)
				if err != nil {
					t.Errorf("reader %d, round %d: %v", g, i, err)
					return
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("reader %d, round %d: the view read differently (%d keys, want %d; %d changes, want %d)",
						g, i, len(got.Keys), len(want.Keys), len(got.Changes), len(want.Changes))
					return
				}
			}
		}()
	}
	readers.Wait()
	stop.Store(true)
	writers.Wait()
	t.Logf("%d commits landed while %d readers read the view %d times each", commits.Load(), 4, rounds)
	if commits.Load() == 0 {
		t.Error("no commit landed during the reads: the test proved nothing")
	}
}

// waitCommit waits until commits passes seen, or every writer stopped (a
// failed writer reports its own error): false then.
func waitCommit(commits *atomic.Int64, seen int64, writersDone *atomic.Int64) bool {
	for commits.Load() <= seen {
		if writersDone.Load() == 3 {
			return false
		}
		time.Sleep(time.Millisecond)
	}
	return true
}
