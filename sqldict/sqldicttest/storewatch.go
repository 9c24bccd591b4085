package sqldicttest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/sqldict/sqldict/sqldict"
)

// watchResult is what one Watch yielded before it ended.
type watchResult struct {
	seqs []int64
	errs []error
}

// collectWatch ranges over s.Watch in a goroutine, calling each(e) after
// each entry (it may cancel ctx), and returns what the watch yielded once
// it ends; it fails t when the watch has not ended within 10 seconds.
func collectWatch(t *testing.T, ctx context.Context, s sqldict.Store, after int64, r sqldict.Range, each func(sqldict.Entry)) watchResult {
	t.Helper()
	done := make(chan watchResult, 1)
	go func() {
		var res watchResult
		for e, err := range s.Watch(ctx, after, r) {
			if err != nil {
				res.errs = append(res.errs, err)
				continue
			}
			res.seqs = append(res.seqs, e.Sequence)
			if each != nil {
				each(e)
			}
		}
		done <- res
	}()
	select {
	case res := <-done:
		return res
	case <-time.After(10 * time.Second):
		t.Fatalf("Watch(%d, %+v) did not end within 10s", after, r)
		return watchResult{}
	}
}

// storeWatchEnds: how a Watch ends is the same on every Store. The end of
// its context is yielded once as the context's error (a consumer that
// stops at the first error learns why the stream ended, as with every
// other iterator of a Store); bad arguments are yielded once as a typed
// error; Limit ends it without an error after that many entries.
func storeWatchEnds(t *testing.T, s Journal) {
	for _, c := range []struct {
		after int64
		r     sqldict.Range
	}{
		{-1, sqldict.Range{}}, {0, sqldict.Range{Prefix: "bad\x00"}}, {0, sqldict.Range{Limit: -1}},
		{0, sqldict.Range{From: "\xff"}}, {0, sqldict.Range{After: "a\x00"}},
	} {
		res := collectWatch(t, bg, s, c.after, c.r, nil)
		if len(res.seqs) != 0 || len(res.errs) != 1 ||
			!(errors.Is(res.errs[0], sqldict.ErrInvalidArgument) || errors.Is(res.errs[0], sqldict.ErrInvalidKey)) {
			t.Fatalf("Watch(%d, %+v) = %v, %v; want one ErrInvalidArgument or ErrInvalidKey", c.after, c.r, res.seqs, res.errs)
		}
	}

	Must(t, s.Set(bg, "x", []byte("1")))
	ctx, cancel := context.WithCancel(bg)
	defer cancel()
	// The watch is waiting for a commit that never comes when ctx ends.
	res := collectWatch(t, ctx, s, 0, sqldict.Range{}, func(sqldict.Entry) { cancel() })
	if len(res.seqs) != 1 || len(res.errs) != 1 || !errors.Is(res.errs[0], context.Canceled) {
		t.Fatalf("watch cancelled after its first entry = %v, %v; want [1] and one context.Canceled", res.seqs, res.errs)
	}
	res = collectWatch(t, ctx, s, 0, sqldict.Range{}, nil)
	if len(res.seqs) != 0 || len(res.errs) != 1 || !errors.Is(res.errs[0], context.Canceled) {
		t.Fatalf("watch on an ended context = %v, %v; want one context.Canceled", res.seqs, res.errs)
	}
	dctx, dcancel := context.WithTimeout(bg, 200*time.Millisecond)
	defer dcancel()
	res = collectWatch(t, dctx, s, 1, sqldict.Range{}, nil)
	if len(res.seqs) != 0 || len(res.errs) != 1 || !errors.Is(res.errs[0], context.DeadlineExceeded) {
		t.Fatalf("watch past its deadline = %v, %v; want one context.DeadlineExceeded", res.seqs, res.errs)
	}

	Must(t, s.Set(bg, "y", []byte("2")))
	Must(t, s.Set(bg, "z", []byte("3")))
	res = collectWatch(t, bg, s, 0, sqldict.Range{Limit: 2}, nil)
	if len(res.errs) != 0 || len(res.seqs) != 2 || res.seqs[0] != 1 || res.seqs[1] != 2 {
		t.Fatalf("watch with Limit 2 = %v, %v; want [1 2] and no error", res.seqs, res.errs)
	}
	res = collectWatch(t, bg, s, 0, sqldict.Range{From: "y", Limit: 1}, nil)
	if len(res.errs) != 0 || len(res.seqs) != 1 || res.seqs[0] != 2 {
		t.Fatalf("watch from y with Limit 1 = %v, %v; want [2] and no error", res.seqs, res.errs)
	}
}
