package sqldict

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"
)

func openTemp(t *testing.T) *Dict {
	t.Helper()
	d, err := OpenURL(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "g.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func req(ctx context.Context, ws ...Write) *request {
	return &request{ctx: ctx, writes: ws, wake: make(chan struct{}, 1)}
}

// TestGroup_MembersCheckedApart: in one batch, a member whose check fails
// is left out with its own error and the others commit, each checked
// against the head the members before it left.
func TestGroup_MembersCheckedApart(t *testing.T) {
	ctx := context.Background()
	d := openTemp(t)
	if err := d.Set(ctx, "a", []byte("1")); err != nil {
		t.Fatal(err)
	}
	gone, cancel := context.WithCancel(ctx)
	cancel()
	ms := []*request{
		req(ctx, Write{Key: "b", Value: []byte("1")}),
		req(ctx, Write{Key: "c", Value: []byte("1")}, Write{Key: "a", Value: []byte("x"), IfVersion: Expect(5)}),
		req(ctx, Write{Key: "d", Value: []byte("1")}, Write{Key: "zz", Delete: true}),
		req(gone, Write{Key: "e", Value: []byte("1")}),
		req(ctx, Write{Key: "b", Value: []byte("2"), IfVersion: Expect(1)}, Write{Key: "a", Delete: true}),
		// c and d were written by members left out: still absent here.
		req(ctx, Write{Key: "c", Value: []byte("2"), IfVersion: Expect(0)}, Write{Key: "d", Value: []byte("2")}),
	}
	d.commitBatch(ms)
	if ms[0].err != nil || ms[0].entries[0].Sequence != 2 {
		t.Fatalf("clean member: %v %+v", ms[0].err, ms[0].entries)
	}
	var ce *ConflictError
	if !errors.As(ms[1].err, &ce) || ce.Key != "a" || ce.Actual != 1 {
		t.Fatalf("conflicting member: %v, want a conflict on a at version 1", ms[1].err)
	}
	if !errors.Is(ms[2].err, ErrNotFound) {
		t.Fatalf("deleting an absent key: %v, want ErrNotFound", ms[2].err)
	}
	if !errors.Is(ms[3].err, context.Canceled) {
		t.Fatalf("member whose ctx ended before the batch: %v, want context.Canceled", ms[3].err)
	}
	if e := ms[4].entries; ms[4].err != nil || len(e) != 2 || e[0].Sequence != 3 || e[0].Version != 2 || e[1].Sequence != 4 {
		t.Fatalf("member after the clean one: %v %+v", ms[4].err, e)
	}
	if e := ms[5].entries; ms[5].err != nil || len(e) != 2 || e[0].Version != 1 || e[1].Version != 1 || e[1].Sequence != 6 {
		t.Fatalf("member writing keys of members left out: %v %+v, want both at version 1", ms[5].err, e)
	}
	if ok, err := d.Has(ctx, "e"); ok || err != nil {
		t.Fatalf("Has(e) = %v, %v: a member left out wrote", ok, err)
	}
	for _, k := range []string{"c", "d"} {
		if h, err := d.History(ctx, k); err != nil || len(h) != 1 || string(h[0].Value) != "2" {
			t.Fatalf("History(%q) = %+v, %v; want only the later member's write", k, h, err)
		}
	}
	if st, err := d.Stat(ctx); err != nil || st.Sequence != 6 {
		t.Fatalf("Stat = %+v, %v; want sequence 6", st, err)
	}
}

// queued waits until n callers wait in d's group queue.
func queued(t *testing.T, d *Dict, n int) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(time.Millisecond) {
		d.group.mu.Lock()
		got := len(d.group.queue)
		d.group.mu.Unlock()
		if got == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d callers queued, want %d", got, n)
		}
	}
}

// hold makes d's group behave as if a batch were in flight, until the
// returned function ends it and hands the lead on.
func hold(d *Dict) (release func()) {
	d.group.mu.Lock()
	d.group.leading = true
	d.group.mu.Unlock()
	return func() {
		g := &d.group
		g.mu.Lock()
		defer g.mu.Unlock()
		if len(g.queue) > 0 {
			g.queue[0].elected = true
			g.queue[0].signal()
		} else {
			g.leading = false
		}
	}
}

// TestGroup_QueuedCallersCoalesce: callers that queued while a batch was in
// flight commit in one transaction, in queue order; one whose ctx ends
// while queued leaves with the ctx error and writes nothing.
func TestGroup_QueuedCallersCoalesce(t *testing.T) {
	ctx := context.Background()
	d := openTemp(t)
	var batches []int
	testHookApplied = func(ms []*request) { batches = append(batches, len(ms)) }
	t.Cleanup(func() { testHookApplied = nil })

	release := hold(d)
	type result struct {
		es  []Entry
		err error
	}
	results := make([]chan result, 4)
	cctx, cancel := context.WithCancel(ctx)
	for i, k := range []string{"a", "b", "c", "d"} {
		results[i] = make(chan result, 1)
		c := ctx
		if k == "c" {
			c = cctx
		}
		go func() {
			es, err := d.Commit(c, Write{Key: k, Value: []byte(k)})
			results[i] <- result{es, err}
		}()
		queued(t, d, i+1)
	}
	cancel()
	if r := <-results[2]; !errors.Is(r.err, context.Canceled) {
		t.Fatalf("queued caller cancelled: %v, want context.Canceled", r.err)
	}
	queued(t, d, 3)
	release()
	for i, want := range []int64{1, 2, -1, 3} {
		if want < 0 {
			continue
		}
		r := <-results[i]
		if r.err != nil || r.es[0].Sequence != want {
			t.Fatalf("caller %d: %v %+v, want sequence %d", i, r.err, r.es, want)
		}
	}
	if len(batches) != 1 || batches[0] != 3 {
		t.Fatalf("batches %v, want one of 3", batches)
	}
	if ok, _ := d.Has(ctx, "c"); ok {
		t.Fatal("the cancelled caller's write landed")
	}
	// GroupStats counts the batch of three, then a lone caller's two rows.
	want := GroupStats{Batches: 1, Callers: 3, Rows: 3}
	want.Sizes[2] = 1
	if got := d.GroupStats(); got != want {
		t.Fatalf("GroupStats %+v, want %+v", got, want)
	}
	if _, err := d.Commit(ctx, Write{Key: "e", Value: []byte("e")}, Write{Key: "f", Value: []byte("f")}); err != nil {
		t.Fatal(err)
	}
	want.Batches, want.Callers, want.Rows, want.Sizes[0] = 2, 4, 5, 1
	if got := d.GroupStats(); got != want {
		t.Fatalf("GroupStats %+v, want %+v", got, want)
	}
}

// TestGroup_CancelledAfterWriting: a member whose ctx ends after its rows
// are in the batch's transaction gets nil when that transaction commits,
// whichever member it is and whether the others' contexts can end or not
// (the batch runs on a context of its own for the first, on one that never
// ends for the second).
func TestGroup_CancelledAfterWriting(t *testing.T) {
	for _, tc := range []struct {
		name    string
		endless [2]bool // member i's context is context.Background
		cancels [2]bool // member i's context ends once the rows are written
	}{
		{name: "second cancelled, first endless", endless: [2]bool{true, false}, cancels: [2]bool{false, true}},
		{name: "first cancelled, second endless", endless: [2]bool{false, true}, cancels: [2]bool{true, false}},
		{name: "first cancelled, second cancellable", cancels: [2]bool{true, false}},
		{name: "both cancelled", cancels: [2]bool{true, true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			d := openTemp(t)
			var ms []*request
			var cancels []context.CancelFunc
			for i, k := range []string{"a", "b"} {
				c := ctx
				if !tc.endless[i] {
					var cancel context.CancelFunc
					c, cancel = context.WithCancel(ctx)
					defer cancel()
					if tc.cancels[i] {
						cancels = append(cancels, cancel)
					}
				}
				ms = append(ms, req(c, Write{Key: k, Value: []byte("1")}))
			}
			testHookApplied = func([]*request) {
				for _, cancel := range cancels {
					cancel()
				}
			}
			t.Cleanup(func() { testHookApplied = nil })
			d.commitBatch(ms)
			if tc.cancels == [2]bool{true, true} {
				// Every member gave up: the transaction may end either way,
				// but all or nothing.
				_, ea := d.Get(ctx, "a")
				_, eb := d.Get(ctx, "b")
				if (ea == nil) != (eb == nil) || (ms[0].err == nil) != (ea == nil) || (ms[1].err == nil) != (eb == nil) {
					t.Fatalf("members %v, %v; Get a %v, b %v", ms[0].err, ms[1].err, ea, eb)
				}
				return
			}
			for i, m := range ms {
				if m.err != nil {
					t.Fatalf("member %d: %v, want nil", i, m.err)
				}
			}
			for _, k := range []string{"a", "b"} {
				if v, err := d.Get(ctx, k); err != nil || string(v) != "1" {
					t.Fatalf("Get(%s) = %q, %v", k, v, err)
				}
			}
		})
	}
}

// TestGroup_BatchContext: the batch's context ends once every member's
// has, and has no Done channel when a member's never ends.
func TestGroup_BatchContext(t *testing.T) {
	bg := context.Background()
	c1, cancel1 := context.WithCancel(bg)
	defer cancel1()
	c2, cancel2 := context.WithCancel(bg)
	defer cancel2()

	ctx, cancel := batchContext([]*request{req(c1), req(bg)})
	cancel1()
	if ctx.Done() != nil || ctx.Err() != nil {
		t.Fatalf("with an endless member: Done %v, Err %v after the other's cancel; want neither", ctx.Done(), ctx.Err())
	}
	cancel()

	c1, cancel1 = context.WithCancel(bg)
	defer cancel1()
	ctx, cancel = batchContext([]*request{req(c1), req(c2)})
	defer cancel()
	cancel1()
	if ctx.Err() != nil {
		t.Fatalf("ended with one of two members: %v", ctx.Err())
	}
	cancel2()
	select {
	case <-ctx.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("did not end when both members had")
	}
}
