package integration_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sqldict/sqldict/sqldict"
)

// commitRecord is what one writer saw of one successful commit.
type commitRecord struct {
	Writer  int      `json:"w"`
	First   int64    `json:"first"` // sequence of its first row
	Last    int64    `json:"last"`  // sequence of its last row
	Keys    []string `json:"keys"`
	Vers    []int64  `json:"vers"`
	StartNs int64    `json:"start"` // wall clock before the call
	EndNs   int64    `json:"end"`   // wall clock after it returned
}

// workResult is what one writer did.
type workResult struct {
	Commits   []commitRecord `json:"commits"`
	CASWins   int            `json:"cas_wins"`
	Conflicts int            `json:"conflicts"`
}

const (
	sharedKeys = 12     // keys every writer writes: versions race
	counterKey = "ctr"  // incremented with expected versions only
	keyPrefix  = "key/" // prefix of the shared keys
)

// runWriter commits n times on d: three in four commits set one to three of
// the shared keys, the fourth increments the counter with an expected
// version, retrying on ErrConflict until it wins.
func runWriter(ctx context.Context, d *sqldict.Dict, id, n int) (workResult, error) {
	var res workResult
	rng := rand.New(rand.NewPCG(uint64(id), 42))
	for i := range n {
		start := time.Now().UnixNano()
		var entries []sqldict.Entry
		var err error
		if i%4 == 3 {
			entries, err = casIncrement(ctx, d, &res)
		} else {
			writes := make([]sqldict.Write, 1+rng.IntN(3))
			for j := range writes {
				writes[j] = sqldict.Write{
					Key:    fmt.Sprintf("%s%02d", keyPrefix, rng.IntN(sharedKeys)),
					Value:  fmt.Appendf(nil, "w%d-c%d-%d", id, i, j),
					Author: "writer-" + strconv.Itoa(id),
				}
			}
			entries, err = d.Commit(ctx, writes...)
		}
		if err != nil {
			return res, fmt.Errorf("writer %d commit %d: %w", id, i, err)
		}
		rec := commitRecord{Writer: id, First: entries[0].Sequence, Last: entries[len(entries)-1].Sequence,
			StartNs: start, EndNs: time.Now().UnixNano()}
		for _, e := range entries {
			rec.Keys = append(rec.Keys, e.Key)
			rec.Vers = append(rec.Vers, e.Version)
		}
		res.Commits = append(res.Commits, rec)
	}
	return res, nil
}

// casIncrement adds one to the counter, expecting the version it read.
func casIncrement(ctx context.Context, d *sqldict.Dict, res *workResult) ([]sqldict.Entry, error) {
	for {
		var cur, ver int64
		e, err := d.Entry(ctx, counterKey)
		switch {
		case errors.Is(err, sqldict.ErrNotFound):
		case err != nil:
			return nil, err
		default:
			ver = e.Version
			if cur, err = strconv.ParseInt(string(e.Value), 10, 64); err != nil {
				return nil, err
			}
		}
		entries, err := d.Commit(ctx, sqldict.Write{Key: counterKey, Value: []byte(strconv.FormatInt(cur+1, 10)), IfVersion: sqldict.Expect(ver)})
		if errors.Is(err, sqldict.ErrConflict) {
			res.Conflicts++
			continue
		}
		if err == nil {
			res.CASWins++
		}
		return entries, err
	}
}

// checkCommits checks what the writers saw against each other and the
// journal: every sequence from 1 to the head belongs to exactly one commit,
// a commit's rows are consecutive, a commit that returned before another
// began has the lower sequences, and the journal holds what each writer was
// told.
func checkCommits(t *testing.T, d *sqldict.Dict, results []workResult) {
	t.Helper()
	ctx := context.Background()
	var all []commitRecord
	wins := 0
	for _, r := range results {
		all = append(all, r.Commits...)
		wins += r.CASWins
	}
	slices.SortFunc(all, func(a, b commitRecord) int { return int(a.First - b.First) })
	next := int64(1)
	for _, c := range all {
		if c.First != next || c.Last != c.First+int64(len(c.Keys))-1 {
			t.Fatalf("commit of writer %d holds sequences %d..%d (%d rows), want it to start at %d: gap or overlap", c.Writer, c.First, c.Last, len(c.Keys), next)
		}
		next = c.Last + 1
	}
	st, err := d.Stat(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Sequence != next-1 {
		t.Fatalf("head sequence %d, want %d", st.Sequence, next-1)
	}
	// Real-time order: walking from the highest sequence down, no commit
	// may start after a commit with a higher sequence had already returned.
	minEnd := int64(math.MaxInt64)
	for i := len(all) - 1; i >= 0; i-- {
		if all[i].StartNs > minEnd {
			t.Fatalf("commit at sequence %d began after a commit with a higher sequence returned", all[i].First)
		}
		minEnd = min(minEnd, all[i].EndNs)
	}
	rows := map[int64]sqldict.Entry{}
	for e, err := range d.Log(ctx, 0, math.MaxInt64) {
		if err != nil {
			t.Fatal(err)
		}
		rows[e.Sequence] = e
	}
	for _, c := range all {
		for i, k := range c.Keys {
			e := rows[c.First+int64(i)]
			if e.Key != k || e.Version != c.Vers[i] {
				t.Fatalf("sequence %d holds %q v%d, writer %d was told %q v%d", c.First+int64(i), e.Key, e.Version, c.Writer, k, c.Vers[i])
			}
		}
	}
	if wins > 0 {
		e, err := d.Entry(ctx, counterKey)
		if err != nil {
			t.Fatal(err)
		}
		if string(e.Value) != strconv.Itoa(wins) || e.Version != int64(wins) {
			t.Fatalf("counter is %s at version %d after %d successful increments: an expected-version write was lost", e.Value, e.Version, wins)
		}
	}
}

// tailer follows the journal with Log while writers run and fails on any
// row it did not see in order.
type tailer struct {
	d      *sqldict.Dict
	cursor atomic.Int64
	err    error
	done   chan struct{}
}

func startTailer(ctx context.Context, d *sqldict.Dict) (*tailer, func()) {
	tl := &tailer{d: d, done: make(chan struct{})}
	ctx, cancel := context.WithCancel(ctx)
	go func() {
		defer close(tl.done)
		for ctx.Err() == nil {
			for e, err := range d.Log(ctx, tl.cursor.Load(), math.MaxInt64) {
				if err != nil {
					if ctx.Err() == nil {
						tl.err = err
					}
					return
				}
				if want := tl.cursor.Load() + 1; e.Sequence != want {
					tl.err = fmt.Errorf("tail read sequence %d after %d: skipped a row", e.Sequence, want-1)
					return
				}
				tl.cursor.Store(e.Sequence)
			}
			time.Sleep(time.Millisecond)
		}
	}()
	return tl, cancel
}

// finish stops the tailer after it caught up with head.
func (tl *tailer) finish(t *testing.T, stop func(), head int64) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for tl.cursor.Load() < head && time.Now().Before(deadline) {
		select {
		case <-tl.done:
			deadline = time.Now()
		case <-time.After(5 * time.Millisecond):
		}
	}
	stop()
	<-tl.done
	if tl.err != nil {
		t.Fatal(tl.err)
	}
	if got := tl.cursor.Load(); got != head {
		t.Fatalf("tail reached sequence %d, head is %d", got, head)
	}
}

// snapshotState is everything a snapshot answers.
type snapshotState struct {
	Keys    []string
	Len     int
	Entries []sqldict.Entry
	Values  map[string]string
}

func readSnapshot(ctx context.Context, s *sqldict.Snapshot) (snapshotState, error) {
	var st snapshotState
	var err error
	if st.Keys, err = s.Keys(ctx); err != nil {
		return st, err
	}
	if st.Len, err = s.Len(ctx); err != nil {
		return st, err
	}
	for e, err := range s.All(ctx) {
		if err != nil {
			return st, err
		}
		st.Entries = append(st.Entries, e)
	}
	st.Values = map[string]string{}
	for i := range sharedKeys + 1 {
		k := counterKey
		if i < sharedKeys {
			k = fmt.Sprintf("%s%02d", keyPrefix, i)
		}
		v, err := s.Get(ctx, k)
		if errors.Is(err, sqldict.ErrNotFound) {
			continue
		}
		if err != nil {
			return st, err
		}
		st.Values[k] = string(v)
	}
	return st, nil
}

// watchSnapshot pins a snapshot once the journal reaches minSeq and reads
// it again and again until stop closes; every read must equal the first.
func watchSnapshot(ctx context.Context, d *sqldict.Dict, minSeq int64, stop <-chan struct{}) (reads int, err error) {
	var s *sqldict.Snapshot
	for s == nil {
		st, err := d.Stat(ctx)
		if err != nil {
			return 0, err
		}
		if st.Sequence >= minSeq {
			if s, err = d.Snapshot(ctx, st.Sequence); err != nil {
				return 0, err
			}
			break
		}
		select {
		case <-stop:
			return 0, fmt.Errorf("journal never reached sequence %d", minSeq)
		case <-time.After(time.Millisecond):
		}
	}
	first, err := readSnapshot(ctx, s)
	if err != nil {
		return 0, err
	}
	if first.Len != len(first.Keys) || len(first.Entries) != len(first.Keys) {
		return 0, fmt.Errorf("snapshot at %d: Len %d, %d keys, %d entries", s.Sequence(), first.Len, len(first.Keys), len(first.Entries))
	}
	for reads = 1; ; reads++ {
		select {
		case <-stop:
			return reads, nil
		default:
		}
		again, err := readSnapshot(ctx, s)
		if err != nil {
			return reads, err
		}
		if !reflect.DeepEqual(first, again) {
			return reads, fmt.Errorf("snapshot at %d changed on read %d:\nfirst %+v\nthen  %+v", s.Sequence(), reads, first, again)
		}
	}
}

// runGoroutines runs writers goroutines of n commits each on d, with a
// tailer and a snapshot reader alongside, and checks everything after.
func runGoroutines(t *testing.T, d *sqldict.Dict, writers, n int) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	tl, stopTail := startTailer(ctx, d)
	stopSnap := make(chan struct{})
	var snapReads int
	var snapErr error
	snapDone := make(chan struct{})
	go func() {
		defer close(snapDone)
		snapReads, snapErr = watchSnapshot(ctx, d, int64(writers*n/4), stopSnap)
	}()

	results := make([]workResult, writers)
	errs := make([]error, writers)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() { results[w], errs[w] = runWriter(ctx, d, w, n) })
	}
	wg.Wait()
	close(stopSnap)
	<-snapDone
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	if snapErr != nil {
		t.Fatal(snapErr)
	}
	if snapReads < 2 {
		t.Fatalf("snapshot read %d times while writers ran, want several", snapReads)
	}
	st, err := d.Stat(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tl.finish(t, stopTail, st.Sequence)
	checkCommits(t, d, results)
	t.Logf("%d commits, %d rows, snapshot read %d times identically", writers*n, st.Sequence, snapReads)
}
