package prune

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/sqldict/sqldict/sqldict"
)

// Run compacts d with policy now and then every interval, until ctx is done
// or d is closed; then it returns nil. A failed compaction is logged and
// retried after a backoff (one second, doubling, never more than interval):
// Run never gives up on an error that may pass, and never exits the
// process. It returns at once only for errors no retry can fix: an invalid
// policy or a read-only Dict. A nil logger logs nothing. interval <= 0
// means one minute.
func Run(ctx context.Context, d *sqldict.Dict, policy Policy, interval time.Duration, logger *slog.Logger) error {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if interval <= 0 {
		interval = time.Minute
	}
	if err := policy.validate(); err != nil {
		return err
	}
	logger = logger.With("table", d.Table())
	backoff := time.Second
	for {
		start := time.Now()
		res, err := Compact(ctx, d, policy)
		wait := interval
		switch {
		case err == nil:
			backoff = time.Second
			if res.Removed > 0 {
				logger.InfoContext(ctx, "sqldict prune: compacted", "removed", res.Removed,
					"batches", res.Batches, "horizon", res.Horizon, "took", time.Since(start))
			} else {
				logger.DebugContext(ctx, "sqldict prune: nothing to remove", "horizon", res.Horizon)
			}
		case ctx.Err() != nil || errors.Is(err, sqldict.ErrClosed):
			return nil
		case errors.Is(err, sqldict.ErrInvalidArgument) || errors.Is(err, sqldict.ErrReadOnly):
			logger.ErrorContext(ctx, "sqldict prune: stopped", "err", err)
			return err
		default:
			wait = min(backoff, interval)
			backoff = min(2*backoff, interval)
			logger.WarnContext(ctx, "sqldict prune: compaction failed, will retry", "err", err,
				"removed", res.Removed, "retry_in", wait)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
	}
}

// Pruner runs Run in a goroutine of its own.
type Pruner struct {
	cancel context.CancelFunc
	done   chan struct{}
	once   sync.Once
	err    error
}

// Start starts a background pruner of d: see Run. It stops when ctx is
// done, d is closed, or Stop is called.
func Start(ctx context.Context, d *sqldict.Dict, policy Policy, interval time.Duration, logger *slog.Logger) *Pruner {
	ctx, cancel := context.WithCancel(ctx)
	p := &Pruner{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(p.done)
		p.err = Run(ctx, d, policy, interval, logger)
	}()
	return p
}

// Stop stops the pruner, waits for a compaction in flight to end (its
// current batch rolls back), and returns what Run returned. It is safe to
// call more than once.
func (p *Pruner) Stop() error {
	p.once.Do(p.cancel)
	<-p.done
	return p.err
}

// Done is closed when the pruner has stopped.
func (p *Pruner) Done() <-chan struct{} { return p.done }
