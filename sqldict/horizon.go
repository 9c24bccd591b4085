package sqldict

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// The meta row keeps the commit time of the prune horizon (horizon_created,
// schema version 3) beside the horizon. SequenceAt needs it when the row at
// the horizon is gone, a tombstone removed with the rows it deleted: the
// journal then no longer tells a time exactly at the horizon from one behind
// it. Every path that moves the horizon goes through raiseHorizon with the
// row's created, read before the row is removed; the zero time means unknown,
// and such times stay refused with ErrPruned.

// raiseHorizon moves the horizon up to seq, whose row was committed at
// created (zero when unknown); a lower or equal seq changes nothing.
func (w *wtx) raiseHorizon(seq int64, created time.Time) {
	if seq > w.horizon {
		w.horizon, w.horizonCreated = seq, created
	}
}

// createdAt reads the created of the row at seq, the zero time when there is
// none. Call it before removing the row.
func (w *wtx) createdAt(seq int64) (time.Time, error) {
	var c dbTime
	err := w.queryRow(w.d.q.CreatedAt, seq).Scan(&c)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, fmt.Errorf("read created of sequence %d: %w", seq, err)
	}
	return c.t, nil
}

// saveHorizon writes horizon_created after the transaction moved the horizon.
func (w *wtx) saveHorizon() error {
	var created any // NULL: unknown
	if !w.horizonCreated.IsZero() {
		created = w.d.dialect.EncodeTime(w.horizonCreated)
	}
	if _, err := w.exec(w.d.q.SetHorizonCreated, created); err != nil {
		return fmt.Errorf("write horizon time: %w", err)
	}
	return nil
}

// horizonAt answers SequenceAt for a t whose newest remaining row lies behind
// the horizon: the horizon itself when its commit time is known and at or
// before t (every row above the horizon is there, so no later commit has a
// created <= t), else ErrPruned.
func (d *Dict) horizonAt(ctx context.Context, t time.Time) (int64, error) {
	s, err := d.stmt(ctx, d.q.HorizonCreated)
	if err != nil {
		return 0, err
	}
	var horizon int64
	var created dbTime
	if err := s.QueryRowContext(ctx).Scan(&horizon, &created); err != nil {
		return 0, d.fail(err)
	}
	if created.t.IsZero() || t.Before(created.t) {
		return 0, fmt.Errorf("%w: %s is before the prune horizon (sequence %d)", ErrPruned, t.Format(time.RFC3339Nano), horizon)
	}
	return horizon, nil
}
