package sqldict

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/sqldict/sqldict/dialects"
)

// wtx is one write transaction: the meta row is locked, and head holds what
// it said.
type wtx struct {
	d    *Dict
	ctx  context.Context
	tx   *sql.Tx   // when the dialect uses BeginTx
	conn *sql.Conn // when it uses BeginWrite on the writer connection

	lastSeq     int64
	lastCreated time.Time
	horizon     int64
	// horizonCreated is the commit time of the row at a horizon this
	// transaction moved (see raiseHorizon); zero when unknown.
	horizonCreated time.Time
	live           int64     // change in live keys, added to the meta row's count
	now            time.Time // commit time of everything this transaction appends
	last           *Entry    // the newest row appended, to resolve an ambiguous COMMIT
	// changed is set by fn when it changed the journal without appending
	// (compaction), so that the transaction commits.
	changed bool
	// advanced is set by fn when it wrote the meta row itself (appendAll),
	// so that runOnce does not run Advance.
	advanced bool
}

// stmt returns q prepared for this transaction.
func (w *wtx) stmt(q string) (*sql.Stmt, error) {
	if w.tx != nil {
		s, err := w.d.stmt(w.ctx, q)
		if err != nil {
			return nil, err
		}
		return w.tx.StmtContext(w.ctx, s), nil
	}
	if s, ok := w.d.wstmts[q]; ok {
		return s, nil
	}
	s, err := w.conn.PrepareContext(w.ctx, q)
	if err != nil {
		return nil, err
	}
	w.d.wstmts[q] = s
	return s, nil
}

func (w *wtx) exec(q string, args ...any) (sql.Result, error) {
	s, err := w.stmt(q)
	if err != nil {
		return nil, err
	}
	return s.ExecContext(w.ctx, args...)
}

func (w *wtx) query(q string, args ...any) (*sql.Rows, error) {
	s, err := w.stmt(q)
	if err != nil {
		return nil, err
	}
	return s.QueryContext(w.ctx, args...)
}

func (w *wtx) queryRow(q string, args ...any) *sql.Row {
	s, err := w.stmt(q)
	if err != nil {
		// Route the error through Row.Scan like database/sql does.
		if w.tx != nil {
			return w.tx.QueryRowContext(w.ctx, q, args...)
		}
		return w.conn.QueryRowContext(w.ctx, q, args...)
	}
	return s.QueryRowContext(w.ctx, args...)
}

// update runs fn in a write transaction with the meta row locked, advancing
// the meta row to what fn appended, and commits. A transaction the engine
// aborted to break a conflict is run again, up to Options.MaxRetries times,
// so fn must not keep state across calls except through its return.
func (d *Dict) update(ctx context.Context, fn func(w *wtx) error) error {
	if d.opts.ReadOnly {
		if err := d.begin(ctx); err != nil {
			return err
		}
		return ErrReadOnly
	}
	release, err := d.enter(ctx)
	if err != nil {
		return err
	}
	defer release()
	return d.retry(ctx, fn)
}

// retry is update for a caller that entered already.
func (d *Dict) retry(ctx context.Context, fn func(w *wtx) error) error {
	for attempt := 0; ; attempt++ {
		err := d.runOnce(ctx, fn)
		var ac *ambiguousCommit
		if errors.As(err, &ac) {
			_, err = d.resolveCommit(ctx, ac)
		}
		if err == nil {
			return nil
		}
		err = d.fail(err)
		if cerr := ctxDone(ctx); cerr != nil && !errors.Is(err, cerr) {
			// Drivers report an expired deadline in their own words (a dial
			// "i/o timeout"); callers match context errors.
			err = fmt.Errorf("%w: %w", cerr, err)
		}
		if !errors.Is(err, dialects.ErrRetry) || attempt >= d.opts.MaxRetries || ctx.Err() != nil {
			return err
		}
		// Jittered exponential backoff: 1ms, 2ms, 4ms … capped at 100ms.
		wait := min(time.Millisecond<<attempt, 100*time.Millisecond)
		wait = wait/2 + rand.N(wait/2+1)
		d.opts.Logger.DebugContext(ctx, "sqldict: retrying write", "table", d.opts.Table, "attempt", attempt+1, "wait", wait, "err", err)
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
	}
}

// enter admits a write transaction: it fails with ErrClosed after Close
// began, and otherwise keeps Close waiting until release.
func (d *Dict) enter(ctx context.Context) (release func(), err error) {
	d.gate.RLock()
	if err := d.begin(ctx); err != nil {
		d.gate.RUnlock()
		return nil, err
	}
	return d.gate.RUnlock, nil
}

// updateOnce runs fn in one write transaction, without retries.
func (d *Dict) updateOnce(ctx context.Context, fn func(w *wtx) error) error {
	release, err := d.enter(ctx)
	if err != nil {
		return err
	}
	defer release()
	return d.runOnce(ctx, fn)
}

// runOnce is updateOnce for a caller that entered already.
func (d *Dict) runOnce(ctx context.Context, fn func(w *wtx) error) (err error) {
	w := &wtx{d: d, ctx: ctx}
	if d.q.SerialWrites {
		select {
		case d.wmu <- struct{}{}:
		case <-ctx.Done():
			return ctx.Err()
		}
		defer func() { <-d.wmu }()
		if d.closed.Load() {
			return ErrClosed
		}
	}
	if d.q.BeginWrite != "" {
		if err := d.beginConn(w); err != nil {
			return err
		}
	} else {
		tx, err := d.db.BeginTx(ctx, &sql.TxOptions{Isolation: d.q.WriteIsolation})
		if err != nil {
			return err
		}
		w.tx = tx
	}
	committed := false
	defer func() {
		if committed {
			return
		}
		if p := recover(); p != nil {
			w.rollback()
			panic(p)
		}
		w.rollback()
	}()

	var lastCreated, now dbTime
	if err := w.queryRow(d.q.Lock).Scan(&w.lastSeq, &lastCreated, &w.horizon, &now); err != nil {
		return fmt.Errorf("lock journal: %w", err)
	}
	if d.closed.Load() {
		// Close waits for this transaction: end it now rather than write.
		return ErrClosed
	}
	w.lastCreated = lastCreated.t
	w.now = now.t
	if !d.q.ServerClock {
		w.now = time.Now()
	}
	w.now = w.now.UTC().Truncate(time.Microsecond)
	if w.now.Before(w.lastCreated) {
		w.now = w.lastCreated // created never decreases along the journal
	}
	startSeq, startHorizon := w.lastSeq, w.horizon

	if err := fn(w); err != nil {
		return err
	}
	if w.lastSeq == startSeq && w.horizon == startHorizon && !w.changed {
		return nil // nothing appended; the deferred rollback ends the transaction
	}
	created := w.lastCreated
	if w.lastSeq != startSeq {
		created = w.now
	}
	if w.advanced {
		// fn wrote the meta row with its rows (appendAll).
	} else if _, err := w.exec(d.q.Advance, w.lastSeq, d.dialect.EncodeTime(created), w.horizon, w.live); err != nil {
		return fmt.Errorf("advance meta row: %w", err)
	}
	if w.horizon != startHorizon {
		if err := w.saveHorizon(); err != nil {
			return err
		}
	}
	if err := w.commit(); err != nil {
		committed = true // a failed COMMIT needs no ROLLBACK
		err = fmt.Errorf("commit: %w", err)
		if w.last != nil && (errors.Is(d.dialect.Classify(err), dialects.ErrConnection) || ctx.Err() != nil) {
			return &ambiguousCommit{last: *w.last, err: err}
		}
		return err
	}
	committed = true
	d.wrote(w.lastSeq)
	d.wake(w.lastSeq)
	return nil
}

// beginConn opens a write transaction on the writer connection, dialing it
// when it is missing or was found broken.
func (d *Dict) beginConn(w *wtx) error {
	if d.wconn == nil {
		c, err := d.db.Conn(w.ctx)
		if err != nil {
			return err
		}
		d.wconn = c
		clear(d.wstmts)
	}
	w.conn = d.wconn
	if _, err := w.conn.ExecContext(w.ctx, d.q.BeginWrite); err != nil {
		if isBadConn(err) {
			d.dropConn()
		}
		return err
	}
	return nil
}

func (w *wtx) commit() error {
	if w.tx != nil {
		return w.tx.Commit()
	}
	_, err := w.conn.ExecContext(w.ctx, "COMMIT")
	if err != nil {
		// Whatever state the connection is in, a fresh one is safer.
		w.rollback()
	}
	return err
}

// rollback ends the transaction, even when ctx is cancelled. A writer
// connection that cannot roll back is discarded, never reused mid-transaction.
func (w *wtx) rollback() {
	if w.tx != nil {
		_ = w.tx.Rollback()
		return
	}
	if !inTransaction(w.conn) {
		return // the engine already rolled back (SQLite does after some errors)
	}
	if _, err := w.conn.ExecContext(context.WithoutCancel(w.ctx), "ROLLBACK"); err != nil {
		w.d.dropConn()
	}
}

// inTransaction asks the driver connection whether a transaction is open;
// a driver that cannot tell is assumed to have one.
func inTransaction(c *sql.Conn) bool {
	open := true
	_ = c.Raw(func(dc any) error {
		if a, ok := dc.(interface{ AutoCommit() bool }); ok {
			open = !a.AutoCommit()
		}
		return nil
	})
	return open
}

func (d *Dict) dropConn() {
	if d.wconn == nil {
		return
	}
	for _, s := range d.wstmts {
		s.Close()
	}
	clear(d.wstmts)
	_ = d.wconn.Raw(func(any) error { return driver.ErrBadConn })
	_ = d.wconn.Close()
	d.wconn = nil
}

func isBadConn(err error) bool {
	return errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone)
}

// ctxDone is ctx.Err(), also when the deadline has passed but the context's
// timer has not fired yet: a socket deadline set from ctx can expire first.
func ctxDone(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if dl, ok := ctx.Deadline(); ok && !time.Now().Before(dl) {
		return context.DeadlineExceeded
	}
	return nil
}
