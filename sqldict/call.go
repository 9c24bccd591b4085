package sqldict

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"sync"
	"time"

	"github.com/sqldict/sqldict/dialects"
)

// One-call commits. Where the dialect has Queries.Commit (a function on
// PostgreSQL, a procedure on MySQL, installed by the migrations), and the
// batch is within Queries.CommitRows, a group's batch is planned before any
// round trip, from what this Dict believes the head of its keys to be (the
// head cache: what its last commits and calls saw; a key it never saw is
// believed never written), and sent in one call that checks that belief
// under the journal's lock and writes only when it holds. The lock is held
// for the server's own work, not for round trips, and a commit costs one
// round trip when the belief is right. When it is wrong the call answers
// the head as it is, and the batch is planned again from that: every
// member's checks, conflicts and not-found included, are decided on a head
// the server confirmed under the lock, never on the cache alone. After
// callAttempts wrong beliefs (keys contended by other processes) the batch
// goes the locked way (applyBatch), which cannot miss.

const (
	// callAttempts is how many calls one batch makes before it takes the
	// locked path.
	callAttempts = 3
	// headCacheKeys bounds the head cache; past it an arbitrary key is
	// forgotten for each new one (a forgotten key costs one more call).
	headCacheKeys = 1 << 14
)

// headCache is a Dict's belief about the head of the keys it wrote.
type headCache struct {
	mu sync.Mutex
	m  map[string]keyState
}

// get returns the believed state of each key: never written when unknown.
func (c *headCache) get(keys []string) map[string]keyState {
	c.mu.Lock()
	defer c.mu.Unlock()
	states := make(map[string]keyState, len(keys))
	for _, k := range keys {
		st, ok := c.m[k]
		if !ok {
			st = keyState{deleted: true}
		}
		states[k] = st
	}
	return states
}

// put records states the server confirmed or a commit left.
func (c *headCache) put(states map[string]keyState) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = make(map[string]keyState, len(states))
	}
	for k, st := range states {
		if _, ok := c.m[k]; !ok && len(c.m) >= headCacheKeys {
			for old := range c.m {
				delete(c.m, old)
				break
			}
		}
		c.m[k] = st
	}
}

// callable reports whether the members may commit by Queries.Commit: the
// dialect has it, no horizon moves (PruneOnWrite), and the batch fits one
// statement (from the sizes each request keeps) and Queries.CommitRows.
func (d *Dict) callable(members []*request) bool {
	if d.q.Commit == "" || d.opts.PruneOnWrite {
		return false
	}
	rows, bytes := 0, 0
	for _, m := range members {
		rows, bytes = rows+len(m.writes), bytes+m.bytes
	}
	return fitsStatement(rows, bytes) && (d.q.CommitRows == 0 || rows <= d.q.CommitRows)
}

// callBatch commits the members by Queries.Commit, setting each one's
// entries or error as applyBatch does. done is false when it leaves the
// whole batch to the locked path, having written nothing: the head of its
// keys kept changing under it, the server asked for a retry, or a lost
// answer turned out not to have committed.
func (d *Dict) callBatch(ctx context.Context, members []*request) (done bool, err error) {
	var keys []string
	seen := map[string]bool{}
	for _, m := range members {
		for _, wr := range m.writes {
			if !seen[wr.Key] {
				seen[wr.Key] = true
				keys = append(keys, wr.Key)
			}
		}
	}
	believed := d.heads.get(keys)
	for range callAttempts {
		if d.closed.Load() {
			return true, ErrClosed
		}
		after := maps.Clone(believed)
		w := &wtx{d: d, ctx: ctx} // numbers rows from 1; the call adds last_seq
		var writes []Write
		var entries []Entry
		for _, m := range members {
			m.entries, m.err = nil, nil
			if err := ctxDone(m.ctx); err != nil {
				m.err = err // not written: leaving it out is all or nothing
				continue
			}
			es, err := d.plan(w, after, m.writes, m.absent)
			if err != nil {
				m.err = err
				continue
			}
			m.entries = es
			writes = append(writes, m.writes...)
			entries = append(entries, es...)
		}
		base, created, actual, err := d.call(ctx, keys, believed, writes, entries, liveDelta(believed, after))
		var ac *ambiguousCommit
		if errors.As(err, &ac) {
			var last Entry
			last, err = d.resolveCommit(ctx, ac)
			base, created = last.Sequence-int64(len(writes)), last.Created
		}
		switch {
		case errors.Is(err, dialects.ErrRetry):
			return false, nil
		case err != nil:
			return true, err
		case actual != nil:
			maps.Copy(believed, actual)
			d.heads.put(actual)
			continue
		}
		for _, m := range members {
			for i := range m.entries {
				m.entries[i].Sequence += base
				m.entries[i].Created = created
			}
		}
		d.heads.put(after)
		if n := int64(len(writes)); n > 0 {
			d.wrote(base + n)
			d.wake(base + n)
		}
		return true, nil
	}
	return false, nil
}

// call runs Queries.Commit once. On success it returns the last_seq the
// rows follow and their commit time; when the head of the keys was not as
// believed, the head as it is (actual), having written nothing. A lost
// answer to a call that wrote rows is an *ambiguousCommit whose entry has
// no sequence: resolveCommit finds it by key and version.
func (d *Dict) call(ctx context.Context, keys []string, believed map[string]keyState, writes []Write, entries []Entry, live int64) (base int64, created time.Time, actual map[string]keyState, err error) {
	kver, kdel := make([]int64, len(keys)), make([]bool, len(keys))
	for i, k := range keys {
		kver[i], kdel[i] = believed[k].version, believed[k].deleted
	}
	rows := insertArrays(writes, entries, nil) // seqs, labels, items, deleted, created, versions, authors, comments
	last := lastOfKey(entries)
	heads, ords := make([]string, 0, len(last)), make([]int64, 0, len(last))
	for i, e := range entries {
		if last[e.Key] == i {
			heads, ords = append(heads, e.Key), append(ords, int64(i+1))
		}
	}
	args := []any{keys, kver, kdel, rows[1], rows[2], rows[3], rows[5], rows[6], rows[7], heads, ords}
	if ab, ok := d.dialect.(dialects.ArrayBinder); ok {
		for i, a := range args {
			if args[i], err = ab.BindArray(a); err != nil {
				return 0, time.Time{}, nil, fmt.Errorf("commit: %w", err)
			}
		}
	}
	args = append(args, live)
	err = d.queryCall(ctx, args, func(r *sql.Rows) error {
		var label sql.NullString
		var version, seq sql.NullInt64
		var deleted sql.NullBool
		var at dbTime
		if err := r.Scan(&label, &version, &deleted, &seq, &at); err != nil {
			return err
		}
		if seq.Valid {
			base, created = seq.Int64, at.t
			return nil
		}
		if actual == nil {
			actual = make(map[string]keyState, len(keys))
		}
		actual[label.String] = keyState{version: version.Int64, deleted: deleted.Bool}
		return nil
	})
	if err == nil {
		return base, created, actual, nil
	}
	err = d.fail(fmt.Errorf("commit: %w", err))
	if len(writes) > 0 && !neverSent(err) && (errors.Is(err, dialects.ErrConnection) || ctx.Err() != nil) {
		e := entries[len(entries)-1]
		e.Sequence, e.Created, e.Value = 0, time.Time{}, writes[len(writes)-1].Value
		return 0, time.Time{}, nil, &ambiguousCommit{last: e, err: err}
	}
	return 0, time.Time{}, nil, err
}

// queryCall runs Queries.Commit with args and hands each result row to scan.
func (d *Dict) queryCall(ctx context.Context, args []any, scan func(*sql.Rows) error) error {
	s, err := d.stmt(ctx, d.q.Commit)
	if err != nil {
		return err
	}
	rows, err := s.QueryContext(ctx, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	// A CALL's answer is followed by the procedure's own final result.
	// Read it here, where the driver still watches ctx: go-sql-driver's
	// Rows.Close stops watching first and then reads it with no deadline,
	// so a server that stopped answering right after the commit (paused,
	// cut off) held the writer forever (sqldicttc TestFaults/mariadb/pause).
	for rows.NextResultSet() {
		for rows.Next() {
		}
	}
	return rows.Err()
}
