package sqldict

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"time"
)

// DefaultPruneLimit is PruneRule.Limit when it is zero: on SQLite a batch of
// that many rows holds the write lock for a few tens of milliseconds.
const DefaultPruneLimit = 5000

// MaxPruneKeys bounds the keys one batch examines, so that a batch finding
// little to remove still ends quickly.
const MaxPruneKeys = 1024

// PruneRule selects the rows one PruneBatch removes, in sequence terms.
// Package prune turns retention policies into rules; the zero value
// removes nothing.
//
// Every rule removes a prefix of each key's history (all of the key's rows
// below some version, never a row while keeping an older one), which is what
// lets the horizon rule below stay exact.
type PruneRule struct {
	// Through removes the rows superseded at or before Through: a row whose
	// key has a newer row with sequence_number <= Through. A snapshot at
	// Through or later never needs such a row. A Through past the newest
	// commit means the newest commit. 0: remove no superseded rows.
	Through int64

	// KeepVersions spares, among the rows Through selects, each key's
	// newest KeepVersions rows (tombstones count as versions). 0: spare
	// none beyond what Through keeps.
	KeepVersions int

	// DropThrough removes every row of a key whose newest row is a
	// tombstone with sequence_number <= DropThrough: the key disappears
	// from the journal as if never written, except that its head row stays
	// as the key's high-water mark, so a later write continues from the
	// version the tombstone had and a stale expectation can never match
	// again. KeepVersions does not apply to such keys. 0: drop no key.
	DropThrough int64

	// After resumes a pass over the keys: only keys bytewise greater than
	// After are examined. "" starts at the first key. Pass the previous
	// batch's PruneResult.Next.
	After string

	// Limit bounds the rows one batch removes, and so how long it holds
	// the journal's write lock; a batch also examines at most
	// min(Limit, MaxPruneKeys) keys. Zero: DefaultPruneLimit.
	Limit int
}

// PruneResult is what one PruneBatch did.
type PruneResult struct {
	Removed int64 // rows removed
	Keys    int   // keys that lost rows
	Horizon int64 // the prune horizon after the batch
	// Next is the After of the following batch of the same pass.
	Next string
	// Done reports that the batch examined the last key and removed
	// everything the rule selects among the keys it examined: the pass is
	// complete.
	Done bool
}

// PruneBatch removes, in one write transaction, at most rule.Limit rows
// that rule selects among the keys after rule.After, and moves the prune
// horizon in the same transaction, by the horizon rule:
//
// A snapshot at sequence S stays readable exactly when no removed row was
// the visible version of a key at S. A row r of key k at sequence s with
// next row of k at n is visible at S in [s, n), so the horizon becomes the
// maximum of the old horizon and every removed live row's n. Because every
// rule removes a prefix of a key's history, a removed tombstone at s leaves
// the key absent at every S >= s exactly as the tombstone did (the key's
// older rows are gone too), so it contributes only s: this covers the
// final tombstone of a dropped key, whose n is infinite. Since the
// journal keeps a single horizon, every point below it is refused with
// ErrPruned, and the horizon is the smallest single one that keeps every
// answer exact.
//
// A batch that finds nothing to remove succeeds and changes nothing:
// "already pruned" is not an error, so several processes may compact one
// journal at once. Their batches serialise on the journal's write lock, and
// each one decides what to remove from what the journal holds inside its
// own transaction. PruneBatch fails with ErrReadOnly on a read-only Dict and
// ErrClosed after Close; on error nothing of the batch is removed.
func (d *Dict) PruneBatch(ctx context.Context, rule PruneRule) (PruneResult, error) {
	if err := d.begin(ctx); err != nil {
		return PruneResult{}, err
	}
	if rule.Through < 0 || rule.DropThrough < 0 || rule.KeepVersions < 0 || rule.Limit < 0 {
		return PruneResult{}, fmt.Errorf("%w: negative field in %+v", ErrInvalidArgument, rule)
	}
	if rule.After != "" {
		if err := checkText("after", rule.After); err != nil {
			return PruneResult{}, err
		}
	}
	if rule.Limit == 0 {
		rule.Limit = DefaultPruneLimit
	}
	if rule.Through == 0 && rule.DropThrough == 0 {
		st, err := d.Stat(ctx)
		return PruneResult{Horizon: st.Horizon, Next: rule.After, Done: true}, err
	}
	// A batch rewrites many pages; SQLite's automatic checkpoint would copy
	// them into the database file inside the batch's COMMIT, while writers
	// of this process still wait for it. Checkpoint after the lock instead.
	pause := d.q.PauseCheckpoints != "" && d.q.BeginWrite != "" && d.q.SerialWrites
	var res PruneResult
	err := d.update(ctx, func(w *wtx) error {
		if pause {
			if _, err := w.exec(d.q.PauseCheckpoints); err != nil {
				return fmt.Errorf("pause checkpoints: %w", err)
			}
		}
		var err error
		res, err = d.pruneBatch(w, rule)
		return err
	})
	if pause {
		d.resumeCheckpoints(ctx, err == nil && res.Removed > 0)
	}
	if err != nil {
		return PruneResult{}, err
	}
	return res, nil
}

// resumeCheckpoints checkpoints what a batch wrote, without blocking
// writers, then restores automatic checkpoints on the writer connection.
func (d *Dict) resumeCheckpoints(ctx context.Context, wrote bool) {
	ctx = context.WithoutCancel(ctx)
	if wrote && d.q.CheckpointStep != "" {
		if err := drain(d.db.QueryContext(ctx, d.q.CheckpointStep)); err != nil {
			d.opts.Logger.DebugContext(ctx, "sqldict: checkpoint after prune batch", "table", d.opts.Table, "err", err)
		}
	}
	d.wmu <- struct{}{}
	defer func() { <-d.wmu }()
	if d.wconn == nil || d.closed.Load() {
		return // a new writer connection starts with the default
	}
	if _, err := d.wconn.ExecContext(ctx, d.q.ResumeCheckpoints); err != nil {
		d.opts.Logger.DebugContext(ctx, "sqldict: resume checkpoints", "table", d.opts.Table, "err", err)
		d.dropConn() // never leave a writer connection without checkpoints
	}
}

// keyPlan is what PrunePlan says of one key.
type keyPlan struct {
	label       string
	lo          sql.NullInt64 // NULL: the key has no rows, only its head row
	hi          int64
	vt          sql.NullInt64
	lastSeq     int64
	lastDeleted bool
}

// cut returns the lowest version of the key the rule keeps.
func (p keyPlan) cut(through, dropThrough int64, keep int) int64 {
	if p.lastDeleted && p.lastSeq <= dropThrough {
		return p.hi + 1
	}
	if through == 0 || !p.vt.Valid {
		return p.lo.Int64
	}
	cut := p.vt.Int64
	if keep > 0 {
		cut = min(cut, p.hi-int64(keep)+1)
	}
	return cut
}

// planChunk is how many keys the first plan query of a batch examines;
// each further query doubles it. A batch that fills its row limit within the
// first keys does not pay for examining Limit of them.
const planChunk = 32

func (d *Dict) pruneBatch(w *wtx, rule PruneRule) (PruneResult, error) {
	through, drop := min(rule.Through, w.lastSeq), min(rule.DropThrough, w.lastSeq)
	res := PruneResult{Next: rule.After}
	horizon, horizonCreated := w.horizon, w.horizonCreated
	examined, chunk := 0, planChunk
	keys := min(rule.Limit, MaxPruneKeys)
	for examined < keys && res.Removed < int64(rule.Limit) {
		n := min(chunk, keys-examined)
		chunk *= 2
		plans, err := d.prunePlan(w, res.Next, through, n)
		if err != nil {
			return res, err
		}
		examined += len(plans)
		for _, p := range plans {
			if !p.lo.Valid {
				// A dropped key's high-water mark: no rows left.
				res.Next = p.label
				continue
			}
			cut := p.cut(through, drop, rule.KeepVersions)
			if cut <= p.lo.Int64 {
				res.Next = p.label
				continue
			}
			capped := false
			if left := int64(rule.Limit) - res.Removed; cut-p.lo.Int64 > left {
				cut, capped = p.lo.Int64+left, true
			}
			h, err := d.pruneHorizon(w, p, cut)
			if err != nil {
				return res, err
			}
			if h > horizon {
				// h's row may be one PruneRows removes: read its time first.
				c, err := w.createdAt(h)
				if err != nil {
					return res, err
				}
				horizon, horizonCreated = h, c
			}
			r, err := w.exec(d.q.PruneRows, p.label, cut)
			if err != nil {
				return res, fmt.Errorf("prune %q below version %d: %w", p.label, cut, err)
			}
			removed, err := r.RowsAffected()
			if err != nil {
				return res, fmt.Errorf("prune %q: %w", p.label, err)
			}
			res.Removed += removed
			res.Keys++
			if capped {
				// The key has more to remove: the next batch examines it
				// again.
				return res.commit(w, horizon, horizonCreated), nil
			}
			res.Next = p.label
			if res.Removed >= int64(rule.Limit) {
				return res.commit(w, horizon, horizonCreated), nil
			}
		}
		if len(plans) < n {
			res.Done = true // the scan passed the last key
			break
		}
	}
	return res.commit(w, horizon, horizonCreated), nil
}

// commit records in w what the batch did.
func (res PruneResult) commit(w *wtx, horizon int64, created time.Time) PruneResult {
	if res.Removed > 0 {
		w.changed = true
		w.raiseHorizon(horizon, created)
	}
	res.Horizon = w.horizon
	return res
}

func (d *Dict) prunePlan(w *wtx, after string, through int64, limit int) ([]keyPlan, error) {
	s, err := w.stmt(d.q.PrunePlan)
	if err != nil {
		return nil, fmt.Errorf("plan prune: %w", err)
	}
	rows, err := s.QueryContext(w.ctx, after, through, limit)
	if err != nil {
		return nil, fmt.Errorf("plan prune: %w", err)
	}
	defer rows.Close()
	plans := make([]keyPlan, 0, min(limit, 256))
	for rows.Next() {
		var p keyPlan
		if err := rows.Scan(&p.label, &p.lo, &p.hi, &p.vt, &p.lastSeq, &p.lastDeleted); err != nil {
			return nil, fmt.Errorf("plan prune: %w", err)
		}
		plans = append(plans, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("plan prune: %w", err)
	}
	return plans, nil
}

// pruneHorizon returns the horizon that removing the key's rows below
// version cut requires: the sequence of the first kept row when the newest
// removed row is live, or the removed tombstone's own sequence.
func (d *Dict) pruneHorizon(w *wtx, p keyPlan, cut int64) (int64, error) {
	if cut > p.hi {
		// The whole key goes; only a final tombstone may (see cut).
		return p.lastSeq, nil
	}
	s, err := w.stmt(d.q.PruneEdge)
	if err != nil {
		return 0, err
	}
	rows, err := s.QueryContext(w.ctx, p.label, cut-1, cut)
	if err != nil {
		return 0, fmt.Errorf("read edge of %q at version %d: %w", p.label, cut, err)
	}
	defer rows.Close()
	var lastRemoved, firstKept struct {
		seq     int64
		deleted bool
		ok      bool
	}
	for rows.Next() {
		var v, seq int64
		var deleted bool
		if err := rows.Scan(&v, &seq, &deleted); err != nil {
			return 0, err
		}
		switch v {
		case cut - 1:
			lastRemoved.seq, lastRemoved.deleted, lastRemoved.ok = seq, deleted, true
		case cut:
			firstKept.seq, firstKept.ok = seq, true
		}
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	switch {
	case lastRemoved.ok && lastRemoved.deleted:
		return lastRemoved.seq, nil
	case firstKept.ok:
		return firstKept.seq, nil
	}
	// Versions are not consecutive: the journal is not one this package
	// wrote. Refuse every point rather than guess.
	return w.lastSeq, nil
}

// Reclaim gives the space compaction freed back to the file system where the
// engine needs to be asked: on SQLite it checkpoints and truncates the
// write-ahead log, then, when the database was created with
// auto_vacuum=INCREMENTAL, returns its free pages a bounded number at a
// time, each step in its own short write transaction. With full set it
// rebuilds the whole file with VACUUM instead, which blocks writers while it
// runs and needs free disk space of the database's size. On engines that
// reclaim space themselves (MySQL, PostgreSQL) it does nothing. A checkpoint
// that readers keep from completing is not an error.
func (d *Dict) Reclaim(ctx context.Context, full bool) error {
	if err := d.begin(ctx); err != nil {
		return err
	}
	if d.opts.ReadOnly {
		return ErrReadOnly
	}
	if full && d.q.Vacuum != "" {
		if _, err := d.db.ExecContext(ctx, d.q.Vacuum); err != nil {
			return fmt.Errorf("vacuum: %w", d.fail(err))
		}
	} else if d.q.FreePages != "" && d.q.Shrink != "" {
		prev := int64(math.MaxInt64)
		for {
			var free int64
			if err := d.db.QueryRowContext(ctx, d.q.FreePages).Scan(&free); err != nil {
				return fmt.Errorf("count free pages: %w", d.fail(err))
			}
			if free == 0 || free >= prev {
				break
			}
			prev = free
			err := d.update(ctx, func(w *wtx) error {
				w.changed = true
				return drain(w.stmtQuery(d.q.Shrink))
			})
			if err != nil {
				return fmt.Errorf("shrink: %w", err)
			}
		}
	}
	if d.q.Checkpoint != "" {
		if err := drain(d.db.QueryContext(ctx, d.q.Checkpoint)); err != nil {
			return fmt.Errorf("checkpoint: %w", d.fail(err))
		}
	}
	return nil
}

func (w *wtx) stmtQuery(q string) (*sql.Rows, error) {
	s, err := w.stmt(q)
	if err != nil {
		return nil, err
	}
	return s.QueryContext(w.ctx)
}

// drain steps a statement to its end: some SQLite pragmas do their work one
// result row at a time.
func drain(rows *sql.Rows, err error) error {
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
	}
	return rows.Err()
}
