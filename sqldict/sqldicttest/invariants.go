package sqldicttest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/sqldict/sqldict/sqldict"
)

// checkTimeout bounds each check of a journal: a check on a server that
// stopped answering fails with the deadline instead of hanging the test
// binary until go test's -timeout.
const checkTimeout = 5 * time.Minute

// CheckInvariants reads the whole journal of d and fails t when it breaks a
// guarantee of docs/guarantees.md: sequence numbers strictly increasing and, below no
// prune horizon, exactly 1..N; created never decreasing along the sequence;
// each key's versions consecutive (1..n when nothing was pruned); tombstones
// without an item; the meta row agreeing with the newest row, and its count
// of live keys with the keys whose newest row is live.
func CheckInvariants(t testing.TB, d *sqldict.Dict) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), checkTimeout)
	defer cancel()
	st, err := d.Stat(ctx)
	if err != nil {
		t.Errorf("invariants: stat: %v", err)
		return
	}
	var prev sqldict.Entry
	versions := map[string]int64{}
	live := map[string]bool{}
	rows := int64(0)
	for e, err := range d.Log(ctx, 0, math.MaxInt64) {
		if err != nil {
			t.Errorf("invariants: read journal: %v", err)
			return
		}
		rows++
		if st.Horizon == 0 && e.Sequence != rows {
			t.Errorf("invariants: row %d has sequence %d: journal has a gap", rows, e.Sequence)
			return
		}
		if e.Sequence <= prev.Sequence {
			t.Errorf("invariants: sequence %d follows %d", e.Sequence, prev.Sequence)
		}
		if e.Created.Before(prev.Created) {
			t.Errorf("invariants: created of sequence %d (%s) is before that of %d (%s)", e.Sequence, e.Created, prev.Sequence, prev.Created)
		}
		if e.Deleted && e.Value != nil {
			t.Errorf("invariants: tombstone at sequence %d carries an item", e.Sequence)
		}
		if !e.Deleted && e.Value == nil {
			t.Errorf("invariants: live row at sequence %d has no item", e.Sequence)
		}
		if v, seen := versions[e.Key]; seen && e.Version != v+1 {
			t.Errorf("invariants: %q version %d at sequence %d follows version %d", e.Key, e.Version, e.Sequence, v)
		}
		if _, seen := versions[e.Key]; !seen && st.Horizon == 0 && e.Version != 1 {
			t.Errorf("invariants: %q starts at version %d with nothing pruned", e.Key, e.Version)
		}
		versions[e.Key] = e.Version
		live[e.Key] = !e.Deleted
		prev = e
	}
	if prev.Sequence > st.Sequence {
		t.Errorf("invariants: newest row %d is past the meta row's %d", prev.Sequence, st.Sequence)
	}
	if st.Horizon == 0 && rows != st.Sequence {
		t.Errorf("invariants: %d rows but the meta row says %d", rows, st.Sequence)
	}
	if prev.Sequence == st.Sequence && prev.Sequence > 0 && !prev.Created.Equal(st.Created) {
		t.Errorf("invariants: meta row's created %s differs from newest row's %s", st.Created, prev.Created)
	}
	n := int64(0)
	for _, l := range live {
		if l {
			n++
		}
	}
	if st.Live != n {
		t.Errorf("invariants: the meta row counts %d live keys, the journal has %d", st.Live, n)
	}
	if keys, err := d.Keys(ctx); err != nil || int64(len(keys)) != n {
		t.Errorf("invariants: Keys lists %d keys (%v), the journal has %d live", len(keys), err, n)
	}
	if st.Horizon > st.Sequence {
		t.Errorf("invariants: horizon %d is past the newest commit %d", st.Horizon, st.Sequence)
	}
	checkHorizonCreated(t, d)
}

// checkHorizonCreated fails t when the meta row's horizon_created differs
// from the created of the row at the horizon, when that row is there (when it
// is not, nothing in the journal tells the right value).
func checkHorizonCreated(t testing.TB, d *sqldict.Dict) {
	t.Helper()
	q := d.Dialect().Queries(d.Table())
	var horizon int64
	var meta, row any
	if err := d.DB().QueryRowContext(bg, q.HorizonCreated).Scan(&horizon, &meta); err != nil {
		t.Errorf("invariants: read horizon_created: %v", err)
		return
	}
	err := d.DB().QueryRowContext(bg, q.CreatedAt, horizon).Scan(&row)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		t.Errorf("invariants: read created at horizon %d: %v", horizon, err)
	case timeText(meta) != timeText(row):
		t.Errorf("invariants: horizon_created %q differs from the created %q of the row at horizon %d", timeText(meta), timeText(row), horizon)
	}
}

// timeText renders a time column as scanned into any, so that the two
// columns compare whatever form the driver returns.
func timeText(v any) string {
	switch v := v.(type) {
	case nil:
		return "NULL"
	case time.Time:
		return v.UTC().Format(time.RFC3339Nano)
	case []byte:
		return string(v)
	}
	return fmt.Sprint(v)
}
