package sqldict

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"testing"

	"github.com/sqldict/sqldict/dialects"
)

// recoveryConflict is what PostgreSQL's Classify makes of a hot standby
// cancelling a query ("canceling statement due to conflict with recovery",
// SQLSTATE 40001).
var recoveryConflict = &dialects.Classified{Class: dialects.ErrRetry, Err: errors.New("canceling statement due to conflict with recovery")}

// withReplica gives d a replica: a second handle on d's own file.
func withReplica(t *testing.T, d *Dict) *Dict {
	t.Helper()
	p, err := OpenDB(context.Background(), d.db, d.dialect, Options{Replica: d.db})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func TestRouted_ReplicaFailureRunsOnPrimary(t *testing.T) {
	ctx := context.Background()
	d := withReplica(t, openTemp(t))
	for _, fail := range []error{recoveryConflict, &dialects.Classified{Class: dialects.ErrConnection, Err: errors.New("EOF")}} {
		before := d.rep.fallbacks.Load()
		got, err := routedHead(ctx, d, func(x *Dict) (string, error) {
			if x == d.rep.d {
				return "", fail
			}
			return "primary", nil
		})
		if err != nil || got != "primary" || d.rep.fallbacks.Load() != before+1 {
			t.Fatalf("replica failed with %v: got %q, %v (fallbacks %d→%d)", fail, got, err, before, d.rep.fallbacks.Load())
		}
	}
	// Other errors are answers, not failures: ErrNotFound from the replica
	// stands.
	_, err := routedHead(ctx, d, func(x *Dict) (string, error) {
		if x == d.rep.d {
			return "", ErrNotFound
		}
		return "primary", nil
	})
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("ErrNotFound from the replica: %v", err)
	}
}

func TestResumed_ScanGoesOnFromPrimary(t *testing.T) {
	ctx := context.Background()
	d := withReplica(t, openTemp(t))
	for i := range 5 {
		if err := d.Set(ctx, fmt.Sprintf("k%d", i), []byte("v")); err != nil {
			t.Fatal(err)
		}
	}
	// The replica yields k0, k1 and then fails.
	failing := func(yield func(Entry, error) bool) {
		for e, err := range d.rep.d.allIn(ctx, Range{}) {
			if err != nil || !yield(e, nil) {
				return
			}
			if e.Key == "k1" {
				yield(Entry{}, recoveryConflict)
				return
			}
		}
	}
	var keys []string
	for e, err := range resumed(ctx, Range{Limit: 4}, failing, func(rest Range) iter.Seq2[Entry, error] {
		if rest.After != "k1" || rest.Limit != 2 {
			t.Errorf("resumed on the primary with %+v, want After k1, Limit 2", rest)
		}
		return d.allIn(ctx, rest)
	}, &d.rep.fallbacks) {
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, e.Key)
	}
	if fmt.Sprint(keys) != "[k0 k1 k2 k3]" {
		t.Fatalf("scan across the fallback: %v, want [k0 k1 k2 k3]", keys)
	}
}
